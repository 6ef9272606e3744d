import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { SimulatedClock } from '../common/simulated-clock.js';
import { card, payWith, startRig } from './emulator-test-kit.test-helper.js';

describe('card-read timing of the terminal profile (simulated clock)', function () {
  this.timeout(20000);

  it('charges each contact APDU 10 ms and a GENERATE AC 20 ms more, on the terminal clock', async () => {
    const clock = new SimulatedClock({ startAt: Date.UTC(2026, 0, 1) });
    const rig = await startRig({ clock });
    try {
      const since = rig.terminal.events.history().at(-1)?.seq ?? 0;
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(1000), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r.outcome, 'approved', r.message);
      const apdus = rig.terminal.events
        .history()
        .filter((e) => e.seq > since)
        .flatMap((e) => (e.type === 'apdu' ? [e] : []));
      assert.ok(apdus.length >= 5, `${apdus.length} APDUs`);
      for (const a of apdus) {
        const ins = a.command.slice(2, 4);
        assert.equal(a.ms, ins === 'AE' || ins === '88' ? 30 : 10, `${a.command.slice(0, 10)}: ${a.ms} ms`);
      }
      assert.ok(
        apdus.some((a) => a.command.slice(2, 4) === 'AE'),
        'a GENERATE AC was sent',
      );
    } finally {
      await rig.close();
    }
  });
});
