import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostic, sortDiagnostics } from '../common/diagnostic.js';
import { findYamlFiles } from '../scenario/find-files.js';
import { loadScenarioFiles } from '../scenario/loader.js';
import { scenarioSelector } from '../scenario/index.js';
import { EXIT_FAIL, EXIT_OK, type CliIo, type Command } from './command.js';
import { configurePack } from './pack-fixtures.js';
import { UsageError } from './usage-error.js';
import { defaultTargets, parseCommon } from './validate-command.js';

const HELP = `usage: payhil list [paths…] [--tags a,b,!c] [--grep RE] [--json] [--root DIR] [--fixtures DIR]

Prints the scenarios after matrix expansion, one line per combination: id, title, tags, requires, file:line.
Default path: scenarios/ (of the current folder, else payhil's own).

  --tags a,b,!c  keep scenarios with at least one of a, b and none of c
  --grep RE      keep scenarios whose id or title matches the regular expression
  --json         print a JSON array (id, title, tags, requires, severity, params, file, line)
  --root DIR     project root (default: cwd)
  --fixtures DIR the scenario pack's fixtures, before payhil's bundled ones (repeatable); see docs/packs.md

Exit status: 0 listed, 1 scenarios do not load (errors printed), 2 usage error.`;

export const listCommand: Command = {
  name: 'list',
  summary: 'list the expanded scenarios (one line per matrix combination)',
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommon(
      argv,
      { tags: { type: 'string' }, grep: { type: 'string' } },
      'list',
    );
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    const selected = scenarioSelector({
      tags: values.tags === undefined ? undefined : String(values.tags),
      grep: values.grep === undefined ? undefined : String(values.grep),
    });
    const target = positionals.length
      ? { root: io.cwd, paths: positionals }
      : defaultTargets(io.cwd, ['scenarios']);
    const root = values.root !== undefined ? resolve(io.cwd, String(values.root)) : target.root;
    configurePack(
      io,
      'list',
      values.fixtures as string[] | undefined,
      positionals.length ? positionals : [root],
    );
    if (values.root !== undefined && !existsSync(root))
      throw new UsageError(`list: --root ${String(values.root)}: no such folder`);
    const { files, missing } = findYamlFiles(target.paths, io.cwd);
    if (missing.length > 0) throw new UsageError(`list: no such file or folder: ${missing.join(', ')}`);
    const { scenarios, diagnostics } = loadScenarioFiles(files, { root });
    const errors = sortDiagnostics(diagnostics.filter((d) => d.severity === 'error'));
    if (errors.length > 0) {
      for (const d of errors) io.err(formatDiagnostic(d));
      io.err(
        `list: ${errors.length} error${errors.length === 1 ? '' : 's'}; run 'payhil validate' for details`,
      );
      return EXIT_FAIL;
    }
    const kept = scenarios.filter(selected);
    if (values.json) {
      io.out(
        JSON.stringify(
          kept.map((s) => ({
            id: s.id,
            title: s.title,
            tags: s.tags,
            requires: s.requires,
            severity: s.severity,
            params: s.params,
            file: s.file,
            line: s.at.line,
          })),
          null,
          2,
        ),
      );
      return EXIT_OK;
    }
    const idWidth = Math.min(60, Math.max(0, ...kept.map((s) => s.id.length)));
    const titleWidth = Math.min(60, Math.max(0, ...kept.map((s) => s.title.length)));
    for (const s of kept) {
      const tags = s.tags.length ? s.tags.map((t) => '#' + t).join(' ') : '-';
      const needs = s.requires.length ? s.requires.join(',') : '-';
      io.out(
        `${s.id.padEnd(idWidth)}  ${s.title.padEnd(titleWidth)}  ${tags}  [${needs}]  ${s.file}:${s.at.line}`,
      );
    }
    const filtered = kept.length === scenarios.length ? '' : ` (of ${scenarios.length})`;
    io.out(
      `${kept.length} scenario${kept.length === 1 ? '' : 's'}${filtered} from ${files.length} file${files.length === 1 ? '' : 's'}`,
    );
    return EXIT_OK;
  },
};
