/**
 * The generated corpus of the `payhil validate` benchmark: `count` scenario files in the shape people
 * write (matrix, vars, includes, matchers, network faults, host rules), plus the steps file they include.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../common/project-root.js';

const HEAD = '# yaml-language-server: $schema=../../harness/scenario/scenario.schema.json\n';
const CARDS = ['cup-debit', 'cup-credit', 'ec-debit', 'phone-wallet'];

/** The text of generated scenario number `i`. */
export function benchScenario(i: number): string {
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

/** Writes `<root>/scenarios/group-N/scenario-I.yaml` (100 per folder) and the included steps file. */
export function writeBenchCorpus(root: string, count: number): void {
  mkdirSync(join(root, 'scenarios', 'common'), { recursive: true });
  writeFileSync(
    join(root, 'scenarios', 'common', 'sign-in.steps.yaml'),
    readFileSync(packagePath('scenarios', 'common', 'sign-in.steps.yaml'), 'utf8'),
  );
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'scenarios', `group-${Math.floor(i / 100)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `scenario-${i}.yaml`), benchScenario(i));
  }
}
