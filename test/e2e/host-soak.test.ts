/**
 * Soak: 10,000 transactions from 50 concurrent connections on shared accounts, with random reversals
 * (some sent twice). Afterwards every balance equals its opening balance minus the approved,
 * unreversed amounts — exactly — and the settlement totals agree.
 */
import { strict as assert } from 'node:assert';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import { seededRandom as prng } from '../../harness/common/seeded-random.js';
import {
  TEST_PIN,
  TEST_TERMINAL,
  TEST_TMK,
  testHostConfig,
  TestTerminal,
} from '../../harness/testing/index.js';

const CONNECTIONS = 50;
const TRANSACTIONS = 10000;
const PANS = [
  '6222000000000100001',
  '6222000000000100002',
  '6222000000000100003',
  '6222000000000100004',
  '6222000000000100005',
];
const TIGHT = '6222000000000100006';

describe('host e2e: soak (10,000 transactions, 50 connections, random reversals)', function () {
  this.timeout(120000);
  let host: HostHandle;
  const terminals: TestTerminal[] = [];
  const seed = Number(process.env.PAYHIL_SOAK_SEED ?? Date.now() % 1000000);

  before(async () => {
    const accounts = [
      ...PANS.map((pan) => ({ pan, pin: TEST_PIN, balance: 50000000 })),
      { pan: TIGHT, pin: TEST_PIN, balance: 300000 },
    ];
    host = await startHost({
      dialect: 'cup',
      config: testHostConfig({
        accounts,
        journalSize: 5000,
        limits: { maxConnections: 100, maxFrameBytes: 4096, idleTimeoutMs: 60000 },
      }),
    });
    const first = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
      timeoutMs: 20000,
    });
    await first.signIn();
    terminals.push(first);
    for (let i = 1; i < CONNECTIONS; i++) {
      const t = await TestTerminal.connect({
        dialect: 'cup',
        host: '127.0.0.1',
        port: host.address.port,
        ...TEST_TERMINAL,
        tmk: TEST_TMK,
        timeoutMs: 20000,
        stan: i * 1000 + 1,
      });
      t.keys = first.keys;
      t.batch = first.batch;
      terminals.push(t);
    }
  });
  after(async () => {
    for (const t of terminals) await t.close();
    await host.close();
  });

  it(`keeps every balance exact (seed ${seed})`, async () => {
    const rnd = prng(seed);
    const expected = new Map<string, number>([...PANS, TIGHT].map((p) => [p, host.accounts.get(p)!.balance]));
    let approved = 0;
    let reversed = 0;
    let declined = 0;
    let debitAmount = 0;
    let debitCount = 0;
    const perConnection = TRANSACTIONS / CONNECTIONS;
    await Promise.all(
      terminals.map(async (t) => {
        for (let i = 0; i < perConnection; i++) {
          const pan = rnd() < 0.15 ? TIGHT : (PANS[Math.floor(rnd() * PANS.length)] as string);
          const amount = 1 + Math.floor(rnd() * 5000);
          const withPin = rnd() < 0.7;
          const { request, answer } = await t.transact('purchase', {
            card: { pan, track2: `${pan}=30122200000000000` },
            amount,
            ...(withPin ? { pin: TEST_PIN } : {}),
          });
          assert.equal(answer.macOk, true);
          const ok = answer.fields[39] === '00';
          if (!ok) {
            assert.equal(answer.fields[39], '51', `unexpected ${answer.fields[39]}`);
            declined++;
          }
          if (rnd() < 0.2) {
            const r = await t.reverse(request);
            assert.equal(r.fields[39], '00');
            if (rnd() < 0.25) assert.equal((await t.reverse(request)).fields[39], '00');
            if (ok) reversed++;
            continue;
          }
          if (ok) {
            approved++;
            debitAmount += amount;
            debitCount++;
            expected.set(pan, (expected.get(pan) as number) - amount);
          }
        }
      }),
    );
    assert.equal(approved + reversed + declined, TRANSACTIONS);
    for (const [pan, want] of expected)
      assert.equal(host.accounts.get(pan)?.balance, want, `balance of …${pan.slice(-4)}`);
    assert.ok(declined > 0, 'the tight account never ran out: the test did not exercise insufficient funds');
    // Settlement counts are 3 digits (n3) on the wire, so a 6,000-transaction batch is checked on the ledger.
    const t0 = terminals[0] as TestTerminal;
    assert.deepEqual(host.ledger.batchTotals(t0.id.terminalId, t0.batch), {
      debitAmount,
      debitCount,
      creditAmount: 0,
      creditCount: 0,
    });
  });
});
