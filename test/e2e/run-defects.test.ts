/**
 * Proof that the catalogue catches the emulator's defect switches: for each switch, a chosen subset of the
 * bundled catalogue runs on an embedded bench with that defect on and at least one scenario must fail;
 * the same subsets all pass with no defect. The embedded benches run on simulated time (their default),
 * so a defect is caught in simulated time as on a real terminal.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { createEmbeddedBench } from '../../harness/bench/index.js';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { DEFECTS, type DefectName } from '../../harness/emulator/index.js';
import { runScenarios } from '../../harness/runner/index.js';
import { loadScenarios, type Scenario } from '../../harness/scenario/index.js';

/** Defect → catalogue scenarios (file, id) expected to catch it. Fast scenarios only. */
const CATCHERS: Record<DefectName, [file: string, id: string][]> = {
  'wrong-entry-mode-fallback': [['card/card-side-failures.yaml', 'card/damaged-chip-fallback']],
  'mac-excludes-field-63': [['account/issuer-declines.yaml', 'account/insufficient-funds']],
  'pin-block-format-1': [['account/issuer-declines.yaml', 'account/insufficient-funds']],
  'transacts-without-sign-in': [['sign-in/not-signed-in.yaml', 'sign-in/not-signed-in']],
  'accepts-expired-card': [['card/card-side-failures.yaml', 'card/expired-card']],
  'no-reversal-on-timeout': [['network/slow-host-timeout.yaml', 'network/slow-host-timeout']],
  'reversal-after-next-txn': [
    ['network/reversal-before-next-transaction.yaml', 'network/reversal-before-next-transaction'],
  ],
  'skip-kcv-check': [['sign-in/bad-key-check-value.yaml', 'sign-in/bad-key-check-value']],
  'ignores-service-code': [['card/card-side-failures.yaml', 'card/chip-card-swiped']],
  'ignores-offline-limit': [
    ['contactless/electronic-cash.yaml', 'contactless/ec-over-terminal-limit-online'],
  ],
  'no-arpc-check': [['purchase/bad-arpc-reversal.yaml', 'purchase/bad-arpc-reversal']],
  'double-submit-on-retry': [['network/slow-host-timeout.yaml', 'network/slow-host-timeout']],
  'slow-kernel': [['contactless/quickpass-speed.yaml', 'contactless/quickpass-speed']],
};

function load(pairs: [string, string][]): Scenario[] {
  const files = [...new Set(pairs.map(([f]) => packagePath('scenarios', ...f.split('/'))))];
  const ids = new Set(pairs.map(([, id]) => id));
  const out = loadScenarios(files, { root: packageRoot() }).filter((s) => ids.has(s.id));
  assert.equal(out.length, ids.size, `scenarios found: ${out.map((s) => s.id).join(', ')}`);
  return out;
}

describe('catalogue against emulator defect switches', function () {
  this.timeout(120000);
  // Each run has its own embedded bench (free ports, its own simulated clock), so the defect runs go
  // side by side.
  const results = new Map<DefectName, Awaited<ReturnType<typeof runScenarios>>>();

  before(async () => {
    await Promise.all(
      (Object.entries(CATCHERS) as [DefectName, [string, string][]][]).map(async ([defect, pairs]) => {
        const bench = createEmbeddedBench({ defects: [defect] });
        assert.equal(bench.facts.time, 'simulated');
        results.set(defect, await runScenarios(load(pairs), { bench }));
      }),
    );
  });

  it('maps every defect switch to catching scenarios', () => {
    assert.deepEqual(Object.keys(CATCHERS).sort(), [...DEFECTS].sort());
  });

  it('with no defect, every catching scenario passes', async () => {
    const scenarios = load(Object.values(CATCHERS).flat());
    const summary = await runScenarios(scenarios, { bench: createEmbeddedBench() });
    for (const r of summary.runs) assert.equal(r.status, 'passed', `${r.scenario.id}: ${r.message ?? ''}`);
  });

  for (const defect of DEFECTS) {
    it(`defect ${defect} makes at least one scenario fail`, () => {
      const summary = results.get(defect);
      assert.ok(summary, `no run for ${defect}`);
      const failed = summary.runs.filter((r) => r.status === 'failed');
      assert.ok(
        failed.length >= 1,
        `no scenario failed with ${defect}: ${summary.runs.map((r) => `${r.scenario.id}=${r.status}`).join(', ')}`,
      );
    });
  }
});
