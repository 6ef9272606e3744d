/**
 * `payhil emulator` as its own process, driven over the ECR link by EcrClient (the cash register side),
 * on TCP (127.0.0.1, port 0) and on a socat pty pair at once, against the real host simulator: sign-in and
 * a chip purchase with PIN (keys and card through test-mode requests), events, receipt, power cycle, a
 * clean SIGTERM. Needs socat (.ci/run installs it).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  EcrClient,
  EcrRemoteError,
  startPtyPair,
  type EcrEvent,
  type PtyPair,
} from '../../harness/emulator/ecr/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import {
  runEmulatorProcess,
  startEmulatorProcess,
  type EmulatorProcess,
} from './emulator-process.test-helper.js';

const MASKED_PAN = '622202*********0017';

describe('e2e: payhil emulator over the ECR link (TCP and socat pty)', function () {
  this.timeout(40000);
  let host: HostHandle;
  let pty: PtyPair;
  let emu: EmulatorProcess;
  let tcp: EcrClient;
  let serial: EcrClient;
  const seen: { tcp: EcrEvent[]; serial: EcrEvent[] } = { tcp: [], serial: [] };

  before(async function () {
    if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) this.skip(); // pending: needs socat
    host = await startHost({ dialect: 'cup' });
    pty = await startPtyPair();
    emu = await startEmulatorProcess([
      '--profile',
      'cup-pos-ci',
      '--host',
      `${host.address.host}:${host.address.port}`,
      '--ecr',
      'tcp:127.0.0.1:0',
      '--ecr',
      `serial:${pty.a}`,
    ]);
    assert.ok(emu.ecrTcp, emu.stdout());
    assert.match(emu.stdout(), /ECR on serial /);
    tcp = await EcrClient.connectTcp(emu.ecrTcp.host, emu.ecrTcp.port);
    serial = await EcrClient.openSerial(pty.b);
    tcp.on('event', (e) => seen.tcp.push(e));
    serial.on('event', (e) => seen.serial.push(e));
  });

  after(async () => {
    await tcp?.close();
    await serial?.close();
    await emu?.stop();
    await pty?.close();
    await host?.close();
  });

  /** A chip purchase with the PIN typed through `key` requests, all over `c`. */
  async function purchase(c: EcrClient, amount: number, ecrReference: string) {
    const result = c.request({ op: 'purchase', amount, ecrReference }, { timeoutMs: 15000 });
    await c.waitForEvent(
      (e) => e.event === 'display' && e.lines.includes('PLEASE INSERT, TAP OR SWIPE CARD'),
    );
    // Wait from before the request: the prompt may be pushed before the answer to `card`.
    const pinPrompt = c.waitForEvent((e) => e.event === 'display' && e.lines.includes('PLEASE ENTER PIN'));
    await c.request({ op: 'card', action: 'insert', card: 'cup-debit' });
    await pinPrompt;
    await c.request({ op: 'key', keys: ['1', '2', '3', '4', '5', '6', 'ENTER'] });
    const r = await result;
    await c.request({ op: 'card', action: 'remove' });
    return r;
  }

  it('prints where it listens and answers status', async () => {
    assert.match(emu.stdout(), /payhil emulator: terminal cup-pos-ci \(pos, cup\), host 127\.0\.0\.1:\d+/);
    const s = await tcp.request({ op: 'status' });
    assert.deepEqual(
      { state: s.state, signedIn: s.signedIn, busy: s.busy, testMode: s.testMode, profile: s.profile },
      { state: 'notSignedIn', signedIn: false, busy: false, testMode: true, profile: 'cup-pos-ci' },
    );
  });

  it('refuses a purchase before sign-in with a failed result, and an unknown transaction with NOT_SUPPORTED', async () => {
    const r = await tcp.request({ op: 'purchase', amount: 100 });
    assert.equal(r.outcome, 'failed');
    assert.equal(r.message, 'PLEASE SIGN IN');
    await assert.rejects(
      tcp.request({ op: 'withdraw', amount: 100 }),
      (e: unknown) => e instanceof EcrRemoteError && e.remoteCode === 'NOT_SUPPORTED',
    );
  });

  it('signs in and buys by chip with PIN over TCP: approved, events on both links, receipt', async () => {
    const s = await tcp.request({ op: 'signIn' });
    assert.equal(s.outcome, 'approved');
    assert.equal(s.responseCode, '00');
    seen.tcp.length = 0;
    seen.serial.length = 0;
    const r = await purchase(tcp, 1234, 'INV-TCP');
    assert.equal(r.outcome, 'approved');
    assert.equal(r.responseCode, '00');
    assert.equal(r.maskedPan, MASKED_PAN);
    assert.equal(r.entryMode?.slice(0, 2), '05');
    assert.equal(r.amount, 1234);
    assert.equal(r.ecrReference, 'INV-TCP');
    assert.ok(r.reference && r.authCode, 'reference and auth code');
    const receipt = await tcp.request({ op: 'readReceipt' });
    assert.ok(receipt.text?.includes(MASKED_PAN), receipt.text ?? 'no receipt');
    const display = await tcp.request({ op: 'readDisplay' });
    assert.deepEqual(display.lines, ['WELCOME']);
    // Pushed events: states, display texts, the receipt and the result, to every attached cash register.
    const kinds = new Set(seen.tcp.map((e) => e.event));
    for (const k of ['state', 'display', 'receipt', 'result', 'indicator'])
      assert.ok(kinds.has(k as never), k);
    const resultEvent = seen.tcp.find((e) => e.event === 'result' && e.result.transaction === 'purchase');
    assert.ok(resultEvent && resultEvent.event === 'result' && resultEvent.result.outcome === 'approved');
    // The serial cash register was told too.
    await eventually(() =>
      seen.serial.some((e) => e.event === 'result' && e.result.ecrReference === 'INV-TCP'),
    );
    const sent = host.journal.entries((e) => e.direction === 'in' && e.mti === '0200');
    assert.equal(sent.length, 1);
    assert.ok(sent[0]?.fields?.['52'], 'PIN block sent');
  });

  it('buys by chip with PIN over the socat pty (serial)', async () => {
    const r = await purchase(serial, 2500, 'INV-PTY');
    assert.equal(r.outcome, 'approved');
    assert.equal(r.maskedPan, MASKED_PAN);
    assert.equal(r.ecrReference, 'INV-PTY');
    assert.equal(host.journal.entries((e) => e.direction === 'in' && e.mti === '0200').length, 2);
  });

  it('cancels a waiting purchase, refuses BUSY while one runs and NO_TRANSACTION afterwards', async () => {
    const p = serial.request({ op: 'purchase', amount: 100 }, { timeoutMs: 15000 });
    await serial.waitForEvent((e) => e.event === 'state' && e.state === 'waitingForCard');
    await assert.rejects(
      tcp.request({ op: 'balance' }),
      (e: unknown) => e instanceof EcrRemoteError && e.remoteCode === 'BUSY',
    );
    await tcp.request({ op: 'cancel' });
    const r = await p;
    assert.equal(r.outcome, 'cancelled');
    await assert.rejects(
      tcp.request({ op: 'cancel' }),
      (e: unknown) => e instanceof EcrRemoteError && e.remoteCode === 'NO_TRANSACTION',
    );
  });

  it('power-cycles: the terminal comes back not signed in', async () => {
    await tcp.request({ op: 'powerCycle' });
    const s = await tcp.request({ op: 'status' });
    assert.equal(s.signedIn, false);
    assert.equal(s.state, 'notSignedIn');
  });

  it('stops cleanly on SIGTERM', async () => {
    const code = await emu.stop();
    assert.equal(code, 0);
    assert.match(emu.stdout(), /payhil emulator: stopped/);
  });

  it('exits 2 with one line for bad arguments', async () => {
    const r = await runEmulatorProcess(['--profile', 'cup-pos-ci', '--host', 'nowhere']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--host must be HOST:PORT/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const d = await runEmulatorProcess([
      '--profile',
      'cup-pos-ci',
      '--host',
      '127.0.0.1:1',
      '--defect',
      'bogus',
    ]);
    assert.equal(d.code, 2);
    assert.match(d.stderr, /unknown --defect 'bogus'/);
  });
});

/** Resolves once `check()` is true; rejects after `timeoutMs` (polls every 20 ms). */
async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
