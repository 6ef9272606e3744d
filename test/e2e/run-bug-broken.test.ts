/**
 * A bug inside payhil surfaces as *broken* with its stack in the report, never as a decline: a catalogue
 * chip purchase runs on an embedded bench whose virtual cards' transport is stubbed to throw a TypeError
 * mid-read (a defect-like stubbed dependency). The run must be broken, its message the bug's, its stack
 * in the run and in the JUnit <error>, and no `declined` result on the timeline.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import { createEmbeddedBench } from '../../harness/bench/index.js';
import { EmvVirtualCard } from '../../harness/cards/index.js';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { junitXml } from '../../harness/report/index.js';
import { runScenarios } from '../../harness/runner/index.js';
import { loadScenarios } from '../../harness/scenario/index.js';

describe('e2e: a payhil bug is broken with its stack, not declined', function () {
  this.timeout(60000);
  const realTransmit = EmvVirtualCard.prototype.transmit;
  afterEach(() => {
    EmvVirtualCard.prototype.transmit = realTransmit;
  });

  it('a TypeError thrown mid-read breaks the run; the stack reaches the run and the JUnit report', async () => {
    const [scenario] = loadScenarios([packagePath('scenarios', 'purchase', 'chip-pin-approved.yaml')], {
      root: packageRoot(),
    });
    assert.ok(scenario, 'the catalogue has the chip purchase');
    let calls = 0;
    EmvVirtualCard.prototype.transmit = function stubbedTransmit(this: EmvVirtualCard, apdu: Uint8Array) {
      if (++calls === 3) throw new TypeError('stubbed card transport: bytes is undefined');
      return realTransmit.call(this, apdu);
    };
    const summary = await runScenarios([scenario], { bench: createEmbeddedBench() });
    const run = summary.runs[0];
    assert.ok(run);
    assert.ok(calls >= 3, 'the stub was reached');
    assert.equal(run.status, 'broken', `${run.status}: ${run.message ?? ''}`);
    assert.equal(run.message, 'internal error: stubbed card transport: bytes is undefined');
    assert.match(run.stack ?? '', /^TypeError: stubbed card transport/);
    assert.match(run.stack ?? '', /stubbedTransmit/, 'the stack shows where the bug was thrown');
    const purchases = run.timeline
      .entries('result')
      .filter((e) => (e.data.result as { transaction?: string } | undefined)?.transaction === 'purchase');
    assert.deepEqual(purchases, [], 'a bug is no transaction outcome');
    const xml = junitXml(summary.runs);
    assert.match(xml, /<error message="internal error: stubbed card transport: bytes is undefined"/);
    assert.match(xml, /TypeError: stubbed card transport: bytes is undefined\n\s+at \S*stubbedTransmit/);
  });
});
