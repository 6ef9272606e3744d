import { resolve } from 'node:path';
import {
  FAIL_ON,
  diffJson,
  diffMarkdown,
  diffRuns,
  diffText,
  gateFindings,
  loadRunView,
  RedisHistoryStore,
  viewOfRecord,
  type FailOn,
  type HistoryStore,
  type RunRecord,
  type RunView,
} from '../report/index.js';
import { connectRedis, parseRedisAddress } from '../lab/index.js';
import { EXIT_FAIL, EXIT_OK, type CliIo, type Command } from './command.js';
import { parseCommandArgs } from './command-args.js';
import { historyStoreOf } from './run-history.js';
import { UsageError } from './usage-error.js';

const HELP = `usage: payhil diff [BASE] [HEAD] [options]

What changed between two runs: new failures, fixed, still failing (same or changed failure fingerprint),
new and removed scenarios, flaky scenarios, duration regressions.

BASE and HEAD are each a run id of the history (YYYYMMDD-HHMMSS-xxxx), an Allure results folder or a JUnit
XML file. Default: the last two runs of the bench in the history (the bench of the latest run, or --bench);
with one argument, HEAD is the latest run of its bench.

  --history-dir DIR   the run history (default reports/history)
  --queue URL         the lab's run history on Redis (redis://…; where --queue runs also record)
  --bench NAME        the bench whose runs are the defaults and the flaky window
  --markdown          Markdown (a pull-request comment) instead of the table
  --json              JSON instead of the table
  --fail-on LIST      what makes the exit status 1, comma-separated: new-failures (default), still-failing,
                      flaky, slower, removed; 'none' never
  --flaky-window N    flaky by status flips: passed/failed change twice or more in the last N runs of the
                      bench (default 5); flaky by retry: passed on a retry
  --slower RATIO      a passed scenario is slower when it took RATIO times as long… (default 1.5)
  --slower-ms MS      …and at least MS longer (default 1000)

Exit status: 0 nothing --fail-on names, 1 something it names (e.g. a new failure), 2 usage error.`;

function positiveNumber(text: string | undefined, what: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)) || n > 1e9)
    throw new UsageError(`diff: ${what} must be a positive ${integer ? 'whole ' : ''}number, got '${text}'`);
  return n;
}

function failOnOf(text: string | undefined): FailOn[] {
  if (text === undefined) return ['new-failures'];
  const words = text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  if (words.length === 1 && words[0] === 'none') return [];
  for (const w of words)
    if (!(FAIL_ON as readonly string[]).includes(w))
      throw new UsageError(`diff: --fail-on: '${w}' is not one of ${FAIL_ON.join(', ')}, none`);
  return words as FailOn[];
}

/** The two sides: as named, or the last runs of the bench. */
async function sides(
  specs: string[],
  cwd: string,
  store: HistoryStore,
  bench: string | undefined,
): Promise<[RunView, RunView]> {
  const named = await Promise.all(specs.map((s) => loadRunView(s, resolve(cwd, s), store)));
  if (named.length === 2) return named as [RunView, RunView];
  const benchOf = bench ?? named[0]?.bench ?? (await store.list()).at(-1)?.bench.name;
  const runs = await store.list(benchOf !== undefined ? { bench: benchOf } : {});
  if (named.length === 1) {
    const head = runs.at(-1);
    if (!head)
      throw new UsageError(`diff: no run of bench '${benchOf ?? '?'}' in ${store.where} to compare with`);
    return [named[0] as RunView, viewOfRecord(head)];
  }
  if (runs.length < 2)
    throw new UsageError(
      `diff: ${runs.length === 0 ? 'no runs' : 'one run'}${benchOf ? ` of bench '${benchOf}'` : ''} in ${store.where}; name BASE and HEAD (run ids, results folders or JUnit files)`,
    );
  return [viewOfRecord(runs.at(-2)!), viewOfRecord(runs.at(-1)!)];
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'what changed between two runs: new failures, fixed, flaky, slower (a CI gate)',
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('diff', {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'history-dir': { type: 'string' },
        queue: { type: 'string' },
        bench: { type: 'string' },
        markdown: { type: 'boolean' },
        json: { type: 'boolean' },
        'fail-on': { type: 'string' },
        'flaky-window': { type: 'string' },
        slower: { type: 'string' },
        'slower-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (positionals.length > 2)
      throw new UsageError(`diff: at most BASE and HEAD, got ${positionals.length} arguments`);
    if (values.markdown && values.json) throw new UsageError('diff: --markdown or --json, not both');
    const failOn = failOnOf(values['fail-on']);
    const flakyWindow = positiveNumber(values['flaky-window'], '--flaky-window', true);
    const slowerRatio = positiveNumber(values.slower, '--slower', false);
    const slowerMinMs = positiveNumber(values['slower-ms'], '--slower-ms', false);
    if (flakyWindow !== undefined && flakyWindow < 2)
      throw new UsageError('diff: --flaky-window must be 2 or more');

    if (values.queue !== undefined && values['history-dir'] !== undefined)
      throw new UsageError('diff: --queue or --history-dir, not both');
    // --queue URL: the lab's history on Redis (queued runs), else the history folder.
    const redis =
      values.queue !== undefined ? await connectRedis(parseRedisAddress(values.queue)) : undefined;
    redis?.on('error', () => undefined);
    let base: RunView;
    let head: RunView;
    let history: RunRecord[];
    try {
      const store: HistoryStore = redis
        ? new RedisHistoryStore(redis, parseRedisAddress(values.queue as string).display)
        : historyStoreOf(io.cwd, values['history-dir']);
      [base, head] = await sides(positionals, io.cwd, store, values.bench);
      const benchOf = values.bench ?? head.bench ?? base.bench;
      history = await store.list(benchOf !== undefined ? { bench: benchOf } : {});
    } finally {
      redis?.disconnect();
    }
    const d = diffRuns(base, head, {
      history,
      ...(flakyWindow !== undefined ? { flakyWindow } : {}),
      ...(slowerRatio !== undefined ? { slowerRatio } : {}),
      ...(slowerMinMs !== undefined ? { slowerMinMs } : {}),
    });
    const findings = gateFindings(d, failOn);
    io.out(values.json ? diffJson(d, { failOn, findings }) : values.markdown ? diffMarkdown(d) : diffText(d));
    return findings.length > 0 ? EXIT_FAIL : EXIT_OK;
  },
};
