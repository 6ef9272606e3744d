/**
 * The same flows over every way into the reference terminal (issue 7, Proof): ECR on TCP and ECR on a socat
 * pty pair (both to `payhil emulator` as its own process), the web UI in Debian's Chromium through
 * Playwright, and an in-process terminal whose card comes through pcscd + vpcd. ONE table of flows, each
 * written once against the `WayIn` interface (emulator-ways.test-helper.ts); every flow asserts the result
 * the way in reports AND what the host simulator's journal saw (MTI, processing code, entry mode, response
 * code). A way whose tools the machine lacks (socat, chromium, pcscd + vpcd) shows as pending naming them.
 * The PC/SC way runs its flows one after the other: vpcd's port is fixed (35963), one card at a time.
 */
import { strict as assert } from 'node:assert';
import type { HostHandle } from '../../harness/host/index.js';
import {
  missing,
  startEcrPtyWay,
  startEcrTcpWay,
  startPcscWay,
  startWebWay,
  type Presentation,
  type WayIn,
  type WayOp,
  type WayResult,
} from './emulator-ways.test-helper.js';
import type { VpcdLock } from '../../harness/drivers/pcsc/index.js';
import { holdVpcd, VPCD_WAIT_BUDGET_MS } from './vpcd-lock.test-helper.js';

/** The cup-debit fixture: online PIN (UnionPay debit), test PIN 123456. */
const CHIP = 'cup-debit';
/** A stripe-only UnionPay card (service code 120), test PIN 123456. */
const STRIPE = 'magstripe-only';
const PIN = '123456';

/** One request the host received, with the response code of its answer (matched by MTI and STAN). */
interface HostSaw {
  mti: string;
  processingCode?: string;
  entryMode?: string;
  responseCode?: string;
  stan?: string;
  /** Field 39 of the request itself (a reversal's reason). */
  reason?: string;
  /** Retrieval reference (field 37) of the answer. */
  rrn?: string;
}

function answerMti(mti: string): string {
  return mti.slice(0, 2) + String(Number(mti[2]) + 1) + mti.slice(3);
}

/** What the host journal saw since the flow began, oldest first. */
function hostSaw(host: HostHandle): HostSaw[] {
  const ins = host.journal.entries((e) => e.direction === 'in' && e.mti !== undefined);
  const outs = host.journal.entries((e) => e.direction === 'out' && e.mti !== undefined);
  return ins.map((i) => {
    const f = i.fields ?? {};
    const mti = i.mti as string;
    const answer = outs.find(
      (o) => o.seq > i.seq && o.mti === answerMti(mti) && o.fields?.['11'] === f['11'],
    );
    const rc = answer?.fields?.['39'];
    const rrn = answer?.fields?.['37'];
    return {
      mti,
      ...(f['3'] !== undefined ? { processingCode: f['3'] } : {}),
      ...(f['22'] !== undefined ? { entryMode: f['22'] } : {}),
      ...(rc !== undefined ? { responseCode: rc } : {}),
      ...(f['11'] !== undefined ? { stan: f['11'] } : {}),
      ...(f['39'] !== undefined ? { reason: f['39'] } : {}),
      ...(rrn !== undefined ? { rrn } : {}),
    };
  });
}

/** Asserts the host saw exactly these requests, comparing the members each expectation names. */
function assertHostSaw(host: HostHandle, expected: Partial<HostSaw>[]): HostSaw[] {
  const saw = hostSaw(host);
  const picked = saw.map((s, i) => {
    const want = expected[i] ?? {};
    return Object.fromEntries(Object.keys(want).map((k) => [k, s[k as keyof HostSaw]]));
  });
  assert.deepEqual(picked, expected, `host journal: ${JSON.stringify(saw)}`);
  return saw;
}

/** Starts `op`, presents the card when asked, types the PIN if any, takes the card away after the result. */
async function withCard(
  way: WayIn,
  op: WayOp,
  card: string,
  how: Presentation,
  pin?: string,
): Promise<WayResult> {
  const { result } = await way.start(op);
  await way.waitForCardPrompt();
  await way.present(card, how);
  if (pin !== undefined) await way.enterPin(pin);
  const r = await result;
  await way.takeCardAway();
  return r;
}

/** A transaction without a card (sign-in, void, refund, settlement). */
async function noCard(way: WayIn, op: WayOp): Promise<WayResult> {
  const { result } = await way.start(op);
  return result;
}

function assertResult(r: WayResult, want: Partial<WayResult>): void {
  const picked = Object.fromEntries(Object.keys(want).map((k) => [k, r[k as keyof WayResult]]));
  assert.deepEqual(picked, want, JSON.stringify(r));
}

/** A chip purchase with online PIN, approved: returns its retrieval reference. */
async function approvedChipPurchase(way: WayIn, amount: number): Promise<string> {
  const r = await withCard(way, { op: 'purchase', amount }, CHIP, 'insert', PIN);
  assertResult(r, { transaction: 'purchase', outcome: 'approved', responseCode: '00' });
  assert.ok(r.reference, `a retrieval reference: ${JSON.stringify(r)}`);
  return r.reference;
}

interface Flow {
  name: string;
  /** True when the flow swipes a stripe: not generated for a way in that cannot swipe. */
  swipes?: boolean;
  run(way: WayIn): Promise<void>;
}

/** THE table: each flow once, run over every way in. */
const FLOWS: Flow[] = [
  {
    name: 'sign-in downloads the working keys (0800 → 00) and shows WELCOME',
    async run(way) {
      const r = await noCard(way, { op: 'signIn' });
      assertResult(r, { transaction: 'signIn', outcome: 'approved', responseCode: '00' });
      assert.deepEqual(await way.display(), ['WELCOME']);
      assertHostSaw(way.host, [{ mti: '0800', responseCode: '00' }]);
    },
  },
  {
    name: 'chip purchase with online PIN: approved, 0200 000000 entry 051',
    async run(way) {
      const r = await withCard(way, { op: 'purchase', amount: 1234 }, CHIP, 'insert', PIN);
      assertResult(r, {
        transaction: 'purchase',
        outcome: 'approved',
        responseCode: '00',
        message: 'APPROVED',
      });
      assert.ok(r.reference, JSON.stringify(r));
      assertHostSaw(way.host, [
        { mti: '0200', processingCode: '000000', entryMode: '051', responseCode: '00', rrn: r.reference },
      ]);
    },
  },
  {
    name: 'tap (qPBOC online, no CVM): approved, 0200 000000 entry 072',
    async run(way) {
      const r = await withCard(way, { op: 'purchase', amount: 1500 }, CHIP, 'tap');
      assertResult(r, {
        transaction: 'purchase',
        outcome: 'approved',
        responseCode: '00',
        message: 'APPROVED',
      });
      assertHostSaw(way.host, [
        { mti: '0200', processingCode: '000000', entryMode: '072', responseCode: '00' },
      ]);
    },
  },
  {
    // A PC/SC reader has no stripe head: this flow is not generated for the PC/SC way in.
    name: 'swipe of a magstripe card with online PIN: approved, 0200 000000 entry 021',
    swipes: true,
    async run(way) {
      const r = await withCard(way, { op: 'purchase', amount: 800 }, STRIPE, 'swipe', PIN);
      assertResult(r, {
        transaction: 'purchase',
        outcome: 'approved',
        responseCode: '00',
        message: 'APPROVED',
      });
      assertHostSaw(way.host, [
        { mti: '0200', processingCode: '000000', entryMode: '021', responseCode: '00' },
      ]);
    },
  },
  {
    name: 'void of the purchase: 0200 200000 approved',
    async run(way) {
      const reference = await approvedChipPurchase(way, 2500);
      const r = await noCard(way, { op: 'void', originalReference: reference });
      assertResult(r, { transaction: 'void', outcome: 'approved', responseCode: '00' });
      assertHostSaw(way.host, [
        { mti: '0200', processingCode: '000000', entryMode: '051', responseCode: '00', rrn: reference },
        { mti: '0200', processingCode: '200000', responseCode: '00' },
      ]);
    },
  },
  {
    name: 'refund of part of a purchase: 0220 approved',
    async run(way) {
      const reference = await approvedChipPurchase(way, 4000);
      const r = await noCard(way, { op: 'refund', amount: 1000, originalReference: reference });
      assertResult(r, { transaction: 'refund', outcome: 'approved', responseCode: '00' });
      assertHostSaw(way.host, [
        { mti: '0200', processingCode: '000000', entryMode: '051', responseCode: '00', rrn: reference },
        { mti: '0220', processingCode: '200000', responseCode: '00' },
      ]);
    },
  },
  {
    name: 'balance inquiry by chip with PIN: 0200 310000 entry 051',
    async run(way) {
      const r = await withCard(way, { op: 'balance' }, CHIP, 'insert', PIN);
      assertResult(r, { transaction: 'balance', outcome: 'approved', responseCode: '00' });
      assertHostSaw(way.host, [
        { mti: '0200', processingCode: '310000', entryMode: '051', responseCode: '00' },
      ]);
    },
  },
  {
    name: 'declined purchase (51): INSUFFICIENT FUNDS, no reversal',
    async run(way) {
      way.host.addRule({ mti: '0200', times: 1, respond: { fields: { '39': '51' } } });
      const r = await withCard(way, { op: 'purchase', amount: 300 }, CHIP, 'insert', PIN);
      assertResult(r, {
        transaction: 'purchase',
        outcome: 'declined',
        responseCode: '51',
        message: 'INSUFFICIENT FUNDS',
      });
      assertHostSaw(way.host, [
        { mti: '0200', processingCode: '000000', entryMode: '051', responseCode: '51' },
      ]);
    },
  },
  {
    name: 'late answer (host delay 1.5 s > CI timeout 1 s): reversal 0400 (98) before the next transaction',
    async run(way) {
      way.host.addRule({ mti: '0200', times: 1, respond: { delayMs: 1500 } });
      const late = await withCard(way, { op: 'purchase', amount: 777 }, CHIP, 'insert', PIN);
      assertResult(late, { transaction: 'purchase', outcome: 'failed', message: 'NO ANSWER FROM HOST' });
      assert.equal(late.responseCode, undefined);
      await approvedChipPurchase(way, 778);
      const saw = assertHostSaw(way.host, [
        { mti: '0200', processingCode: '000000', entryMode: '051' },
        { mti: '0400', processingCode: '000000', entryMode: '051', reason: '98', responseCode: '00' },
        { mti: '0200', processingCode: '000000', entryMode: '051', responseCode: '00' },
      ]);
      assert.equal(saw[1]?.stan, saw[0]?.stan, 'the reversal carries the late purchase STAN');
      assert.notEqual(saw[2]?.stan, saw[0]?.stan);
    },
  },
  {
    name: 'settlement: 0500 balanced with the host, SETTLEMENT OK',
    async run(way) {
      const r = await noCard(way, { op: 'settle' });
      assertResult(r, {
        transaction: 'settle',
        outcome: 'approved',
        responseCode: '00',
        message: 'SETTLEMENT OK',
      });
      assertHostSaw(way.host, [{ mti: '0500', responseCode: '00' }]);
    },
  },
];

const WAYS: {
  key: 'ecr-tcp' | 'ecr-pty' | 'web' | 'pcsc';
  name: string;
  /** False for a PC/SC reader: it has no stripe head, so the swipe flow is not generated there. */
  canSwipe: boolean;
  start: () => Promise<WayIn>;
}[] = [
  { key: 'ecr-tcp', name: 'ECR over TCP (payhil emulator process)', canSwipe: true, start: startEcrTcpWay },
  {
    key: 'ecr-pty',
    name: 'ECR over a socat pty pair (payhil emulator process)',
    canSwipe: true,
    start: startEcrPtyWay,
  },
  { key: 'web', name: 'web UI in Debian Chromium (Playwright)', canSwipe: true, start: startWebWay },
  {
    key: 'pcsc',
    name: 'in-process terminal, card through pcscd + vpcd',
    canSwipe: false,
    start: startPcscWay,
  },
];

describe('e2e: the same flows over every way into the emulator', function () {
  this.timeout(30000);
  for (const w of WAYS) {
    describe(w.name, function () {
      let way: WayIn | undefined;
      let vpcd: VpcdLock | undefined;
      before(async function () {
        const lacks = missing(w.key);
        if (lacks) {
          // CI installs every tool (.ci/run): there a missing one is a failure, never a quiet pending test.
          if (process.env.CI) throw new Error(`${lacks} is missing; .ci/run installs it`);
          this.skip(); // pending on a developer machine that lacks the tool named by missing()
        }
        if (w.key === 'pcsc') {
          this.timeout(VPCD_WAIT_BUDGET_MS);
          vpcd = await holdVpcd('emulator-ways');
        }
        way = await w.start();
      });
      after(async () => {
        await way?.close();
        vpcd?.release();
      });
      beforeEach(() => {
        way?.host.clearRules();
        way?.host.journal.clear();
      });
      for (const flow of FLOWS) {
        // No swipe through a PC/SC reader: that flow is simply not generated for that way in.
        if (flow.swipes && !w.canSwipe) continue;
        it(flow.name, async () => {
          assert.ok(way, 'way in started');
          assert.equal(way.canSwipe, w.canSwipe);
          await flow.run(way);
        });
      }
    });
  }
});
