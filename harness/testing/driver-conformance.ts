/**
 * The conformance suite every terminal driver passes (docs/drivers.md, "Conformance"): a standard set of
 * mocha tests run against a driver bound to a live peer (the reference emulator, a sidecar, a real
 * terminal in a lab). Call `describeDriverConformance(target)` at the top level of a mocha test file; it
 * declares one `describe` block. It uses mocha's globals (describe/it/before/after), so it runs only under
 * mocha.
 *
 * What it proves, each in its own test: identity and status; calls refused while inactive; sign-in and an
 * approved purchase with display, receipt and result observations on the timeline (no PAN in clear); a
 * purchase the acquirer declines; void, refund and settlement where the driver declares them (a driver
 * that declares one missing must refuse it with a broken error, never ignore it); an abort mid-transaction
 * (the driver's `endScenario`) ending in a non-approved result; a second start while one runs refused
 * with a broken error, the first carrying on; deactivate leaving no socket, timer or handle behind; and a
 * peer that dies answered with a `DriverError` (verdict broken) within a bound, never a hang.
 */
import { strict as assert } from 'node:assert';
import type {
  CardPresenter,
  Keypad,
  Observation,
  ObservationSource,
  TerminalControl,
  TerminalOperationName,
} from '../capabilities/index.js';
import { isPayhilError } from '../common/payhil-error.js';
import { DriverError } from '../drivers/errors.js';

/** The driver under test: a terminal driver with a way to present cards and type a PIN. */
export interface ConformanceDriver extends ObservationSource {
  readonly name: string;
  readonly terminal: TerminalControl;
  /** The driver's own card presenter, or the one beside it on the bench (test-mode channel, mux). */
  readonly cards: CardPresenter;
  readonly keypad: Keypad;
  activate(): Promise<void>;
  deactivate(): Promise<void>;
  beginScenario?(): Promise<void>;
  /** Aborts a transaction that still runs (the suite's "abort mid-transaction"). */
  endScenario?(): Promise<void>;
}

/** A peer the suite drives: started once for the whole suite. */
export interface ConformanceBench {
  /**
   * A new driver bound to the peer, not yet active. Give it short bounds (the wait for a previous
   * transaction, ACK timeouts: a second or so): the suite waits at most `boundMs` for any refusal.
   */
  driver(): ConformanceDriver;
  /** Makes the acquirer decline the next purchase (e.g. a host simulator rule answering 51). */
  declineNext(): Promise<void> | void;
  /** Makes the peer die (process killed, port closed). Called once, by the last test. */
  killPeer(): Promise<void>;
  /** Stops whatever `start` started (safe after `killPeer`). */
  close(): Promise<void>;
}

export interface ConformanceTarget {
  /** Title of the suite, e.g. "zvt-tcp". */
  name: string;
  /** Starts the peer and hands over the bench (in mocha's `before`). */
  start(): Promise<ConformanceBench>;
  /** The transactions beside sign-in and purchase that the driver declares it offers. */
  offers: { void: boolean; refund: boolean; settle: boolean };
  /** Fixture name of a card the test host approves (default cup-debit) and its test PIN (default 123456). */
  card?: string;
  pin?: string;
  /** The card's full PAN, which must appear nowhere on the timeline (default cup-debit's test PAN). */
  fullPan?: string;
  /** Longest wait for a transaction's result (ms). Default 20 000. */
  resultTimeoutMs?: number;
  /** Longest a refusal or a dead-peer error may take (ms). Default 15 000. */
  boundMs?: number;
  /** mocha timeout of each test (ms). Default 60 000. */
  testTimeoutMs?: number;
}

/** cup-debit, a test card of fixtures/cards. */
const DEFAULT_PAN = '6222021000000000017';

/** What the driver reported, with bounded waits. */
class Timeline {
  readonly list: Observation[] = [];
  private readonly stop: () => void;
  constructor(source: ObservationSource) {
    this.stop = source.observe((o) => this.list.push(o));
  }
  close(): void {
    this.stop();
  }
  results(): Record<string, unknown>[] {
    return this.list.filter((o) => o.kind === 'result').map((o) => o.data.result as Record<string, unknown>);
  }
  async waitFor(what: string, pred: (o: Observation) => boolean, ms: number, from = 0): Promise<Observation> {
    const until = Date.now() + ms;
    for (;;) {
      const o = this.list.slice(from).find(pred);
      if (o) return o;
      if (Date.now() > until)
        throw new Error(
          `${what}: not observed within ${ms} ms; the driver reported: ${this.list
            .slice(from)
            .map((x) => x.kind)
            .join(' ')}`,
        );
      await sleep(10);
    }
  }
  /** The next result of `transaction` reported after observation number `from`. */
  async result(transaction: string, ms: number, from: number): Promise<Record<string, unknown>> {
    const o = await this.waitFor(
      `a ${transaction} result`,
      (x) => x.kind === 'result' && (x.data.result as Record<string, unknown>).transaction === transaction,
      ms,
      from,
    );
    return o.data.result as Record<string, unknown>;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Settles `p` within `ms`, else rejects saying what hung. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts `p` rejects within `ms` with a payhil error of verdict broken; returns it. */
async function refusedBroken(p: Promise<unknown>, ms: number, what: string): Promise<Error> {
  const outcome = await within(
    p.then(
      () => undefined,
      (e: unknown) => e,
    ),
    ms,
    what,
  );
  assert.ok(outcome !== undefined, `${what}: resolved, but it must be refused`);
  assert.ok(isPayhilError(outcome), `${what}: rejected with an untyped error: ${String(outcome)}`);
  assert.equal(outcome.verdict, 'broken', `${what}: verdict of ${outcome.code}`);
  assert.match(outcome.code, /^E_[A-Z0-9_]+$/, `${what}: error code`);
  return outcome;
}

/** Counts of the process's live resources (sockets, timers, handles) by type. */
function resources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** The resource types of which more are live than in `base`, as "Type +n". */
function excess(base: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [k, n] of resources()) if (n > (base.get(k) ?? 0)) out.push(`${k} +${n - (base.get(k) ?? 0)}`);
  return out;
}

/** Declares the conformance suite of one driver (one mocha `describe`). */
export function describeDriverConformance(target: ConformanceTarget): void {
  const card = target.card ?? 'cup-debit';
  const pin = target.pin ?? '123456';
  const pan = target.fullPan ?? DEFAULT_PAN;
  const resultMs = target.resultTimeoutMs ?? 20_000;
  const boundMs = target.boundMs ?? 15_000;

  describe(`driver conformance: ${target.name}`, function () {
    this.timeout(target.testTimeoutMs ?? 60_000);
    let bench: ConformanceBench | undefined;
    /** The driver the transaction tests share (signed in once). */
    let d: ConformanceDriver;
    let seen: Timeline;
    let amount = 1000;

    const need = (): ConformanceBench => {
      assert.ok(bench, 'the bench did not start');
      return bench;
    };

    /** Presents the card, waits for the PIN prompt, types the PIN. */
    async function cardAndPin(driver: ConformanceDriver, t: Timeline, from: number): Promise<void> {
      await driver.cards.prepare({ mine: card });
      await driver.cards.insert('mine');
      await t.waitFor(
        'the PIN prompt (a state cardholderVerification or a display with PIN)',
        (o) =>
          (o.kind === 'state' && o.data.state === 'cardholderVerification') ||
          (o.kind === 'display' && /PIN/i.test(((o.data.lines as string[]) ?? []).join(' '))),
        resultMs,
        from,
      );
      await driver.keypad.enterPin(pin);
    }

    /** A purchase with card and PIN: its result, the card taken out, the terminal idle. */
    async function purchase(
      driver: ConformanceDriver,
      t: Timeline,
      value: number,
    ): Promise<Record<string, unknown>> {
      await driver.beginScenario?.();
      const from = t.list.length;
      await driver.terminal.start('purchase', { amount: value });
      await cardAndPin(driver, t, from);
      const r = await t.result('purchase', resultMs, from);
      await driver.terminal.idle(resultMs);
      await driver.cards.remove();
      return r;
    }

    /** A transaction without a card (void of last, settlement): its result. */
    async function cardless(
      op: TerminalOperationName,
      args: { amount?: number; of?: string } = {},
    ): Promise<Record<string, unknown>> {
      await d.beginScenario?.();
      const from = seen.list.length;
      await d.terminal.start(op, args);
      // A terminal may want the card (a refund): present it when it asks, else take the result.
      const until = Date.now() + resultMs;
      let r: Record<string, unknown> | undefined;
      for (;;) {
        const mine = seen.list.slice(from);
        const done = mine.find(
          (o) => o.kind === 'result' && (o.data.result as { transaction?: string }).transaction === op,
        );
        if (done) {
          r = done.data.result as Record<string, unknown>;
          break;
        }
        if (mine.some((o) => o.kind === 'state' && o.data.state === 'waitingForCard')) {
          await cardAndPin(d, seen, from);
          r = await seen.result(op, resultMs, from);
          break;
        }
        if (Date.now() > until) throw new Error(`no ${op} result within ${resultMs} ms`);
        await sleep(10);
      }
      await d.terminal.idle(resultMs);
      await d.cards.remove().catch(() => undefined);
      return r;
    }

    before(async () => {
      bench = await target.start();
      d = bench.driver();
      seen = new Timeline(d);
      await d.activate();
    });
    after(async () => {
      seen?.close();
      await d?.deactivate().catch(() => undefined);
      await bench?.close();
    });

    it('has a name, reports its status, refuses calls while inactive and activates once', async () => {
      assert.equal(typeof d.name, 'string');
      assert.ok(d.name.length > 0, 'a driver name for messages and reports');
      const st = await within(d.terminal.status(), boundMs, 'status()');
      assert.ok(st && typeof st === 'object' && Object.keys(st).length > 0, 'status() answers some fields');
      assert.equal(JSON.stringify(st).includes(pan), false, 'no PAN in clear in the status');
      await d.activate(); // twice: a no-op
      const idle = need().driver();
      await refusedBroken(
        idle.terminal.start('purchase', { amount: 1 }),
        boundMs,
        'start on an inactive driver',
      );
      await idle.deactivate(); // never rejects for an inactive driver
    });

    it('signs in (approved) and reports the result', async () => {
      await d.beginScenario?.();
      const from = seen.list.length;
      await d.terminal.start('signIn');
      const r = await seen.result('signIn', resultMs, from);
      assert.equal(r.outcome, 'approved', JSON.stringify(r));
      await d.terminal.idle(resultMs);
    });

    it('an approved purchase: display, receipt and result on the timeline, the PAN masked', async () => {
      const from = seen.list.length;
      const r = await purchase(d, seen, (amount += 11));
      assert.equal(r.outcome, 'approved', JSON.stringify(r));
      assert.equal(r.transaction, 'purchase');
      if (r.amount !== undefined) assert.equal(r.amount, amount, 'result amount in minor units');
      if (r.maskedPan !== undefined) assert.match(String(r.maskedPan), /^\d{6}\*+\d{4}$/);
      const mine = seen.list.slice(from);
      const resultAt = mine.findIndex((o) => o.kind === 'result');
      assert.ok(
        mine.slice(0, resultAt).some((o) => o.kind === 'display'),
        `a display observation before the result: ${mine.map((o) => o.kind).join(' ')}`,
      );
      assert.ok(
        mine.some((o) => o.kind === 'receipt' && typeof o.data.text === 'string' && o.data.text.length > 0),
        `a receipt observation: ${mine.map((o) => o.kind).join(' ')}`,
      );
      for (const o of mine) {
        assert.equal(typeof o.at, 'number', `${o.kind}: time stamp`);
        assert.ok(o.data && typeof o.data === 'object', `${o.kind}: data`);
      }
      assert.equal(JSON.stringify(seen.list).includes(pan), false, 'no PAN in clear on the timeline');
    });

    it('a purchase the acquirer declines is reported declined, not as an error', async () => {
      await need().declineNext();
      const r = await purchase(d, seen, (amount += 11));
      assert.equal(r.outcome, 'declined', JSON.stringify(r));
    });

    const optional = (op: 'void' | 'refund' | 'settle', run: () => Promise<void>) => {
      const offered = target.offers[op];
      it(
        offered
          ? `${op}: offered, reported approved`
          : `${op}: declared not offered, so refused with a broken error (never ignored)`,
        async () => {
          if (offered) return run();
          await d.beginScenario?.();
          await refusedBroken(d.terminal.start(op, { amount: 100, of: 'last' }), boundMs, `start('${op}')`);
        },
      );
    };

    optional('void', async () => {
      const p = await purchase(d, seen, (amount += 11));
      assert.equal(p.outcome, 'approved', JSON.stringify(p));
      const v = await cardless('void', { of: 'last' });
      assert.equal(v.outcome, 'approved', JSON.stringify(v));
    });

    optional('refund', async () => {
      const p = await purchase(d, seen, (amount += 11));
      assert.equal(p.outcome, 'approved', JSON.stringify(p));
      const r = await cardless('refund', { amount: 500, of: 'last' });
      assert.equal(r.outcome, 'approved', JSON.stringify(r));
    });

    optional('settle', async () => {
      const s = await cardless('settle');
      assert.equal(s.outcome, 'approved', JSON.stringify(s));
    });

    it('abort mid-transaction (endScenario): the purchase ends not approved and the terminal is idle', async () => {
      assert.ok(d.endScenario, 'a terminal driver aborts a running transaction in endScenario()');
      await d.beginScenario?.();
      const from = seen.list.length;
      await d.terminal.start('purchase', { amount: (amount += 11) });
      await seen.waitFor(
        'the card prompt',
        (o) => o.kind === 'display' || o.kind === 'state',
        resultMs,
        from,
      );
      await within(d.endScenario(), boundMs, 'endScenario() with a transaction running');
      const r = await seen.result('purchase', resultMs, from);
      assert.notEqual(r.outcome, 'approved', JSON.stringify(r));
      await within(d.terminal.idle(resultMs), resultMs + 1000, 'idle() after the abort');
      // And the terminal takes the next transaction.
      const next = await purchase(d, seen, (amount += 11));
      assert.equal(next.outcome, 'approved', JSON.stringify(next));
    });

    it('busy: a second start while a purchase runs is refused (broken); the first carries on', async () => {
      await d.beginScenario?.();
      const from = seen.list.length;
      await d.terminal.start('purchase', { amount: (amount += 11) });
      await refusedBroken(d.terminal.start('purchase', { amount: 1 }), boundMs, 'a second start while busy');
      await cardAndPin(d, seen, from);
      const r = await seen.result('purchase', resultMs, from);
      assert.equal(r.outcome, 'approved', JSON.stringify(r));
      await d.terminal.idle(resultMs);
      await d.cards.remove();
      assert.equal(
        seen.results().slice(-1)[0]?.amount ?? amount,
        amount,
        'the first purchase, not the second',
      );
    });

    it('deactivate leaves no socket, timer or handle behind, and the driver refuses calls after it', async () => {
      // One driver at a time: a serial port has one user.
      seen.close();
      await d.deactivate();
      const base = resources();
      const fresh = need().driver();
      const t = new Timeline(fresh);
      await fresh.activate();
      const r = await purchase(fresh, t, (amount += 11));
      assert.equal(r.outcome, 'approved', JSON.stringify(r));
      await within(fresh.deactivate(), boundMs, 'deactivate()');
      t.close();
      // Closing sockets settle on the next turns of the event loop: bounded wait for the counts to return.
      const until = Date.now() + 5000;
      while (excess(base).length && Date.now() < until) await sleep(50);
      assert.deepEqual(excess(base), [], 'resources left after deactivate');
      await refusedBroken(fresh.terminal.start('purchase', { amount: 1 }), boundMs, 'start after deactivate');
      // The next tests get a driver of their own.
      d = need().driver();
      seen = new Timeline(d);
      await d.activate();
    });

    it('a peer that dies: the next call rejects with a DriverError (broken) within the bound, no hang', async () => {
      await need().killPeer();
      const e = await refusedBroken(
        d.terminal.start('purchase', { amount: (amount += 11) }),
        boundMs,
        'start with the peer dead',
      );
      assert.ok(e instanceof DriverError, `a DriverError, got ${e.constructor.name}: ${e.message}`);
      assert.ok(e.message.includes(e.driver), `the message names the driver: ${e.message}`);
      await within(d.deactivate(), boundMs, 'deactivate() with the peer dead');
    });
  });
}
