// Start-up matters (a one-scenario run is mostly module loading): this module imports what an embedded
// run needs, file by file rather than through the layers' index files; lab benches, --jobs, --queue and
// --report load their modules when asked for.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Bench } from '../bench/bench.js';
import { createEmbeddedBench } from '../bench/embedded-bench.js';
import { MAX_SEED, freshSeed, isSeed } from '../common/run-seed.js';
import { formatDiagnostic, sortDiagnostics } from '../common/diagnostic.js';
import { AllureWriter } from '../report/allure-writer.js';
import { ConsoleReporter } from '../report/console-reporter.js';
import { JunitWriter } from '../report/junit-writer.js';
import { benchHistoryDir } from '../report/bench-history.js';
import { setAsideResults } from '../report/results-dir.js';
import { parseShard, shardOf, type Shard } from '../lab/shard.js';
import { runScenarios, type RunReporter, type RunSummary } from '../runner/run-scenarios.js';
import { findYamlFiles } from '../scenario/find-files.js';
import { loadScenarioFiles } from '../scenario/loader.js';
import { scenarioSelector } from '../scenario/index.js';
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from './command.js';
import { UsageError } from './usage-error.js';
import { parseCommandArgs } from './command-args.js';
import { configurePack } from './pack-fixtures.js';
import { defaultTargets } from './validate-command.js';
import { labDuration } from './lab-duration.js';
import { historyLine, historyRecorder, type RunHistory } from './run-history.js';

const HELP = `usage: payhil run [paths…] [options]

Runs scenarios on a bench and reports them (console, Allure results, optional JUnit XML and HTML report).
Default path: scenarios/ (of the current folder, else payhil's own). Default bench: the embedded one
(emulated terminal, virtual cards, fault proxy and host simulator in this process).

  --lab FILE          bench from a lab file (fixtures/labs/*.yaml schema)
  --bench NAME        bench fixtures/labs/NAME.yaml, else the bench NAME of a lab file in fixtures/labs
                      (e.g. ecr-serial of emulator-process.yaml); with --lab: the bench of that file
  --terminal NAME     embedded bench: terminal profile (default cup-pos-ci)
  --defect NAME       embedded bench: switch an emulator defect on (repeatable)
  --only ID           only the scenario run with this id (as \`payhil list\` shows it; repeatable)
  --seed N            the run's seed (0..4294967295; default a fresh one, printed): every draw of the
                      embedded bench (STANs, RRNs, unpredictable numbers, keys, toxics) derives from it
                      and the scenario's id, so --seed N --only ID replays one run
  --real-time         embedded bench: wait in real time (default: simulated time, which jumps to the
                      next timer when nothing else can happen; lab benches always run in real time)
  --grep RE           only scenarios whose id or title matches
  --tags a,b,!c       only scenarios with one of a, b and none of c
  --bail              stop after the first scenario that does not pass
  --retries N         retry each scenario up to N times (a scenario's own retries win when larger)
  --within DURATION   default wait of an expectation without 'within' (default 5s)
  --jobs N            run on N benches of the same kind at once, each in its own process (1..32); the
                      report is merged in catalogue order, as a serial run's
  --shard i/n         run only shard i of n of the expanded scenarios (positions i-1, i-1+n, …): split a
                      catalogue deterministically across CI machines
  --queue URL         spread the scenarios over the lab's benches (payhil agent) through BullMQ on Redis
                      (redis://[user:password@]host:port[/db]); the report is merged as for --jobs
  --bench-tag TAG     with --queue: only benches with this tag (key=value, or a value; repeatable)
  --queue-wait DURATION  with --queue: skip a scenario no agent serves after this wait (default 60s)
  --queue-lost DURATION  with --queue: how long a lost Redis is waited for before the unfinished
                      scenarios are broken (default 30s)
  --results-dir DIR   Allure results (default reports/allure-results; emptied first)
  --junit FILE        also write JUnit XML
  --report            then generate the HTML report (reports/allure-report, history kept; needs Java)
  --history-dir DIR   run history (default reports/history; one record per run, Allure trends per bench)
  --no-history        do not record the run in the history
  --root DIR          project root for includes (default: cwd)
  --fixtures DIR      the scenario pack's fixtures, before payhil's bundled ones (repeatable; default: the
                      fixtures/ folder of the nearest folder above the first path, or the current folder,
                      that has one or a package.json); see docs/packs.md

Exit status: 0 all passed (or skipped), 1 any failed or broken, 2 usage or configuration error.`;

/** The options besides file, seed and id that a replay needs: the bench and its switches. */
function replayArgsOf(values: {
  lab?: string | undefined;
  bench?: string | undefined;
  terminal?: string | undefined;
  defect?: string[] | undefined;
  within?: string | undefined;
  root?: string | undefined;
}): string[] {
  const args: string[] = [];
  if (values.lab !== undefined) args.push('--lab', values.lab);
  if (values.bench !== undefined) args.push('--bench', values.bench);
  if (values.terminal !== undefined) args.push('--terminal', values.terminal);
  for (const d of values.defect ?? []) args.push('--defect', d);
  if (values.within !== undefined) args.push('--within', values.within);
  if (values.root !== undefined) args.push('--root', values.root);
  return args;
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
        'real-time': { type: 'boolean' },
        grep: { type: 'string' },
        tags: { type: 'string' },
        only: { type: 'string', multiple: true },
        seed: { type: 'string' },
        bail: { type: 'boolean' },
        retries: { type: 'string' },
        within: { type: 'string' },
        'results-dir': { type: 'string' },
        junit: { type: 'string' },
        report: { type: 'boolean' },
        jobs: { type: 'string' },
        queue: { type: 'string' },
        'bench-tag': { type: 'string', multiple: true },
        'queue-wait': { type: 'string' },
        'queue-lost': { type: 'string' },
        shard: { type: 'string' },
        'history-dir': { type: 'string' },
        'no-history': { type: 'boolean' },
        root: { type: 'string' },
        fixtures: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    const wanted = scenarioSelector({ tags: values.tags, grep: values.grep });
    let retries: number | undefined;
    if (values.retries !== undefined) {
      retries = Number(values.retries);
      if (!Number.isInteger(retries) || retries < 0 || retries > 10)
        throw new UsageError(`run: --retries must be 0..10, got '${values.retries}'`);
    }
    let seed: number;
    if (values.seed !== undefined) {
      seed = Number(values.seed);
      if (!/^\d{1,10}$/.test(values.seed) || !isSeed(seed))
        throw new UsageError(`run: --seed must be an integer 0..${MAX_SEED}, got '${values.seed}'`);
    } else seed = freshSeed();
    let jobs: number | undefined;
    if (values.jobs !== undefined) {
      jobs = Number(values.jobs);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 32)
        throw new UsageError(`run: --jobs must be 1..32, got '${values.jobs}'`);
    }
    let shard: Shard | undefined;
    if (values.shard !== undefined) {
      try {
        shard = parseShard(values.shard);
      } catch (e) {
        throw new UsageError(`run: ${(e as Error).message}`);
      }
    }
    if (
      values.queue !== undefined &&
      (jobs !== undefined ||
        values.lab !== undefined ||
        values.bench !== undefined ||
        values.terminal !== undefined ||
        values.defect !== undefined)
    )
      throw new UsageError(
        "run: --queue runs on the lab's benches: not with --jobs, --lab, --bench, --terminal or --defect",
      );
    if (
      values.queue === undefined &&
      (values['bench-tag'] !== undefined ||
        values['queue-wait'] !== undefined ||
        values['queue-lost'] !== undefined)
    )
      throw new UsageError('run: --bench-tag, --queue-wait and --queue-lost go with --queue');
    const queueLost =
      values['queue-lost'] !== undefined ? labDuration(values['queue-lost'], 'run: --queue-lost') : undefined;
    const queueWait =
      values['queue-wait'] !== undefined ? labDuration(values['queue-wait'], 'run: --queue-wait') : undefined;
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
    configurePack(io, 'run', values.fixtures, positionals.length ? positionals : [root]);
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
    const only = values.only !== undefined ? new Set(values.only) : undefined;
    const selected = all.filter((s) => wanted(s) && (only === undefined || only.has(s.id)));
    if (only !== undefined) {
      const ids = new Set(all.map((s) => s.id));
      const unknown = [...only].filter((id) => !ids.has(id));
      if (unknown.length > 0)
        throw new UsageError(
          `run: --only: no scenario run '${unknown.join("', '")}' (payhil list shows the ids)`,
        );
    }
    if (selected.length === 0) {
      io.err('run: no scenario matches');
      return EXIT_USAGE;
    }
    const scenarios = shard ? shardOf(selected, shard) : selected;
    if (scenarios.length === 0) {
      io.out(`run: shard ${shard?.index}/${shard?.count} of ${selected.length} scenarios is empty`);
      return EXIT_OK;
    }

    const lab =
      values.lab !== undefined || values.bench !== undefined
        ? (await import('./lab-choice.js')).chooseLabBench(values.lab, values.bench, io.cwd)
        : undefined;
    const resultsDir = resolve(io.cwd, values['results-dir'] ?? join('reports', 'allure-results'));
    mkdirSync(resultsDir, { recursive: true });
    setAsideResults(resultsDir);
    const junitFile = values.junit !== undefined ? resolve(io.cwd, values.junit) : undefined;
    const history = values['no-history']
      ? undefined
      : historyRecorder({
          cwd: io.cwd,
          root,
          resultsDir,
          ...(values['history-dir'] !== undefined ? { historyDir: values['history-dir'] } : {}),
          ...(lab ? { labFile: lab.file } : {}),
          ...(junitFile !== undefined ? { junit: junitFile } : {}),
          ...(values.defect ? { defects: values.defect } : {}),
        });
    if (values.queue !== undefined) {
      const { queuedBenchName, runQueued } = await import('./queued-run.js');
      const summary = await runQueued(scenarios, {
        queue: values.queue,
        benchTags: values['bench-tag'] ?? [],
        resultsDir,
        ...(junitFile !== undefined ? { junitFile } : {}),
        ...(retries !== undefined ? { retries } : {}),
        ...(within !== undefined ? { defaultWithinMs: within } : {}),
        ...(queueWait !== undefined ? { noAgentWaitMs: queueWait } : {}),
        ...(queueLost !== undefined ? { redisLossMs: queueLost } : {}),
        ...(values.bail ? { bail: true } : {}),
        ...(history ? { history: history.recorder } : {}),
        seed,
        replayArgs: replayArgsOf(values),
        write: (l) => io.out(l),
      });
      return finishRun(summary, resultsDir, junitFile, values.report === true, io, {
        bench: queuedBenchName(values['bench-tag'] ?? []),
        ...(history ? { history } : {}),
      });
    }
    if (jobs !== undefined) {
      const { runParallel } = await import('./parallel-run.js');
      const summary = await runParallel(scenarios, {
        jobs,
        bench: lab
          ? { kind: 'lab', file: lab.file, ...(lab.bench !== undefined ? { bench: lab.bench } : {}) }
          : {
              kind: 'embedded',
              ...(values.terminal ? { terminal: values.terminal } : {}),
              ...(values.defect ? { defects: values.defect } : {}),
              ...(values['real-time'] ? { realTime: true } : {}),
            },
        resultsDir,
        ...(junitFile !== undefined ? { junitFile } : {}),
        ...(values.bail ? { bail: true } : {}),
        ...(retries !== undefined ? { retries } : {}),
        ...(within !== undefined ? { defaultWithinMs: within } : {}),
        ...(history ? { history: history.recorder } : {}),
        seed,
        replayArgs: replayArgsOf(values),
        write: (l) => io.out(l),
      });
      return finishRun(summary, resultsDir, junitFile, values.report === true, io, {
        ...(history?.recorder.record ? { bench: history.recorder.record.bench.name } : {}),
        ...(history ? { history } : {}),
      });
    }
    const bench: Bench = lab
      ? (await import('../bench/lab-bench.js')).createBenchFromLab(lab.file, lab.bench)
      : createEmbeddedBench({
          ...(values.terminal ? { terminal: values.terminal } : {}),
          ...(values.defect ? { defects: values.defect } : {}),
          ...(values['real-time'] ? { realTime: true } : {}),
        });
    const reporters: RunReporter[] = [
      new ConsoleReporter({ write: (l) => io.out(l) }),
      new AllureWriter({ resultsDir, thread: true }),
    ];
    if (junitFile !== undefined) reporters.push(new JunitWriter(junitFile));
    if (history) reporters.push(history.recorder);
    const summary = await runScenarios(scenarios, {
      bench,
      reporters,
      seed,
      // Reporters stream what they need as each run ends: the summary keeps verdicts only.
      retain: 'verdicts',
      replayArgs: replayArgsOf(values),
      ...(values.bail ? { bail: true } : {}),
      ...(retries !== undefined ? { retries } : {}),
      ...(within !== undefined ? { defaultWithinMs: within } : {}),
    });
    return finishRun(summary, resultsDir, junitFile, values.report === true, io, {
      bench: bench.name,
      ...(history ? { history } : {}),
    });
  },
};

/**
 * Prints where the results are (and the run's id in the history, when recorded), generates the HTML
 * report when asked (with the bench's own Allure history), and gives the exit code.
 */
async function finishRun(
  summary: RunSummary,
  resultsDir: string,
  junitFile: string | undefined,
  report: boolean,
  io: CliIo,
  recorded: { bench?: string; history?: RunHistory } = {},
): Promise<number> {
  const { bench, history } = recorded;
  io.out(`results: ${resultsDir}${junitFile !== undefined ? `; JUnit: ${junitFile}` : ''}`);
  if (history) io.out(historyLine(history));
  if (report) {
    const { generateReport } = await import('../report/allure-report.js');
    const reportDir = resolve(resultsDir, '..', 'allure-report');
    await generateReport({
      resultsDir,
      reportDir,
      ...(history && bench !== undefined ? { historyDir: benchHistoryDir(history.store.where, bench) } : {}),
    });
    io.out(`report: ${join(reportDir, 'index.html')}`);
  }
  return summary.counts.failed + summary.counts.broken > 0 ? EXIT_FAIL : EXIT_OK;
}
