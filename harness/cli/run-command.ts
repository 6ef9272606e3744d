import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  LAB_SCHEMA,
  createBenchFromLab,
  createEmbeddedBench,
  resolveLabFile,
  type Bench,
  type LabFile,
} from '../bench/index.js';
import { packagePath } from '../common/project-root.js';
import { loadYamlFixture } from '../common/schema-check.js';
import { formatDiagnostic, sortDiagnostics } from '../common/diagnostic.js';
import {
  AllureWriter,
  ConsoleReporter,
  JunitWriter,
  RUN_MARKER,
  benchHistoryDir,
  generateReport,
} from '../report/index.js';
import { runScenarios, selectScenarios, type RunReporter } from '../runner/index.js';
import { findYamlFiles } from '../scenario/find-files.js';
import { loadScenarioFiles } from '../scenario/loader.js';
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from './command.js';
import { UsageError } from './usage-error.js';
import { parseCommandArgs } from './command-args.js';
import { defaultTargets } from './validate-command.js';
import { historyLine, historyRecorder } from './run-history.js';

const HELP = `usage: payhil run [paths…] [options]

Runs scenarios on a bench and reports them (console, Allure results, optional JUnit XML and HTML report).
Default path: scenarios/ (of the current folder, else payhil's own). Default bench: the embedded one
(emulated terminal, virtual cards, fault proxy and host simulator in this process).

  --lab FILE          bench from a lab file (fixtures/labs/*.yaml schema)
  --bench NAME        bench fixtures/labs/NAME.yaml, else the bench NAME of a lab file in fixtures/labs
                      (e.g. ecr-serial of emulator-process.yaml); with --lab: the bench of that file
  --terminal NAME     embedded bench: terminal profile (default cup-pos-ci)
  --defect NAME       embedded bench: switch an emulator defect on (repeatable)
  --grep RE           only scenarios whose id or title matches
  --tags a,b,!c       only scenarios with one of a, b and none of c
  --bail              stop after the first scenario that does not pass
  --retries N         retry each scenario up to N times (a scenario's own retries win when larger)
  --within DURATION   default wait of an expectation without 'within' (default 5s)
  --results-dir DIR   Allure results (default reports/allure-results; emptied first)
  --junit FILE        also write JUnit XML
  --report            then generate the HTML report (reports/allure-report, history kept; needs Java)
  --history-dir DIR   run history (default reports/history; one record per run, Allure trends per bench)
  --no-history        do not record the run in the history
  --root DIR          project root for includes (default: cwd)

Exit status: 0 all passed (or skipped), 1 any failed or broken, 2 usage or configuration error.`;

/** Benches of the lab files in fixtures/labs/ (of `cwd`, then payhil's own): bench name → files. */
export function labBenches(cwd: string): Map<string, string[]> {
  const dirs = [...new Set([resolve(cwd, 'fixtures', 'labs'), packagePath('fixtures', 'labs')])];
  const benches = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const file = join(dir, f);
      // A local file shadows payhil's own of the same name.
      if (seen.has(f)) continue;
      seen.add(f);
      let lab: LabFile;
      try {
        lab = loadYamlFixture<LabFile>(file, LAB_SCHEMA);
      } catch {
        continue; // an invalid lab file names no bench; --lab FILE reports its errors
      }
      for (const name of lab.benches ? Object.keys(lab.benches) : [lab.name])
        benches.set(name, [...(benches.get(name) ?? []), file]);
    }
  }
  return benches;
}

/**
 * The lab file and bench for --lab/--bench: `--bench NAME` alone is fixtures/labs/NAME.yaml when there is
 * one, else the lab file that defines a bench NAME (UsageError listing the benches when none or several do).
 */
export function chooseLabBench(
  lab: string | undefined,
  bench: string | undefined,
  cwd: string,
): { file: string; bench?: string } | undefined {
  if (lab !== undefined || bench === undefined) {
    const file = resolveLabFile({ ...(lab !== undefined ? { lab } : {}), cwd });
    return file ? { file, ...(bench !== undefined ? { bench } : {}) } : undefined;
  }
  const own = [
    resolve(cwd, 'fixtures', 'labs', `${bench}.yaml`),
    packagePath('fixtures', 'labs', `${bench}.yaml`),
  ];
  if (own.some((f) => existsSync(f))) return { file: resolveLabFile({ bench, cwd }) as string };
  const benches = labBenches(cwd);
  const files = benches.get(bench) ?? [];
  // Grouped by file: "fixtures/labs/emulator-process.yaml: ecr-serial, web…; fixtures/labs/embedded.yaml: embedded".
  const byFile = new Map<string, string[]>();
  for (const [name, fs] of benches)
    for (const f of fs) byFile.set(relativeLab(f), [...(byFile.get(relativeLab(f)) ?? []), name]);
  const list = [...byFile].map(([f, names]) => `${f}: ${names.sort().join(', ')}`).join('; ');
  if (files.length === 0) throw new UsageError(`run: no bench named '${bench}'; the lab files have: ${list}`);
  if (files.length > 1)
    throw new UsageError(
      `run: bench '${bench}' is in ${files.map(relativeLab).join(' and ')}; choose one with --lab FILE`,
    );
  return { file: files[0] as string, bench };
}

function relativeLab(file: string): string {
  return `fixtures/labs/${file.split(/[\\/]/).pop() as string}`;
}

/** Empties an Allure results folder of what a previous run wrote. */
function cleanResults(dir: string): void {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) {
    if (
      /-(result|container)\.json$|-attachment\.|^environment\.properties$|^categories\.json$|^executor\.json$/.test(
        f,
      ) ||
      f === 'history' ||
      f === RUN_MARKER
    )
      rmSync(join(dir, f), { recursive: true, force: true });
  }
}

function duration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`run: ${what}: '${text}' is not a duration (500ms, 5s, 1m)`);
  const n = Number(m[1]);
  return Math.round(m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60000 : n);
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run scenarios on a bench; Allure/JUnit reports',
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('run', {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        lab: { type: 'string' },
        bench: { type: 'string' },
        terminal: { type: 'string' },
        defect: { type: 'string', multiple: true },
        grep: { type: 'string' },
        tags: { type: 'string' },
        bail: { type: 'boolean' },
        retries: { type: 'string' },
        within: { type: 'string' },
        'results-dir': { type: 'string' },
        junit: { type: 'string' },
        report: { type: 'boolean' },
        'history-dir': { type: 'string' },
        'no-history': { type: 'boolean' },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    let grep: RegExp | undefined;
    if (values.grep !== undefined) {
      try {
        grep = new RegExp(values.grep);
      } catch (e) {
        throw new UsageError(`run: --grep: ${(e as Error).message}`);
      }
    }
    let retries: number | undefined;
    if (values.retries !== undefined) {
      retries = Number(values.retries);
      if (!Number.isInteger(retries) || retries < 0 || retries > 10)
        throw new UsageError(`run: --retries must be 0..10, got '${values.retries}'`);
    }
    const within = values.within !== undefined ? duration(values.within, '--within') : undefined;
    if (
      (values.terminal !== undefined || values.defect !== undefined) &&
      (values.lab !== undefined || values.bench !== undefined)
    )
      throw new UsageError('run: --terminal and --defect apply to the embedded bench, not to --lab/--bench');

    const target = positionals.length
      ? { root: io.cwd, paths: positionals }
      : defaultTargets(io.cwd, ['scenarios']);
    const root = values.root !== undefined ? resolve(io.cwd, values.root) : target.root;
    const { files, missing } = findYamlFiles(target.paths, io.cwd);
    if (missing.length > 0) throw new UsageError(`run: no such file or folder: ${missing.join(', ')}`);
    const { scenarios: all, diagnostics } = loadScenarioFiles(files, { root });
    const errors = sortDiagnostics(diagnostics.filter((d) => d.severity === 'error'));
    if (errors.length > 0) {
      for (const d of errors) io.err(formatDiagnostic(d));
      io.err(
        `run: ${errors.length} error${errors.length === 1 ? '' : 's'} in the scenarios; nothing was run`,
      );
      return EXIT_USAGE;
    }
    const scenarios = selectScenarios(all, values.tags, grep);
    if (scenarios.length === 0) {
      io.err('run: no scenario matches');
      return EXIT_USAGE;
    }

    const lab = chooseLabBench(values.lab, values.bench, io.cwd);
    const bench: Bench = lab
      ? createBenchFromLab(lab.file, lab.bench)
      : createEmbeddedBench({
          ...(values.terminal ? { terminal: values.terminal } : {}),
          ...(values.defect ? { defects: values.defect } : {}),
        });

    const resultsDir = resolve(io.cwd, values['results-dir'] ?? join('reports', 'allure-results'));
    mkdirSync(resultsDir, { recursive: true });
    cleanResults(resultsDir);
    const reporters: RunReporter[] = [
      new ConsoleReporter({ write: (l) => io.out(l) }),
      new AllureWriter({ resultsDir }),
    ];
    if (values.junit !== undefined) reporters.push(new JunitWriter(resolve(io.cwd, values.junit)));
    const history = values['no-history']
      ? undefined
      : historyRecorder({
          cwd: io.cwd,
          root,
          resultsDir,
          ...(values['history-dir'] !== undefined ? { historyDir: values['history-dir'] } : {}),
          ...(lab ? { labFile: lab.file } : {}),
          ...(values.junit !== undefined ? { junit: resolve(io.cwd, values.junit) } : {}),
          ...(values.defect ? { defects: values.defect } : {}),
        });
    if (history) reporters.push(history.recorder);
    const summary = await runScenarios(scenarios, {
      bench,
      reporters,
      ...(values.bail ? { bail: true } : {}),
      ...(retries !== undefined ? { retries } : {}),
      ...(within !== undefined ? { defaultWithinMs: within } : {}),
    });
    io.out(
      `results: ${resultsDir}${values.junit !== undefined ? `; JUnit: ${resolve(io.cwd, values.junit)}` : ''}`,
    );
    if (history) io.out(historyLine(history));
    if (values.report) {
      const reportDir = resolve(resultsDir, '..', 'allure-report');
      await generateReport({
        resultsDir,
        reportDir,
        ...(history ? { historyDir: benchHistoryDir(history.store.where, bench.name) } : {}),
      });
      io.out(`report: ${join(reportDir, 'index.html')}`);
    }
    return summary.counts.failed + summary.counts.broken > 0 ? EXIT_FAIL : EXIT_OK;
  },
};
