/**
 * `payhil validate` over 1,000 generated scenario files (target: all of them in under 2 s on the 2-core
 * lab machine). Baseline, measured in the same run on the same files: reading and parsing the YAML alone,
 * which is the floor any validator pays.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { percentile, report } from '../../test/bench/bench-kit.js';
import { packagePath } from '../common/project-root.js';
import { findYamlFiles } from './find-files.js';
import { validateFiles } from './validate-files.js';

const FILES = 1000;
const RUNS = 3;
const HEAD = '# yaml-language-server: $schema=../../harness/scenario/scenario.schema.json\n';
const CARDS = ['cup-debit', 'cup-credit', 'ec-debit', 'phone-wallet'];

function scenario(i: number): string {
  const card = CARDS[i % CARDS.length] as string;
  const amount = ((i * 37) % 100000) / 100;
  const body: string[] = [
    `title: Generated scenario ${i} (\${amount})`,
    `description: Purchase number ${i} with ${card}, then checks on the host messages and the display.`,
    `tags: [generated, batch-${i % 10}${i % 3 === 0 ? ', smoke' : ''}]`,
    `severity: ${['normal', 'critical', 'minor'][i % 3]}`,
    'requires: [chip, pinpad, host]',
    'timeout: 2m',
    'cards:',
    `  card: ${card}`,
    '  other: { extends: cup-credit, pin: "1234" }',
    'vars:',
    `  pin: '${String(100000 + i).slice(-6)}'`,
    'matrix:',
    `  amount: ['${amount.toFixed(2)}', ${(i % 50) + 1}]`,
    'steps:',
    '  - include: { file: ../common/sign-in.steps.yaml }',
    '  - purchase: { amount: "${amount}" }',
    '  - expect:',
    '      display: { contains: INSERT }',
    '  - insert: { card: card }',
    "  - enterPin: { pin: '${pin}' }",
    '  - expect:',
    '      host:',
    "        request: { mti: '0200', '3': '000000', '22': '/^05/', '52': { exists: true }, '4': { gt: 0 } }",
    "        response: { '39': { oneOf: ['00', '51'] }, '38': { not: '' } }",
    '      within: 30s',
    '  - capture: { rrn: response.37 }',
  ];
  if (i % 4 === 1) {
    body.push(
      '  - network: { toxic: latency, latency: 500ms, jitter: 50ms, stream: downstream }',
      "  - network: { toxic: drop, on: { mti: '0210' }, stream: downstream }",
    );
  }
  if (i % 4 === 2) {
    body.push(
      '  - host:',
      '      rules:',
      "        - { mti: '0200', respond: { fields: { '39': '51' } }, times: 1 }",
    );
  }
  body.push(
    "  - void: { of: '${rrn}' }",
    '  - expect:',
    '      receipt: /VOID/i',
    "      none: { host: { request: { mti: '0400' } } }",
    'finally:',
    '  - remove:',
    '  - network: clear',
  );
  return HEAD + body.join('\n') + '\n';
}

function median(xs: number[]): number {
  return percentile(xs, 50);
}

const root = mkdtempSync(join(tmpdir(), 'payhil-bench-validate-'));
try {
  mkdirSync(join(root, 'scenarios', 'common'), { recursive: true });
  writeFileSync(
    join(root, 'scenarios', 'common', 'sign-in.steps.yaml'),
    readFileSync(packagePath('scenarios', 'common', 'sign-in.steps.yaml'), 'utf8'),
  );
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, 'scenarios', `group-${Math.floor(i / 100)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `scenario-${i}.yaml`), scenario(i));
  }
  const { files } = findYamlFiles([join(root, 'scenarios')]);
  const scenarioFiles = files.filter((f) => !f.endsWith('.steps.yaml'));

  // Baseline: read + parse every file, nothing else.
  const parseTimes: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    for (const f of scenarioFiles) parseAllDocuments(readFileSync(f, 'utf8'));
    parseTimes.push((performance.now() - t) / 1000);
  }

  // In process: validateFiles as the command calls it (schema compiled on the first run).
  const inProcess: number[] = [];
  let scenarios = 0;
  let errors = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const rep = validateFiles(files, { root, fixtureRoots: [packagePath('fixtures')] });
    inProcess.push((performance.now() - t) / 1000);
    scenarios = rep.scenarios.length;
    errors = rep.diagnostics.filter((d) => d.severity === 'error').length;
  }

  // The real command, as a person runs it: a fresh node process (startup, schema compile, output).
  const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  const cli: number[] = [];
  let status: number | null = null;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const res = spawnSync(process.execPath, [bin, 'validate', '--quiet', 'scenarios'], {
      cwd: root,
      encoding: 'utf8',
    });
    cli.push((performance.now() - t) / 1000);
    status = res.status;
  }

  const cliSeconds = median(cli);
  const parseSeconds = median(parseTimes);
  const inSeconds = median(inProcess);
  report({
    bench: 'scenario-validate',
    figures: [
      {
        name: 'payhil validate, 1,000 files (process, median)',
        value: cliSeconds,
        unit: 's',
        target: '< 2',
        met: cliSeconds < 2,
      },
      { name: 'payhil validate files/s (process)', value: FILES / cliSeconds, unit: 'files/s' },
      { name: 'validateFiles in process, files/s (median)', value: FILES / inSeconds, unit: 'files/s' },
      { name: 'baseline: YAML read+parse only, files/s', value: FILES / parseSeconds, unit: 'files/s' },
      { name: 'validate cost / parse-only cost (in process)', value: inSeconds / parseSeconds, unit: 'x' },
    ],
    notes: [
      `${scenarioFiles.length} files, ${scenarios} scenarios after matrix expansion, ${errors} errors, exit status ${status}`,
      `runs (s): process ${cli.map((x) => x.toFixed(2)).join(' ')}; in-process ${inProcess.map((x) => x.toFixed(2)).join(' ')}; parse ${parseTimes.map((x) => x.toFixed(2)).join(' ')}`,
    ],
  });
  if (errors > 0 || status !== 0) {
    console.error('bench: the generated scenarios did not validate');
    process.exitCode = 1;
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
