/**
 * Runner benchmark on the embedded bench: scenarios per second with Allure results being written
 * (target >= 50/s: a 1,000-scenario regression in under 20 s), and the wall time of a one-scenario
 * `payhil run` in a fresh process (target < 1.5 s). Baseline measured in the same run: the same
 * scenarios through runScenario without mocha or reporters.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmbeddedBench } from '../bench/index.js';
import { packagePath, packageRoot } from '../common/project-root.js';
import { AllureWriter } from '../report/index.js';
import { loadScenarios, type Scenario } from '../scenario/index.js';
import { percentile, report } from '../../test/bench/bench-kit.js';
import { runScenario } from './scenario-run.js';
import { runScenarios } from './run-scenarios.js';

const FILES = ['account/risk-control.yaml', 'card/card-side-failures.yaml', 'network/bad-mac-reversal.yaml'];
const IDS = [
  'account/risk-control',
  'card/unsupported-aid',
  'card/damaged-chip-fallback',
  'network/bad-mac-reversal',
];

const base = loadScenarios(
  FILES.map((f) => packagePath('scenarios', ...f.split('/'))),
  { root: packageRoot() },
).filter((s) => IDS.includes(s.id));

function copies(n: number): Scenario[] {
  const out: Scenario[] = [];
  for (let i = 0; out.length < n; i++)
    for (const s of base) if (out.length < n) out.push({ ...s, id: `${s.id}#${i}` });
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'payhil-run-bench-'));
try {
  // Baseline: the same scenarios, runScenario only.
  const bench0 = createEmbeddedBench();
  await bench0.activate();
  const n0 = 100;
  const t0 = performance.now();
  for (const s of copies(n0)) {
    const r = await runScenario(s, bench0);
    if (r.status !== 'passed') throw new Error(`${s.id}: ${r.status} ${r.message ?? ''}`);
  }
  const baseline = n0 / ((performance.now() - t0) / 1000);
  await bench0.deactivate();

  // Through mocha with Allure writing.
  const n = 400;
  const writer = new AllureWriter({ resultsDir: join(dir, 'results') });
  const t1 = performance.now();
  const summary = await runScenarios(copies(n), { bench: createEmbeddedBench(), reporters: [writer] });
  const secs = (performance.now() - t1) / 1000;
  if (summary.counts.passed !== n) throw new Error(`only ${summary.counts.passed}/${n} passed`);
  const rate = n / secs;

  // One-scenario `payhil run` in a fresh process (wall time: spawn to exit).
  const runCommandUrl = new URL('../cli/run-command.js', import.meta.url).href;
  const scenario = packagePath('scenarios', 'account', 'risk-control.yaml');
  const script = `import { runCommand } from ${JSON.stringify(runCommandUrl)};
const io = { out() {}, err(t) { process.stderr.write(t + '\\n'); }, cwd: ${JSON.stringify(dir)} };
process.exitCode = await runCommand.run([${JSON.stringify(scenario)}, '--root', ${JSON.stringify(packageRoot())}, '--results-dir', 'one'], io);`;
  const walls: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: dir,
    });
    walls.push(performance.now() - start);
    if (r.status !== 0) throw new Error(`payhil run exited ${r.status}: ${r.stderr}`);
  }
  const wall = percentile(walls, 50);

  report({
    bench: 'runner',
    figures: [
      {
        name: 'scenarios/s, mocha + Allure writing',
        value: rate,
        unit: 'scenarios/s',
        target: '>= 50',
        met: rate >= 50,
      },
      { name: 'scenarios/s, runScenario only (baseline)', value: baseline, unit: 'scenarios/s' },
      { name: 'mocha + Allure overhead vs baseline', value: baseline / rate, unit: 'x' },
      {
        name: '1,000-scenario regression (extrapolated)',
        value: 1000 / rate,
        unit: 's',
        target: '< 20',
        met: 1000 / rate < 20,
      },
      {
        name: 'one-scenario payhil run wall time (median of 5)',
        value: wall,
        unit: 'ms',
        target: '< 1500',
        met: wall < 1500,
      },
    ],
    notes: [
      `${n} scenarios (${IDS.join(', ')} repeated) on the embedded bench: emulated terminal, virtual cards, fault proxy, host simulator`,
      `wall time includes node start-up, module loading, scenario loading and bench start; script: ${fileURLToPath(import.meta.url)}`,
    ],
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
