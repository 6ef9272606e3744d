/**
 * `payhil init [DIR]`: scaffolds a scenario pack — a lab's own repository of scenarios and fixtures that
 * installs payhil as a dependency (docs/packs.md). Every file's `$schema` line points into payhil's
 * installed package (`node_modules/payhil/…`), so editors check the files as they are typed. Existing files
 * are never overwritten unless `--force` is given; then nothing at all is written.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { packagePath, packageRoot } from '../common/project-root.js';
import { isInside } from '../scenario/load-context.js';
import { EXIT_FAIL, EXIT_OK, type CliIo, type Command } from './command.js';
import { UsageError } from './usage-error.js';

const HELP = `usage: payhil init [DIR] [--force]

Scaffolds a scenario pack in DIR (default: the current folder; created when missing):
  scenarios/purchase-approved.yaml   an example scenario (chip purchase with PIN, host approves)
  fixtures/{cards,terminals,hosts,dialects,labs}/
                                     the pack's own fixtures, found before payhil's bundled ones
  README.md                          how to write, check and run the pack
  .github/workflows/payhil.yml       a CI job (GitHub Actions): validate, run, JUnit and Allure results
  .gitignore                         reports/ and node_modules/
Each YAML file's first line names its schema inside node_modules/payhil, for editors.

  --force   overwrite files that exist (without it, init refuses and writes nothing)

Exit status: 0 written, 1 a file exists (nothing written), 2 usage error. See docs/packs.md.`;

/** The folder of payhil's package as the pack's files refer to it (relative to the pack root). */
function payhilDir(root: string): string {
  const installed = packageRoot();
  // Installed inside the pack (the usual case): the real path; else where `npm install payhil` puts it.
  return isInside(root, installed) && installed !== root
    ? relative(root, installed).split(sep).join('/')
    : 'node_modules/payhil';
}

/** The `$schema` line of `file` (relative to the pack root) for payhil's schema `schema` (package path). */
function schemaLine(root: string, file: string, schema: string): string {
  const target = join(root, payhilDir(root), schema);
  const rel = relative(dirname(join(root, file)), target)
    .split(sep)
    .join('/');
  return `# yaml-language-server: $schema=${rel}`;
}

const SCENARIO = (line: string): string => `${line}
# An example scenario: edit it, copy it, or delete it. The language: node_modules/payhil/docs/scenario-language.md
title: 'Chip purchase with online PIN: the host approves'
description: >
  The terminal signs in, a chip card is inserted, the PIN entered; the host approves the 0200 and the
  terminal prints an approved receipt. Runs on the embedded bench as it is (payhil's reference terminal).
tags: [example, purchase]
severity: critical
requires: [chip, pinpad, host]
timeout: 1m
cards:
  # A bundled card (node_modules/payhil/fixtures/cards/cup-debit.yaml, PIN 123456), or one of yours in
  # fixtures/cards/ (a pack fixture of the same name is used instead of the bundled one).
  card: cup-debit
steps:
  - signIn:
  - expect:
      host:
        request: { mti: '0800' }
        response: { mti: '0810', '39': '00' }
      within: 30s
  - purchase: { amount: '12.50' }
  - insert: { card: card }
  - expect:
      display: /PIN/i
      within: 10s
  - enterPin: { pin: '123456' }
  - expect:
      host:
        request: { mti: '0200', '4': '000000001250' }
        response: { mti: '0210', '39': '00' }
      display: /APPROVED/i
      receipt: { contains: '12.50' }
      within: 30s
  - remove: { card: card }
finally:
  - remove:
  - host: reset
`;

const KEEP = (kind: string, what: string): string =>
  `# fixtures/${kind}/: ${what}\n# Files here (NAME.yaml) are found by name before payhil's bundled ones; see README.md.\n`;

const README = (dir: string): string => `# Payment terminal scenarios (a payhil scenario pack)

Scenarios for [payhil](${dir}/README.md), the hardware-in-the-loop test harness for payment
terminals, kept in this repository with payhil installed as a dependency (\`npm install -D payhil\`).

## Layout

| Folder | What it holds |
| --- | --- |
| \`scenarios/\` | scenarios (\`*.yaml\`): one file per behaviour, any sub-folders |
| \`fixtures/terminals/\` | terminal profiles (\`extends: cup-pos\` and change what differs) |
| \`fixtures/cards/\` | card fixtures (\`extends: cup-debit\` and change what differs) |
| \`fixtures/hosts/\` | host simulator configurations (accounts, limits, rules) |
| \`fixtures/dialects/\` | ISO 8583 dialects |
| \`fixtures/labs/\` | lab files: benches with real terminals, readers and hosts |

A scenario names a fixture by its file name: \`bench: { terminal: my-pos }\` is
\`fixtures/terminals/my-pos.yaml\` here, else payhil's bundled one of that name. A file here with the name
of a bundled fixture is used instead of it, and \`validate\` and \`run\` warn about it, naming both files.

The first line of each YAML file names its schema inside \`${dir}\`, so an editor with the YAML
language server checks the file as you type.

## Commands

\`\`\`sh
npx payhil validate                 # check scenarios and fixtures: located errors, exit 1 when invalid
npx payhil list                     # the scenarios, one line per matrix combination
npx payhil run                      # every scenario on the embedded bench; reports in reports/
npx payhil run scenarios/x.yaml     # one file
npx payhil run --bench NAME         # on a bench of a lab file (fixtures/labs/ here, then payhil's)
npx payhil report                   # the HTML report of the last run (needs Java)
\`\`\`

Exit status of \`run\`: 0 all passed or skipped, 1 any failed or broken, 2 usage or configuration error.

## Documentation

In \`${dir}/docs/\`: \`packs.md\` (this layout), \`scenario-language.md\` (steps,
expectations, cards, hosts), \`runner.md\` (benches, verdicts), \`lab.md\` (lab files), \`reports.md\`.
`;

const WORKFLOW = `# CI for this scenario pack: check the scenarios, run them on the embedded bench, keep the reports.
# Benches with real terminals need a lab runner: see node_modules/payhil/docs/lab.md.
name: payhil
on: [push, pull_request]
jobs:
  scenarios:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npx payhil validate
      - run: npx payhil run --junit reports/junit.xml
      - if: always()
        uses: actions/upload-artifact@v4
        with:
          name: payhil-reports
          path: reports/
`;

const GITIGNORE = 'node_modules/\nreports/\n';

/** The files of a new pack: path relative to the pack root → text. */
export function packFiles(root: string): Map<string, string> {
  const dir = payhilDir(root);
  const files = new Map<string, string>();
  files.set(
    'scenarios/purchase-approved.yaml',
    SCENARIO(schemaLine(root, 'scenarios/purchase-approved.yaml', 'harness/scenario/scenario.schema.json')),
  );
  const kinds: [string, string][] = [
    ['cards', 'card fixtures (schema: harness/cards/card.schema.json)'],
    ['terminals', 'terminal profiles (schema: harness/emulator/terminal.schema.json)'],
    ['hosts', 'host simulator configurations (schema: harness/host/host.schema.json)'],
    ['dialects', 'ISO 8583 dialects (schema: harness/iso8583/dialect.schema.json)'],
    ['labs', 'lab files (schema: harness/bench/lab.schema.json)'],
  ];
  for (const [kind, what] of kinds) files.set(`fixtures/${kind}/.gitkeep`, KEEP(kind, what));
  files.set('README.md', README(dir));
  files.set('.github/workflows/payhil.yml', WORKFLOW);
  files.set('.gitignore', GITIGNORE);
  return files;
}

export const initCommand: Command = {
  name: 'init',
  summary: 'scaffold a scenario pack (scenarios/, fixtures/, README, CI example) in a folder',
  async run(argv: string[], io: CliIo): Promise<number> {
    let parsed: { values: { force?: boolean; help?: boolean }; positionals: string[] };
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      });
    } catch (e) {
      throw new UsageError(`init: ${(e as Error).message}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (positionals.length > 1) throw new UsageError('init: at most one folder');
    const root = resolve(io.cwd, positionals[0] ?? '.');
    if (existsSync(root) && !statSync(root).isDirectory())
      throw new UsageError(`init: ${positionals[0] ?? root} is not a folder`);
    if (root === packageRoot() || root === packagePath())
      throw new UsageError("init: that is payhil's own folder; give the folder of your pack");
    const files = packFiles(root);
    const existing = [...files.keys()].filter((f) => existsSync(join(root, f)));
    if (existing.length > 0 && !values.force) {
      io.err(
        `init: ${existing.length === 1 ? 'this file exists' : 'these files exist'} in ${root}: ${existing.join(', ')}\n` +
          'init: nothing was written; use --force to overwrite them',
      );
      return EXIT_FAIL;
    }
    for (const [f, text] of files) {
      const file = join(root, f);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    io.out(
      `init: scenario pack in ${root}${existing.length ? ` (overwrote ${existing.join(', ')})` : ''}\n` +
        [...files.keys()].map((f) => `  ${f}`).join('\n') +
        '\nnext: npx payhil validate && npx payhil run',
    );
    return EXIT_OK;
  },
};
