import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { BrokenError, InactiveDriverError, type Observation } from '../../capabilities/index.js';
import { loadTerminalProfile, type TerminalEvent } from '../../emulator/index.js';
import { startHost, type HostHandle } from '../../host/index.js';
import type { Scenario } from '../../scenario/index.js';
import { EmulatedTerminalDriver } from './emulated-terminal-driver.js';
import { observationOfTerminalEvent } from './terminal-observations.js';

const SCENARIO = { bench: {} } as unknown as Scenario;

describe('EmulatedTerminalDriver', () => {
  let host: HostHandle;
  before(async () => {
    host = await startHost({ dialect: 'cup' });
  });
  after(async () => {
    await host.close();
  });

  const driver = (): EmulatedTerminalDriver =>
    new EmulatedTerminalDriver({
      defaultProfile: 'cup-pos-ci',
      loadProfile: (name) => loadTerminalProfile(name),
      hostTarget: () => host.address,
    });

  it('refuses calls while inactive, and before a scenario gave it a terminal (broken)', async () => {
    const d = driver();
    await assert.rejects(d.keypad.press('1'), InactiveDriverError);
    await assert.rejects(
      d.terminal.status(),
      (e: unknown) => e instanceof InactiveDriverError && e.verdict === 'broken',
    );
    await d.activate();
    await assert.rejects(
      d.display.text(),
      (e: unknown) => e instanceof BrokenError && /scenario has not begun/.test(e.message),
    );
    await d.deactivate();
  });

  it('starts a transaction through the operation table and reports the terminal on the timeline', async () => {
    const d = driver();
    const seen: Observation[] = [];
    d.observe((o) => seen.push(o));
    await d.activate();
    await d.beginScenario(SCENARIO);
    try {
      await d.terminal.start('signIn');
      await d.terminal.idle(10_000);
      const result = seen.find((o) => o.kind === 'result');
      assert.equal((result?.data.result as { outcome?: string } | undefined)?.outcome, 'approved');
      assert.ok(seen.some((o) => o.kind === 'state'));
      assert.equal((await d.terminal.status()).signedIn, true);
      assert.ok(host.journal.entries((e) => e.direction === 'in' && e.mti === '0800').length > 0);
    } finally {
      await d.endScenario();
      await d.deactivate();
    }
    await assert.rejects(d.terminal.status(), InactiveDriverError);
  });

  it('keeps indicator and device events off the timeline', () => {
    const base = { at: 1, seq: 1 };
    assert.equal(
      observationOfTerminalEvent({ ...base, type: 'indicator', beep: 1 } as TerminalEvent),
      undefined,
    );
    assert.deepEqual(observationOfTerminalEvent({ ...base, type: 'note', text: 'hi' } as TerminalEvent), {
      kind: 'note',
      at: 1,
      data: { text: 'hi' },
    });
  });
});
