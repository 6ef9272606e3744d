/**
 * PC/SC reader mode: `payhil emulator --reader vpcd` reads its cards through pcscd + vsmartcard vpcd, and
 * this test presents a virtual card on vpcd (`serveCardOnVpcd`), exactly as a card put into a real
 * reader. The purchase is driven over the ECR link (TCP on 127.0.0.1) against the real host simulator.
 * Needs pcscd and vsmartcard-vpcd (.ci/run installs them); pcscd is started when it is not running.
 */
import { strict as assert } from 'node:assert';
import { createVirtualCard, serveCardOnVpcd, type VpcdHandle } from '../../harness/cards/index.js';
import { ensurePcscd, missingVpcdStack } from '../../harness/drivers/pcsc/index.js';
import { EcrClient } from '../../harness/emulator/ecr/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-process.test-helper.js';
import type { VpcdLock } from '../../harness/drivers/pcsc/index.js';
import { holdVpcd, VPCD_WAIT_BUDGET_MS } from './vpcd-lock.test-helper.js';

describe('e2e: payhil emulator reading cards through pcscd + vpcd', function () {
  this.timeout(40000);
  let host: HostHandle;
  let emu: EmulatorProcess;
  let ecr: EcrClient;
  let handle: VpcdHandle | undefined;

  let vpcd: VpcdLock | undefined;

  before(async function () {
    const missing = missingVpcdStack();
    assert.equal(missing, undefined, `needs ${missing} (.ci/run installs them)`);
    ensurePcscd(); // daemonises; left running for later tests
    this.timeout(VPCD_WAIT_BUDGET_MS);
    vpcd = await holdVpcd('emulator-pcsc');
    host = await startHost({ dialect: 'cup' });
    emu = await startEmulatorProcess([
      '--profile',
      'cup-pos-ci',
      '--host',
      `${host.address.host}:${host.address.port}`,
      '--ecr',
      'tcp:127.0.0.1:0',
      '--reader',
      'vpcd',
      '--sign-in',
    ]);
    assert.match(emu.stdout(), /reading cards through PC\/SC reader 'Virtual PCD 00 00'/);
    assert.match(emu.stdout(), /sign-in approved \(00\)/);
    assert.ok(emu.ecrTcp);
    ecr = await EcrClient.connectTcp(emu.ecrTcp.host, emu.ecrTcp.port);
  });

  afterEach(async () => {
    await handle?.close();
    handle = undefined;
  });

  after(async () => {
    await handle?.close();
    await ecr?.close();
    await emu?.stop();
    await host?.close();
    vpcd?.release();
  });

  it('buys by chip with PIN, the card read over PC/SC (contact)', async () => {
    const card = createVirtualCard('cup-debit');
    const atcBefore = card.snapshot().atc;
    const result = ecr.request({ op: 'purchase', amount: 4321 }, { timeoutMs: 20000 });
    await ecr.waitForEvent((e) => e.event === 'state' && e.state === 'waitingForCard');
    const pinPrompt = ecr.waitForEvent(
      (e) => e.event === 'display' && e.lines.includes('PLEASE ENTER PIN'),
      10000,
    );
    handle = await serveCardOnVpcd(card, { via: 'contact' });
    await pinPrompt;
    await ecr.request({ op: 'key', keys: ['1', '2', '3', '4', '5', '6', 'ENTER'] });
    const r = await result;
    assert.equal(r.outcome, 'approved', JSON.stringify(r));
    assert.equal(r.responseCode, '00');
    assert.equal(r.maskedPan, '622202*********0017');
    assert.equal(r.entryMode?.slice(0, 2), '05');
    // The APDUs really went to this card through pcscd: its ATC moved and vpcd counted the exchanges.
    assert.equal(card.snapshot().atc, atcBefore + 1);
    assert.ok(handle.apduCount >= 6, `APDUs through vpcd: ${handle.apduCount}`);
    const req = host.journal.entries((e) => e.direction === 'in' && e.mti === '0200').at(-1);
    assert.ok(req?.fields?.['55'], 'field 55 (ICC data) sent');
    // Taking the card out of the reader takes it out of the terminal.
    const idle = ecr.waitForEvent((e) => e.event === 'state' && e.state === 'idle', 10000);
    await handle.close();
    handle = undefined;
    await idle;
  });

  it('taps a card presented contactless on the reader', async () => {
    const card = createVirtualCard('cup-debit');
    const result = ecr.request({ op: 'purchase', amount: 50 }, { timeoutMs: 20000 });
    await ecr.waitForEvent((e) => e.event === 'state' && e.state === 'waitingForCard');
    handle = await serveCardOnVpcd(card, { via: 'contactless' });
    const r = await result;
    assert.equal(r.outcome, 'approved', JSON.stringify(r));
    assert.equal(r.entryMode?.slice(0, 2), '07');
    assert.ok(handle.apduCount >= 3, `APDUs through vpcd: ${handle.apduCount}`);
  });
});
