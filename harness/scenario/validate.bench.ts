/**
 * `payhil validate` over 1,000 generated scenario files (target: all of them in under 2 s on the 2-core
 * lab machine, as a person runs it: a fresh node process). Baselines measured in the same run on the
 * same files: reading and parsing them with the `yaml` library alone (the floor a validator built on it
 * pays), and payhil's own reader (parseYamlText, which takes a fast path for plain files).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { percentile, report } from '../../test/bench/bench-kit.js';
import { packagePath } from '../common/project-root.js';
import { parseYamlText } from '../common/yaml-file.js';
import { findYamlFiles } from './find-files.js';
import { validateFiles } from './validate-files.js';
import { writeBenchCorpus } from './validate-bench-corpus.js';

const FILES = 1000;
const RUNS = 5;

function median(xs: number[]): number {
  return percentile(xs, 50);
}

function seconds(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

const root = mkdtempSync(join(tmpdir(), 'payhil-bench-validate-'));
try {
  writeBenchCorpus(root, FILES);
  const { files } = findYamlFiles([join(root, 'scenarios')]);
  const scenarioFiles = files.filter((f) => !f.endsWith('.steps.yaml'));

  // Baselines: read + parse every file, nothing else.
  const yamlParse: number[] = [];
  const ownParse: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    yamlParse.push(seconds(() => scenarioFiles.forEach((f) => parseAllDocuments(readFileSync(f, 'utf8')))));
    ownParse.push(seconds(() => scenarioFiles.forEach((f) => parseYamlText(readFileSync(f, 'utf8'), f))));
  }

  // In process, warm: validateFiles on the main thread as library users call it.
  const inProcess: number[] = [];
  let scenarios = 0;
  let errors = 0;
  for (let r = 0; r < RUNS; r++) {
    let rep: ReturnType<typeof validateFiles> | undefined;
    inProcess.push(
      seconds(() => (rep = validateFiles(files, { root, fixtureRoots: [packagePath('fixtures')] }))),
    );
    scenarios = rep?.scenarios.length ?? 0;
    errors = rep?.diagnostics.filter((d) => d.severity === 'error').length ?? 0;
  }

  // The real command, as a person runs it: a fresh node process (start-up, schema compile, output),
  // as it runs by default (1,000 files: main thread only) and with one worker thread (--jobs 1), interleaved.
  const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  const cli: number[] = [];
  const cliWorker: number[] = [];
  const statuses = new Set<number | null>();
  for (let r = 0; r < RUNS; r++) {
    for (const [jobs, out] of [
      [[], cli],
      [['--jobs', '1'], cliWorker],
    ] as const) {
      out.push(
        seconds(() => {
          const res = spawnSync(process.execPath, [bin, 'validate', '--quiet', ...jobs, 'scenarios'], {
            cwd: root,
            encoding: 'utf8',
          });
          statuses.add(res.status);
        }),
      );
    }
  }

  const cliSeconds = median(cli);
  const yamlSeconds = median(yamlParse);
  report({
    bench: 'scenario-validate',
    figures: [
      {
        name: 'payhil validate, 1,000 files (fresh process, median)',
        value: cliSeconds,
        unit: 's',
        target: '< 2',
        met: cliSeconds < 2,
      },
      { name: 'payhil validate files/s (fresh process)', value: FILES / cliSeconds, unit: 'files/s' },
      {
        name: 'payhil validate --jobs 1 (one worker thread, fresh process)',
        value: median(cliWorker),
        unit: 's',
      },
      { name: 'validateFiles in process (warm), files/s', value: FILES / median(inProcess), unit: 'files/s' },
      { name: 'baseline: yaml read+parse only, files/s', value: FILES / yamlSeconds, unit: 'files/s' },
      {
        name: 'payhil reader (parseYamlText) read+parse, files/s',
        value: FILES / median(ownParse),
        unit: 'files/s',
      },
      { name: 'fresh-process validate / yaml parse-only time', value: cliSeconds / yamlSeconds, unit: 'x' },
    ],
    notes: [
      `${scenarioFiles.length} files, ${scenarios} scenarios after matrix expansion, ${errors} errors, exit status ${[...statuses].join('/')}`,
      `runs (s): process ${cli.map((x) => x.toFixed(2)).join(' ')}; --jobs 1 ${cliWorker.map((x) => x.toFixed(2)).join(' ')}; in-process ${inProcess.map((x) => x.toFixed(2)).join(' ')}; yaml parse ${yamlParse.map((x) => x.toFixed(2)).join(' ')}`,
    ],
  });
  if (errors > 0 || statuses.size !== 1 || !statuses.has(0)) {
    console.error('bench: the generated scenarios did not validate');
    process.exitCode = 1;
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
