import { strict as assert } from 'node:assert';
import { encodeFrame } from '../iso8583/index.js';
import { startHost, type HostHandle } from './host-server.js';
import { RC, applyMac, verifyMac } from '../pos-protocol/index.js';
import type { JournalEntry } from './journal.js';
import {
  TEST_PANS,
  TEST_PIN,
  TEST_TERMINAL,
  TEST_TMK,
  testHostConfig,
  TestTerminal,
} from '../testing/index.js';

describe('host/host-server: answers written once per event-loop turn (write coalescing)', function () {
  this.timeout(20000);
  let host: HostHandle;
  const terminals: TestTerminal[] = [];

  const connect = async (stan = 1): Promise<TestTerminal> => {
    const t = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
      stan,
    });
    terminals.push(t);
    return t;
  };
  /** A MACed purchase frame with a PIN block, ready to write. */
  const purchaseFrame = (t: TestTerminal, amount: number): { stan: string; frame: Buffer } => {
    const m = applyMac(
      t.dialect,
      t.build('purchase', { card: { pan: TEST_PANS.credit }, amount, pin: TEST_PIN }),
      t.keys!.mak,
    );
    return { stan: m.fields[11] as string, frame: encodeFrame(t.dialect, m) };
  };

  before(async () => {
    host = await startHost({ dialect: 'cup', config: testHostConfig() });
  });
  afterEach(async () => {
    host.clearRules();
    for (const t of terminals.splice(0)) await t.close();
  });
  after(() => host.close());

  it('answers requests pipelined in one chunk in order, each approved with a MAC that verifies', async () => {
    const t = await connect();
    await t.signIn();
    const sent = [1, 2, 3, 4, 5].map((n) => purchaseFrame(t, n));
    const answers = sent.map(() => t.nextAnswer());
    t.writeRaw(Buffer.concat(sent.map((s) => s.frame)));
    const got = await Promise.all(answers);
    assert.deepEqual(
      got.map((a) => [a.fields[11], a.fields[39], a.macOk]),
      sent.map((s) => [s.stan, RC.APPROVED, true]),
    );
  });

  it('serves many connections whose requests arrive in the same turn, each its own answer', async () => {
    const ts = await Promise.all(Array.from({ length: 16 }, (_, i) => connect(100 * (i + 1))));
    await ts[0]!.signIn();
    const keys = ts[0]!.keys!;
    for (const t of ts) t.keys = keys; // one sign-in, many connections of the same terminal
    const sent = ts.map((t, i) => purchaseFrame(t, 10 + i));
    const answers = ts.map((t) => t.nextAnswer());
    ts.forEach((t, i) => t.writeRaw(sent[i]!.frame));
    const got = await Promise.all(answers);
    assert.deepEqual(
      got.map((a) => [a.fields[11], a.fields[4], a.fields[39], a.macOk]),
      sent.map((s, i) => [s.stan, String(10 + i).padStart(12, '0'), RC.APPROVED, true]),
    );
  });

  it('writes the answers already given on a connection before a rule closes it', async () => {
    const t = await connect();
    await t.signIn();
    // The second purchase of the chunk closes the connection: the first one's answer, computed in the
    // same turn and still waiting to be written, must reach the terminal first.
    host.addRule({ mti: '0200', nth: 2, respond: { close: true } });
    const first = purchaseFrame(t, 7);
    const second = purchaseFrame(t, 8);
    const a1 = t.nextAnswer();
    const a2 = t.nextAnswer();
    t.writeRaw(Buffer.concat([first.frame, second.frame]));
    const answer = await a1;
    assert.deepEqual([answer.fields[11], answer.fields[39], answer.macOk], [first.stan, RC.APPROVED, true]);
    await assert.rejects(a2, /closed/);
    assert.equal(t.closed, true);
  });

  it('journals the answer with its real MAC when the journal formats as it records (listener attached)', async () => {
    const t = await connect();
    await t.signIn();
    const outs: JournalEntry[] = [];
    const onEntry = (e: JournalEntry): void => {
      if (e.direction === 'out' && e.mti === '0210') outs.push(e);
    };
    assert.equal(host.journal.formatsOnRecord, false);
    host.journal.on('entry', onEntry);
    try {
      assert.equal(host.journal.formatsOnRecord, true);
      const { answer } = await t.transact('purchase', { card: { pan: TEST_PANS.credit }, amount: 9 });
      assert.equal(answer.macOk, true);
      assert.equal(outs.length, 1);
      const mac = outs[0]?.fields?.['64'];
      assert.equal(mac, answer.fields[64]);
      assert.notEqual(mac, '0000000000000000');
    } finally {
      host.journal.off('entry', onEntry);
    }
    // Without a listener the journal keeps the frame, and reading it shows the same MAC.
    const { answer } = await t.transact('purchase', { card: { pan: TEST_PANS.credit }, amount: 11 });
    const last = host.journal.entries((e) => e.direction === 'out' && e.mti === '0210').at(-1);
    assert.equal(last?.fields?.['64'], answer.fields[64]);
    assert.equal(verifyMac(t.dialect, answer, t.keys!.mak), true);
  });
});
