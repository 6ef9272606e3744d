/**
 * The embedded bench's simulated time gives the verdicts real time gives: the whole bundled catalogue
 * runs once on simulated time (the default) and once with real time (`realTime`, what `--real-time`
 * asks for), and every scenario must end the same way in both. The real-time run takes as long as the
 * catalogue's waits (about 2 minutes on the 2-core CI machine).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { createEmbeddedBench } from '../../harness/bench/index.js';
import { SimulatedClock } from '../../harness/common/index.js';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { runScenarios } from '../../harness/runner/index.js';
import { findYamlFiles, loadScenarios } from '../../harness/scenario/index.js';

describe('simulated time on the embedded bench', function () {
  this.timeout(600000);

  it('gives the same verdict as real time for every scenario of the catalogue', async () => {
    const { files } = findYamlFiles([packagePath('scenarios')], packageRoot());
    const scenarios = loadScenarios(files, { root: packageRoot() });
    assert.ok(scenarios.length > 50, `catalogue: ${scenarios.length} runs`);

    const clock = new SimulatedClock();
    const simulated = await runScenarios(scenarios, { bench: createEmbeddedBench({ clock }) });
    const realBench = createEmbeddedBench({ realTime: true });
    assert.equal(realBench.facts.time, 'real');
    const real = await runScenarios(scenarios, { bench: realBench });

    const verdicts = (s: typeof real): string[] => s.runs.map((r) => `${r.scenario.id}: ${r.status}`);
    assert.deepEqual(verdicts(simulated), verdicts(real));
    // Not a vacuous equality: the catalogue passes, and simulated time really moved.
    assert.equal(simulated.counts.failed + simulated.counts.broken, 0, JSON.stringify(simulated.counts));
    assert.ok(clock.stats().elapsedMs > 60000, `simulated ${clock.stats().elapsedMs} ms`);
  });
});
