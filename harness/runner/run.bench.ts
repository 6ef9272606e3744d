/**
 * Run benchmark on the embedded bench, on the corpus a user runs: the bundled catalogue itself (and, with
 * PAYHIL_BENCH_FULL=1, a 16× copy of it, ids prefixed x01/…x16/). Measured in one process, interleaved,
 * after three warm-up passes of each way on the catalogue:
 *
 * - `simulated`: the full `payhil run` path in process (scenario loading, mocha, console, Allure results,
 *   JUnit; the command's own code) on the embedded bench's default simulated time;
 * - `real-time`: the same with `--real-time` (every wait takes its real duration);
 * - `bare`: the same scenario files loaded, then `runScenario` alone on one simulated-time bench (no mocha,
 *   no reporters).
 *
 * The overhead of mocha + Allure + JUnit is `simulated` over `bare`, in wall time and in CPU time; what
 * simulated time saves is `real-time` over `simulated`. Ways are chosen with PAYHIL_BENCH_WAYS (default
 * all three). Also measured: the wall time of a
 * one-scenario `payhil run` in a fresh process against `npx mocha --version`, and RSS (after a forced GC)
 * at 100 and 1,000 runs of a 1,000-run corpus in a child process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBench, type EmbeddedBenchOptions } from '../bench/index.js';
import { memoryIo } from '../cli/command.js';
import { runCommand } from '../cli/run-command.js';
import { packagePath, packageRoot } from '../common/project-root.js';
import { findYamlFiles } from '../scenario/find-files.js';
import { loadScenarioFiles } from '../scenario/loader.js';
import type { Scenario } from '../scenario/index.js';
import { percentile, report, type BenchFigure } from '../../test/bench/bench-kit.js';
import { writeCatalogueCopies, writeMatrixCorpus } from '../../test/bench/catalogue-copies.js';
import { runScenario, type Status } from './scenario-run.js';

/** A way to run the corpus: the path and the embedded bench's options. */
interface Way {
  /** `full`: the `payhil run` path; `bare`: runScenario only. */
  path: 'full' | 'bare';
  bench: EmbeddedBenchOptions;
  /** Extra `payhil run` arguments of a full-path way. */
  args: string[];
}
const WAYS: Record<string, Way> = {
  simulated: { path: 'full', bench: {}, args: [] },
  'real-time': { path: 'full', bench: { realTime: true }, args: ['--real-time'] },
  bare: { path: 'bare', bench: {}, args: [] },
};
const SEED = 20261206;
/** Rounds of the catalogue passes (each way's figure is its median pass). */
const ROUNDS = 11;
/**
 * Warm-up passes of each way: the `payhil run` path has more code for V8 to optimise (mocha, reporters,
 * rendering), and its CPU per pass still fell over the first three or four passes.
 */
const WARM_UP = 3;

const wanted = (process.env.PAYHIL_BENCH_WAYS ?? 'simulated,real-time,bare').split(',').filter((w) => w);
for (const w of wanted)
  if (!WAYS[w]) throw new Error(`PAYHIL_BENCH_WAYS: no way '${w}' (${Object.keys(WAYS).join(', ')})`);
const full = process.env.PAYHIL_BENCH_FULL === '1';

interface Pass {
  way: string;
  corpus: string;
  runs: number;
  wallMs: number;
  cpuMs: number;
  counts: Record<Status, number>;
}

function load(dir: string): Scenario[] {
  const { files } = findYamlFiles(['scenarios'], dir);
  return loadScenarioFiles(files, { root: dir }).scenarios;
}

/** Where full-path passes write their Allure results and JUnit XML (never into the corpus). */
let outDir = tmpdir();

async function pass(
  wayName: string,
  corpus: string,
  dir: string,
  scenarios: readonly Scenario[],
): Promise<Pass> {
  const way = WAYS[wayName] as Way;
  const counts: Record<Status, number> = { passed: 0, failed: 0, broken: 0, skipped: 0 };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (way.path === 'full') {
    const io = memoryIo(dir);
    await runCommand.run(
      [
        'scenarios',
        '--seed',
        String(SEED),
        '--results-dir',
        join(outDir, 'results'),
        '--junit',
        join(outDir, 'junit.xml'),
        '--no-history',
        ...way.args,
      ],
      io,
    );
    const total = /^total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(io.stdout.join('\n'));
    if (!total) throw new Error(`payhil run printed no total: ${io.stderr.join('\n')}`);
    [counts.passed, counts.failed, counts.broken, counts.skipped] = total.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
    ];
  } else {
    // Loading the scenarios is part of both ways: the overhead measured is mocha's and the reporters'.
    const loaded = load(dir);
    const bench = createEmbeddedBench(way.bench);
    await bench.activate();
    try {
      for (const s of loaded) counts[(await runScenario(s, bench, { seed: SEED })).status]++;
    } finally {
      await bench.deactivate();
    }
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  return { way: wayName, corpus, runs: scenarios.length, wallMs, cpuMs: (c.user + c.system) / 1000, counts };
}

function median(f: () => void, n: number): number {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return percentile(xs, 50);
}

const work = mkdtempSync(join(tmpdir(), 'payhil-run-bench-'));
outDir = join(work, 'out');
try {
  const figures: BenchFigure[] = [];
  const notes: string[] = [];
  const corpora: { name: string; dir: string; scenarios: Scenario[] }[] = [
    { name: 'catalogue', dir: packageRoot(), scenarios: load(packageRoot()) },
  ];
  if (full) {
    const dir = join(work, 'x16');
    writeCatalogueCopies(dir, 16);
    corpora.push({ name: 'catalogue ×16', dir, scenarios: load(dir) });
  }

  // Warm-up: every way but real time on the catalogue (module loading, JIT, first bench start).
  for (let i = 0; i < WARM_UP; i++)
    for (const w of wanted.filter((x) => x !== 'real-time'))
      await pass(w, 'warm-up', packageRoot(), corpora[0]?.scenarios ?? []);

  // Interleaved: for each corpus, rounds of every way one after the other, in reverse order every other
  // round (a pass does not always follow the same way, whose garbage it might collect); the real-time
  // way once (it waits a minute and more). Each way's figure is its median pass.
  const passes: Pass[] = [];
  for (const c of corpora) {
    const rounds = c.name === 'catalogue' ? ROUNDS : 1;
    // The 16× copy warms up once too: its first pass would create its 6,900 result files, where later
    // runs of a results folder write into the last run's (harness/report/results-dir.ts).
    if (c.name !== 'catalogue')
      for (const w of wanted.filter((x) => x !== 'real-time')) await pass(w, 'warm-up', c.dir, c.scenarios);
    for (let round = 0; round < rounds; round++) {
      for (const w of round % 2 === 0 ? wanted : [...wanted].reverse()) {
        if (w === 'real-time' && round > 0) continue;
        const p = await pass(w, c.name, c.dir, c.scenarios);
        passes.push(p);
        console.log(
          `  ${c.name} ${w}: ${p.runs} runs in ${(p.wallMs / 1000).toFixed(2)} s wall, ${(p.cpuMs / 1000).toFixed(2)} s CPU; ${JSON.stringify(p.counts)}`,
        );
      }
    }
    const medianPass = (way: string): Pass | undefined => {
      const ps = passes.filter((p) => p.corpus === c.name && p.way === way);
      if (ps.length === 0) return undefined;
      return {
        ...(ps[0] as Pass),
        wallMs: percentile(
          ps.map((p) => p.wallMs),
          50,
        ),
        cpuMs: percentile(
          ps.map((p) => p.cpuMs),
          50,
        ),
      };
    };
    for (const w of wanted) {
      const p = medianPass(w) as Pass;
      figures.push(
        { name: `${c.name}, ${w}: wall`, value: p.wallMs / 1000, unit: 's' },
        { name: `${c.name}, ${w}: scenarios/s`, value: p.runs / (p.wallMs / 1000), unit: 'scenarios/s' },
        { name: `${c.name}, ${w}: CPU`, value: p.cpuMs / 1000, unit: 's' },
      );
    }
    const sim = medianPass('simulated');
    const real = medianPass('real-time');
    const bare = medianPass('bare');
    if (sim) {
      // Issue 17's targets: the catalogue under 5 s, its 16× copy under 60 s (Allure and JUnit written).
      const limit = c.name === 'catalogue' ? 5 : 60;
      figures.push({
        name: `${c.name}, simulated: wall against its target`,
        value: sim.wallMs / 1000,
        unit: 's',
        target: `< ${limit}`,
        met: sim.wallMs / 1000 < limit,
      });
    }
    if (sim && real)
      figures.push({
        name: `${c.name}: real time / simulated time, wall`,
        value: real.wallMs / sim.wallMs,
        unit: 'x',
      });
    if (sim && bare) {
      // Each round's full pass over the bare pass run just after it; the median of those ratios.
      const of = (way: string): Pass[] => passes.filter((p) => p.corpus === c.name && p.way === way);
      const pairs = of('simulated').map((p, i) => [p, of('bare')[i] as Pass] as const);
      const ratio = (f: (p: Pass) => number): number =>
        percentile(
          pairs.map(([a, b]) => f(a) / f(b)),
          50,
        );
      const wall = ratio((p) => p.wallMs);
      figures.push(
        {
          name: `${c.name}: mocha + Allure + JUnit overhead, wall (median of ${pairs.length} rounds)`,
          value: wall,
          unit: 'x',
          target: '<= 1.2',
          met: wall <= 1.2,
        },
        {
          name: `${c.name}: mocha + Allure + JUnit overhead, CPU`,
          value: ratio((p) => p.cpuMs),
          unit: 'x',
        },
      );
    }
  }

  // One-scenario `payhil run` in a fresh process against `npx mocha --version`, interleaved.
  const bin = packagePath('dist', 'harness', 'cli', 'bin.js');
  const one = join(work, 'one');
  writeMatrixCorpus(one, 1);
  const runs: number[] = [];
  const mochas: number[] = [];
  for (let i = 0; i < 5; i++) {
    runs.push(
      median(() => {
        const r = spawnSync(
          process.execPath,
          [bin, 'run', 'scenarios', '--results-dir', 'r', '--no-history'],
          {
            cwd: one,
            encoding: 'utf8',
          },
        );
        if (r.status !== 0) throw new Error(`payhil run exited ${r.status}: ${r.stdout}${r.stderr}`);
      }, 1),
    );
    mochas.push(
      median(() => {
        const r = spawnSync('npx', ['mocha', '--version'], { cwd: packageRoot(), encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`npx mocha --version exited ${r.status}`);
      }, 1),
    );
  }
  const oneWall = percentile(runs, 50);
  const mochaWall = percentile(mochas, 50);
  figures.push(
    { name: 'one-scenario payhil run wall (median of 5)', value: oneWall, unit: 'ms' },
    { name: 'npx mocha --version wall (median of 5)', value: mochaWall, unit: 'ms' },
    {
      name: 'one-scenario payhil run / npx mocha --version',
      value: oneWall / mochaWall,
      unit: 'x',
      target: '<= 1.2',
      met: oneWall / mochaWall <= 1.2,
    },
  );

  // RSS at 100 and 1,000 runs, in a child process running the corpus as `payhil run` does.
  const many = join(work, 'many');
  writeMatrixCorpus(many, 1000);
  const probe = spawnSync(
    process.execPath,
    ['--expose-gc', packagePath('dist', 'test', 'bench', 'rss-probe.js'), many, '100,1000'],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (probe.status !== 0) throw new Error(`rss probe exited ${probe.status}: ${probe.stderr}`);
  const { samples } = JSON.parse(probe.stdout.trim().split('\n').pop() as string) as {
    samples: { runs: number; rssMiB: number; heapMiB: number }[];
  };
  const at = (n: number): { rssMiB: number; heapMiB: number } =>
    samples.find((s) => s.runs === n) ?? { rssMiB: NaN, heapMiB: NaN };
  figures.push(
    { name: 'RSS after 100 runs', value: at(100).rssMiB, unit: 'MiB' },
    { name: 'RSS after 1,000 runs', value: at(1000).rssMiB, unit: 'MiB' },
    {
      name: 'RSS growth 100 → 1,000 runs',
      value: at(1000).rssMiB - at(100).rssMiB,
      unit: 'MiB',
      target: '< 30',
      met: at(1000).rssMiB - at(100).rssMiB < 30,
    },
    { name: 'heap growth 100 → 1,000 runs', value: at(1000).heapMiB - at(100).heapMiB, unit: 'MiB' },
  );

  notes.push(
    `ways: ${wanted.join(', ')} (PAYHIL_BENCH_WAYS); corpora: ${corpora.map((c) => `${c.name} (${c.scenarios.length} runs)`).join(', ')}${full ? '' : '; the 16× copy with PAYHIL_BENCH_FULL=1'}`,
    'real time: most of a pass is the scenarios waiting (none windows, profile timeouts, host delays, toxics); simulated time jumps over those waits; the CPU ratio shows what mocha + Allure + JUnit cost',
    'RSS corpus: 1,000 runs of a sign-in and a declined chip purchase (matrix), Allure + JUnit + history writing, summary keeping verdicts only',
    `seed ${SEED} in every pass`,
  );
  report({ bench: 'runner', figures, notes });
} finally {
  rmSync(work, { recursive: true, force: true });
}
