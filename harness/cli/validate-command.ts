import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDiagnostic, sortDiagnostics } from '../common/diagnostic.js';
import { packageRoot } from '../common/project-root.js';
import { findYamlFiles } from '../scenario/find-files.js';
import { validateFilesParallel } from '../scenario/validate-parallel.js';
import { EXIT_FAIL, EXIT_OK, type CliIo, type Command } from './command.js';
import { configurePack } from './pack-fixtures.js';
import { UsageError } from './usage-error.js';

const HELP = `usage: payhil validate [paths…] [--root DIR] [--fixtures DIR] [--json] [--quiet] [--jobs N]

Checks scenario files (schema and references: cards, includes, \${vars}, ids, matrix) and fixture files
(against the schema of their fixtures/<kind>/ folder). Folders are searched for *.yaml.
Default paths: scenarios/ and fixtures/ (of the current folder, else payhil's own).

  --root DIR   project root: ids derive from DIR/scenarios, includes may not leave DIR (default: cwd)
  --fixtures DIR
               the scenario pack's fixtures (cards/, terminals/, hosts/, dialects/, labs/), before payhil's
               bundled ones (repeatable; default: the fixtures/ folder of the nearest folder above the
               first path, or the current folder, that has one or a package.json); see docs/packs.md
  --json       print the diagnostics as a JSON array
  --quiet      print errors only (no warnings, no summary)
  --jobs N     worker threads besides the main one (used for more than 100 scenario files);
               default: none up to 2,000 scenario files, then cores − 1 (at most 3)

Exit status: 0 valid, 1 invalid, 2 usage error.`;

/** Default paths and root: the current folder's scenarios/ and fixtures/, else payhil's bundled ones. */
export function defaultTargets(cwd: string, names: string[]): { root: string; paths: string[] } {
  const local = names.filter((n) => existsSync(resolve(cwd, n)));
  if (local.length > 0) return { root: cwd, paths: local };
  const root = packageRoot();
  return { root, paths: names.map((n) => resolve(root, n)).filter((p) => existsSync(p)) };
}

/** Parses the options shared by validate and list plus `extra`; bad options are a UsageError. */
export function parseCommon(
  argv: string[],
  extra: Record<string, { type: 'string' | 'boolean'; short?: string }>,
  name: string,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        root: { type: 'string' },
        fixtures: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...extra,
      },
    });
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message}`);
  }
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check scenario and fixture files (schema, references) with located errors',
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommon(
      argv,
      { quiet: { type: 'boolean', short: 'q' }, jobs: { type: 'string', short: 'j' } },
      'validate',
    );
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    const target = positionals.length
      ? { root: io.cwd, paths: positionals }
      : defaultTargets(io.cwd, ['scenarios', 'fixtures']);
    const root = values.root !== undefined ? resolve(io.cwd, String(values.root)) : target.root;
    configurePack(
      io,
      'validate',
      values.fixtures as string[] | undefined,
      positionals.length ? positionals : [root],
    );
    if (values.root !== undefined && !existsSync(root))
      throw new UsageError(`validate: --root ${String(values.root)}: no such folder`);
    let workers: number | undefined;
    if (values.jobs !== undefined) {
      const jobs = String(values.jobs);
      if (!/^\d+$/.test(jobs) || Number(jobs) > 64)
        throw new UsageError(`validate: --jobs ${jobs}: expected a whole number from 0 to 64`);
      workers = Number(jobs);
    }
    const { files, missing } = findYamlFiles(target.paths, io.cwd);
    if (missing.length > 0) throw new UsageError(`validate: no such file or folder: ${missing.join(', ')}`);
    if (files.length === 0)
      throw new UsageError(`validate: no YAML files in ${target.paths.join(', ') || 'the default paths'}`);
    const report = await validateFilesParallel(files, { root }, workers !== undefined ? { workers } : {});
    const shown = sortDiagnostics(report.diagnostics).filter((d) => !values.quiet || d.severity === 'error');
    const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = report.diagnostics.length - errors;
    if (values.json) {
      io.out(JSON.stringify(shown, null, 2));
    } else {
      for (const d of shown) io.out(formatDiagnostic(d));
      if (!values.quiet) {
        const what = `${report.scenarioFiles} scenario file${report.scenarioFiles === 1 ? '' : 's'} (${report.scenarios.length} scenarios), ${report.fixtureFiles} fixture file${report.fixtureFiles === 1 ? '' : 's'}`;
        io.out(
          errors === 0
            ? `validate: ${what}: valid${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`
            : `validate: ${what}: ${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`,
        );
      }
    }
    return errors === 0 ? EXIT_OK : EXIT_FAIL;
  },
};
