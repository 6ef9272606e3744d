import { strict as assert } from 'node:assert';
import type { Observation } from '../../capabilities/index.js';
import {
  EcrClient,
  EcrRemoteError,
  EcrServer,
  createMemoryChannelPair,
  type EcrEventBody,
  type EcrRequest,
  type EcrResult,
  type TransactionResult,
} from '../../emulator/ecr/index.js';
import { EcrDriver } from './ecr-driver.js';
import { EcrDriverInactiveError, EcrDriverRefusedError, EcrDriverUnsupportedError } from './errors.js';

/** A scripted terminal behind an EcrServer on the other end of a memory channel pair (the mock peer). */
class MockTerminal {
  readonly requests: EcrRequest[] = [];
  readonly server: EcrServer;
  pushResults = true;
  busy = false;
  private finish: ((r: TransactionResult) => void) | undefined;

  constructor(testMode = true) {
    this.server = new EcrServer({ handler: (r) => this.handle(r), testMode });
  }

  /** An opener for EcrDriver: a fresh memory pair, the far end served by this terminal. */
  opener = async (): Promise<EcrClient> => {
    const [a, b] = createMemoryChannelPair();
    this.server.attach(b);
    return new EcrClient(a);
  };

  push(e: EcrEventBody): Promise<number> {
    return this.server.pushEvent(e);
  }

  /** Ends the running transaction with `r`. */
  complete(r: Partial<TransactionResult> = {}): void {
    const f = this.finish;
    assert.ok(f, 'no transaction runs');
    this.finish = undefined;
    f({
      transaction: 'purchase',
      outcome: 'approved',
      responseCode: '00',
      message: 'APPROVED',
      reference: '000000001001',
      stan: '000001',
      details: { messageKey: 'approved' },
      ...r,
    });
  }

  private async handle(r: EcrRequest): Promise<EcrResult> {
    this.requests.push(r);
    switch (r.op) {
      case 'status':
        return {
          state: this.busy ? 'waitingForCard' : 'idle',
          signedIn: true,
          busy: this.busy,
          testMode: true,
          profile: 'mock',
        };
      case 'readDisplay':
        return { lines: ['AMOUNT 12.34', 'PLEASE INSERT CARD'] };
      case 'cardState':
        return { card: r.card ?? 'last-presented', state: { '9F36': 7, pinTriesLeft: 2 } };
      case 'purchase':
      case 'void':
      case 'signIn': {
        if (this.busy) throw new EcrRemoteError('BUSY', 'a transaction is in progress');
        this.busy = true;
        const done = new Promise<TransactionResult>((res) => (this.finish = res));
        await this.push({ event: 'state', state: 'waitingForCard' });
        await this.push({ event: 'display', lines: ['PLEASE INSERT CARD'] });
        const result = await done;
        this.busy = false;
        if (this.pushResults) {
          await this.push({ event: 'receipt', text: 'CARD 6222021234567890123', copy: 'merchant' });
          await this.push({ event: 'result', result });
        }
        return { ...result, transaction: r.op };
      }
      default:
        return {};
    }
  }
}

async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('EcrDriver (memory channel, mock terminal)', function () {
  this.timeout(10000);
  let t: MockTerminal;
  let d: EcrDriver;
  let seen: Observation[];

  beforeEach(async () => {
    t = new MockTerminal();
    d = new EcrDriver('ecr-mock', t.opener, { startTimeoutMs: 1500, link: { ackTimeoutMs: 200 } });
    seen = [];
    d.observe((o) => seen.push(o));
  });
  afterEach(async () => {
    await d.deactivate();
    await t.server.close();
  });

  it('refuses every capability while inactive, with a broken verdict', async () => {
    for (const call of [
      () => d.terminal.start('purchase', { amount: 1 }),
      () => d.keypad.enterPin('1234'),
      () => d.display.text(),
      () => d.cards.insert('cup-debit'),
    ]) {
      await assert.rejects(
        call(),
        (e: unknown) => e instanceof EcrDriverInactiveError && e.verdict === 'broken',
      );
    }
  });

  it('start resolves once the terminal works on the transaction, the outcome lands as observations', async () => {
    await d.activate();
    assert.equal(d.inTestMode, true);
    await d.terminal.start('purchase', { amount: 1234 });
    const purchase = t.requests.find((r) => r.op === 'purchase');
    assert.deepEqual(purchase && { op: purchase.op, amount: (purchase as { amount: number }).amount }, {
      op: 'purchase',
      amount: 1234,
    });
    assert.equal(t.busy, true, 'start must not wait for the end of the transaction');
    t.complete();
    await d.terminal.idle(3000);
    await until(() => seen.some((o) => o.kind === 'result'));
    const kinds = seen.map((o) => o.kind);
    assert.deepEqual(
      kinds.filter((k) => k !== 'note'),
      ['state', 'display', 'receipt', 'result'],
    );
    const state = seen.find((o) => o.kind === 'state');
    assert.deepEqual(state?.data, { state: 'waitingForCard', previous: 'idle' });
    const receipt = seen.find((o) => o.kind === 'receipt');
    assert.equal(receipt?.data.text, 'CARD 622202*********0123', 'PAN masked on the timeline');
    const result = seen.find((o) => o.kind === 'result')?.data.result as Record<string, unknown>;
    assert.equal(result.outcome, 'approved');
    assert.equal(result.messageKey, 'approved');
  });

  it('takes the result from the response when the terminal pushes no result event (once)', async () => {
    t.pushResults = false;
    await d.activate();
    await d.terminal.start('purchase', { amount: 100 });
    t.complete({ outcome: 'declined', responseCode: '51', details: { messageKey: 'insufficientFunds' } });
    await d.terminal.idle(3000);
    const results = seen.filter((o) => o.kind === 'result');
    assert.equal(results.length, 1);
    assert.equal((results[0]?.data.result as Record<string, unknown>).responseCode, '51');
  });

  it('an amount entered before start goes with the transaction', async () => {
    await d.activate();
    await d.terminal.enterAmount(777);
    await d.terminal.start('purchase');
    const p = t.requests.find((r) => r.op === 'purchase') as { amount?: number } | undefined;
    assert.equal(p?.amount, 777);
    t.complete();
    await d.terminal.idle(3000);
  });

  it('a refusal (BUSY) rejects start as broken with the wire code', async () => {
    await d.activate();
    t.busy = true;
    await assert.rejects(
      d.terminal.start('signIn'),
      (e: unknown) => e instanceof EcrDriverRefusedError && e.remoteCode === 'BUSY' && e.verdict === 'broken',
    );
  });

  it("void of 'last' sends the reference of the last result; none yet is broken", async () => {
    await d.activate();
    await assert.rejects(d.terminal.start('void'), /no earlier transaction/);
    await d.terminal.start('purchase', { amount: 5 });
    t.complete({ reference: '000000004242' });
    await d.terminal.idle(3000);
    await d.terminal.start('void', { of: 'last' });
    const v = t.requests.find((r) => r.op === 'void') as { originalReference?: string } | undefined;
    assert.equal(v?.originalReference, '000000004242');
    t.complete({ transaction: 'void' });
    await d.terminal.idle(3000);
  });

  it('keypad: a PIN is its digits then ENTER; named keys map to ECR keys; unknown keys are refused', async () => {
    await d.activate();
    await d.keypad.enterPin('1234');
    await d.keypad.press('back');
    await d.keypad.cancel();
    const keys = t.requests.filter((r) => r.op === 'key').map((r) => (r as { keys: string[] }).keys);
    assert.deepEqual(keys, [['1', '2', '3', '4', 'ENTER'], ['CLEAR'], ['CANCEL']]);
    await assert.rejects(d.keypad.press('hash'), /no key 'hash'/);
    await assert.rejects(d.keypad.enterPin('12a4'), /4 to 12 digits/);
  });

  it('cards: fresh state once per prepare, inline cards sent with their fields under their alias', async () => {
    await d.activate();
    await d.cards.prepare({ mine: 'cup-debit', poor: { extends: 'cup-debit', pin: '9999' } });
    await d.cards.insert('mine');
    await d.cards.remove();
    await d.cards.insert('mine');
    await d.cards.tap('poor', 300);
    await d.cards.swipe('magstripe-only');
    const cards = t.requests.filter((r) => r.op === 'card') as unknown as {
      action: string;
      card?: string;
      fixture?: Record<string, unknown>;
      holdMs?: number;
      options?: { reset?: boolean };
    }[];
    assert.deepEqual(
      cards.map((c) => [c.action, c.options?.reset === true]),
      [
        ['insert', true],
        ['remove', false],
        ['insert', false],
        ['tap', true],
        ['swipe', true],
      ],
    );
    assert.equal(cards[0]?.card, 'cup-debit');
    assert.equal(cards[0]?.fixture, undefined);
    assert.equal(cards[3]?.holdMs, 300);
    // No file: the terminal gets the inline card itself, whatever machine it runs on.
    assert.equal(cards[3]?.card, 'poor');
    assert.deepEqual(cards[3]?.fixture, { extends: 'cup-debit', pin: '9999' });
  });

  it('card state through test mode: the named card, else the inserted one, else the first; fresh once', async () => {
    await d.activate();
    await d.cards.prepare({ first: 'ec-debit', poor: { extends: 'cup-debit', pin: '9999' } });
    type StateReq = { card?: string; fixture?: unknown; options?: { reset?: boolean } };
    const asked = (): StateReq[] =>
      t.requests
        .filter((r) => r.op === 'cardState')
        .map(({ v: _v, kind: _k, id: _i, ...body }) => body) as unknown as StateReq[];
    // Nothing presented yet: the scenario's first card, as its fixture makes it.
    assert.deepEqual(await d.cards.state(), { '9F36': 7, pinTriesLeft: 2 });
    assert.deepEqual(asked()[0], { op: 'cardState', card: 'ec-debit', options: { reset: true } });
    await d.cards.insert('poor');
    await d.cards.state();
    assert.deepEqual(asked()[1], {
      op: 'cardState',
      card: 'poor',
      fixture: { extends: 'cup-debit', pin: '9999' },
    });
    await d.cards.remove();
    await d.cards.state('first');
    assert.deepEqual(asked()[2], { op: 'cardState', card: 'ec-debit' }, 'fresh only once');
    // The insert after a state read sends no reset (the read made it fresh).
    const inserts = t.requests.filter((r) => r.op === 'card' && r.action === 'insert');
    assert.deepEqual((inserts[0] as { options?: unknown }).options, { reset: true });
  });

  it('status merges the terminal status and the display', async () => {
    await d.activate();
    const s = await d.terminal.status();
    assert.equal(s.state, 'idle');
    assert.equal(s.signedIn, true);
    assert.equal(s.display, 'AMOUNT 12.34\nPLEASE INSERT CARD');
    assert.equal(await d.display.text(), 'AMOUNT 12.34\nPLEASE INSERT CARD');
  });

  it('a terminal outside test mode: keys, cards and power cycle are unsupported (broken)', async () => {
    const plain = new MockTerminal(false);
    const d2 = new EcrDriver('ecr-plain', plain.opener);
    // The terminal's status says whether it is in test mode.
    plain['handle'] = async (r: EcrRequest): Promise<EcrResult> =>
      r.op === 'status' ? { state: 'idle', signedIn: true, busy: false, testMode: false } : {};
    try {
      await d2.activate();
      assert.equal(d2.inTestMode, false);
      await assert.rejects(d2.keypad.enterPin('1234'), EcrDriverUnsupportedError);
      await assert.rejects(d2.cards.insert('cup-debit'), EcrDriverUnsupportedError);
      await assert.rejects(
        d2.cards.state('cup-debit'),
        (e: unknown) => e instanceof EcrDriverUnsupportedError && e.verdict === 'broken',
      );
      await assert.rejects(d2.terminal.powerCycle(), EcrDriverUnsupportedError);
    } finally {
      await d2.deactivate();
      await plain.server.close();
    }
  });

  it('a link that closes makes the driver inactive and says so on the timeline', async () => {
    await d.activate();
    await t.server.close();
    await until(() => !d.active);
    assert.ok(seen.some((o) => o.kind === 'note' && String(o.data.text).includes('ECR link closed')));
    await assert.rejects(d.display.text(), EcrDriverInactiveError);
  });
});
