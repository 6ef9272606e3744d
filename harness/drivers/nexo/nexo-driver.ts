/**
 * The nexo driver: TerminalControl and Display of a terminal that speaks nexo Retailer Sale-to-POI in the
 * JSON form of the Adyen Terminal API local integration (docs/nexo.md). The driver is the sale system:
 *
 * - `signIn` = Login, `purchase` = Payment, `refund` = Payment with PaymentType Refund (referencing the
 *   original's POITransactionID), `void` = Reversal, `balance` = BalanceInquiry, `settle` = Reconciliation;
 *   `status()` = Diagnosis; Abort cancels the running service (`endScenario`, `abort()`).
 * - The outcome of a service lands on the timeline as a `result` observation; receipts in PaymentReceipt
 *   as `receipt` observations (unless the POI's PrintRequests already brought them).
 * - A service whose answer is lost (connection dropped, no answer within `transactionTimeoutMs`) is
 *   recovered with TransactionStatus (repeated while InProgress) for at most `recoveryTimeoutMs`; after
 *   that the driver reports a `NexoDriverLostTransactionError` (broken) through `onFault`. Never a hang.
 * - With `notifications` (payhil's POI), the driver long-polls the POI's DisplayRequest, PrintRequest and
 *   EventNotification messages into `display`, `receipt` and `note` observations.
 *
 * Keys and cards cannot be driven over nexo: on a bench they come from a card presenter / keypad of
 * their own (a test channel, a robot or an operator).
 */
import {
  ActiveGuard,
  ObserverSet,
  type Display,
  type Observation,
  type ObservationListener,
  type TerminalControl,
  type TerminalOperationArgs,
  type TerminalOperationName,
} from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import { waitWithin } from '../../common/wait-within.js';
import { directStartControl } from '../direct-start-control.js';
import { maskPansInText } from '../../common/mask.js';
import {
  currencyOfAlpha,
  nexoRequest,
  type NexoBody,
  type NexoMessage,
  type NexoResponseStatus,
} from '../../nexo/index.js';
import {
  NexoDriverError,
  NexoDriverInactiveError,
  NexoDriverRefusedError,
  NexoDriverUnsupportedError,
} from './errors.js';
import { NexoClient, NexoHttpError, type NexoClientOptions } from './nexo-client.js';
import { notificationObservation, pollNotifications } from './notification-poll.js';
import { serviceRequest, type PoiTransactionId } from './nexo-service-request.js';
import { additional, hasPayhilOutcome, serviceResult } from './nexo-service-result.js';
import { recoverByTransactionStatus, type RecoveryContext } from './transaction-recovery.js';

const log = createLogger('payhil:drivers:nexo');

export interface NexoDriverOptions extends NexoClientOptions {
  /** SaleID of this sale system. Default `payhil`. */
  saleId?: string;
  /** POIID of the terminal. Default `payhil-emulator`. */
  poiId?: string;
  /** ISO 4217 alphabetic currency of the terminal's amounts (e.g. `CNY`). Default `EUR`. */
  currency?: string;
  /** Long-poll payhil's `/nexo/notifications` (a real terminal has none). Default true. */
  notifications?: boolean;
  /** Longest a service may take before its answer counts as lost (ms). Default 120 000. */
  transactionTimeoutMs?: number;
  /** How long `start` waits for a sign the terminal took the service (ms). Default 1500. */
  startTimeoutMs?: number;
  /** Longest a Diagnosis, Abort or TransactionStatus takes (ms). Default 5000. */
  controlTimeoutMs?: number;
  /** Longest recovery of a lost answer by TransactionStatus (ms). Default 15 000. */
  recoveryTimeoutMs?: number;
  /** Between two TransactionStatus requests of a recovery (ms). Default 1000. */
  recoveryIntervalMs?: number;
  /** Longest the driver waits for a previous service to end before the next (ms). Default 10 000. */
  previousTimeoutMs?: number;
  /** Where a fault no call carries goes (a lost transaction): the bench stops the scenario, broken. */
  onFault?: (e: Error) => void;
}

type Resolved = Required<Omit<NexoDriverOptions, 'ca' | 'onFault'>> &
  Pick<NexoDriverOptions, 'ca' | 'onFault'>;

/** A service under way: its request and how it ends. */
interface Running {
  op: TerminalOperationName;
  request: NexoMessage;
  done: Promise<void>;
}

export class NexoDriver {
  readonly terminal: TerminalControl;
  readonly display: Display;
  private readonly client: NexoClient;
  private readonly options: Resolved;
  private readonly active: ActiveGuard<{ stop: AbortController }> = new ActiveGuard(
    (operation) => new NexoDriverInactiveError(this.name, operation),
  );
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));
  private serviceSeq = 0;
  private running: Running | undefined;
  private lastPoiTransaction: PoiTransactionId | undefined;
  private amount: number | undefined;
  private displayLines: string[] | undefined;
  private printsSeen = false;
  /** Called at the next display change while `start` waits for a sign the terminal took the service. */
  private onTook: (() => void) | undefined;
  private readonly exponent: number;

  constructor(
    /** Driver name for messages and reports, e.g. "nexo http://127.0.0.1:4100/nexo". */
    readonly name: string,
    options: NexoDriverOptions,
  ) {
    this.options = {
      url: options.url,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.onFault ? { onFault: options.onFault } : {}),
      saleId: options.saleId ?? 'payhil',
      poiId: options.poiId ?? 'payhil-emulator',
      currency: options.currency ?? 'EUR',
      notifications: options.notifications ?? true,
      transactionTimeoutMs: options.transactionTimeoutMs ?? 120_000,
      startTimeoutMs: options.startTimeoutMs ?? 1500,
      controlTimeoutMs: options.controlTimeoutMs ?? 5000,
      recoveryTimeoutMs: options.recoveryTimeoutMs ?? 15_000,
      recoveryIntervalMs: options.recoveryIntervalMs ?? 1000,
      previousTimeoutMs: options.previousTimeoutMs ?? 10_000,
    };
    this.exponent = currencyOfAlpha(this.options.currency).exponent;
    this.client = new NexoClient(options);
    this.terminal = directStartControl({
      protocol: 'nexo',
      unit: 'service',
      carrier: 'request',
      start: (op, args) => this.start(op, args),
      keepAmount: (amount) => (this.amount = amount),
      note: (text) => this.note(text),
      powerCycle: () =>
        Promise.reject(
          new NexoDriverUnsupportedError(this.name, 'powerCycle', 'nexo cannot switch a terminal off and on'),
        ),
      status: () => this.status(),
      idle: (ms) => this.waitIdle(ms),
    });
    this.display = { text: () => this.displayText() };
  }

  get isActive(): boolean {
    return this.active.active;
  }

  /** True while a service runs (from its request to its result). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Observes results, receipts, display texts and events; returns the unsubscribe. */
  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
  }

  /** Checks the terminal answers (Diagnosis) and starts polling its notifications. Broken when it does not. */
  async activate(): Promise<void> {
    if (this.active.active) return;
    const stop = new AbortController();
    this.active.activate({ stop });
    try {
      await this.diagnosis('activate');
    } catch (e) {
      this.active.deactivate();
      throw e;
    }
    if (this.options.notifications)
      void pollNotifications(
        this.client,
        stop.signal,
        (m) => this.onNotification(m),
        (text) => this.note(text),
      );
  }

  async deactivate(): Promise<void> {
    const a = this.active.deactivate();
    a?.stop.abort();
    this.running = undefined;
  }

  /** Before a scenario: let a previous service end (bounded). */
  async beginScenario(): Promise<void> {
    await this.waitIdle(this.options.previousTimeoutMs);
    this.printsSeen = false;
  }

  /** After a scenario: abort what still runs. */
  async endScenario(): Promise<void> {
    if (!this.active.active || !this.running) return;
    await this.abort().catch(() => undefined);
    await this.waitIdle(3000);
  }

  /** Sends an AbortRequest for the running service (none: nothing to do). */
  async abort(): Promise<void> {
    const r = this.running;
    if (!r) return;
    const m = nexoRequest('Abort', this.parties(), {
      MessageReference: {
        MessageCategory: r.request.header.MessageCategory,
        ServiceID: r.request.header.ServiceID,
        SaleID: this.options.saleId,
        POIID: this.options.poiId,
      },
      AbortReason: 'MerchantAbort',
    });
    await this.send('abort', m, this.options.controlTimeoutMs);
  }

  // ---- services ----------------------------------------------------------------------------------

  private async start(op: TerminalOperationName, args: TerminalOperationArgs = {}): Promise<void> {
    this.active.need(op);
    await this.waitIdle(this.options.previousTimeoutMs);
    if (this.running)
      throw new NexoDriverRefusedError(this.name, op, 'Busy', 'the previous service did not end');
    const request = this.requestFor(op, args);
    let answered = false;
    const phase = { started: false };
    const done = this.carry(op, request, phase).finally(() => {
      answered = true;
      if (this.running?.request === request) this.running = undefined;
    });
    let started = false;
    let timer: NodeJS.Timeout | undefined;
    const running: Running = {
      op,
      request,
      done: done.catch((e: unknown) => {
        // Before `start` returned, the step gets the error; after it, the timeline gets a note.
        if (started) this.note(`${op} did not complete: ${(e as Error).message}`);
      }),
    };
    this.running = running;
    // A refusal of the service itself (Busy, a Reject) is the step's error; anything later is a result.
    const first = await Promise.race([
      done.then(
        () => undefined,
        (e: unknown) => e,
      ),
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), this.options.startTimeoutMs);
        // The terminal's display changing (a DisplayRequest) shows it took the service.
        this.onTook = () => r(undefined);
      }),
    ]);
    this.onTook = undefined;
    clearTimeout(timer);
    started = true;
    phase.started = true;
    if (first instanceof Error) throw first;
    if (!answered)
      this.note(`${op}: service ${request.header.ServiceID} sent; the terminal is working on it`);
  }

  /** Runs one service to its end: the answer, or recovery, then the result observation. */
  private async carry(
    op: TerminalOperationName,
    request: NexoMessage,
    phase: { started: boolean },
  ): Promise<void> {
    let response: NexoMessage | undefined;
    try {
      response = await this.client.send(request, this.options.transactionTimeoutMs);
    } catch (e) {
      if (e instanceof NexoHttpError && e.kind === 'status') throw this.refusedBy(op, e);
      // The request never reached a terminal (nothing listens): nothing to recover, the call fails now.
      if (e instanceof NexoHttpError && e.kind === 'unreachable')
        throw new NexoDriverError(this.name, op, `the terminal is not reachable: ${e.message}`, {
          cause: e,
          causeCode: 'E_NEXO_UNREACHABLE',
        });
      this.note(`${op}: the answer was lost (${(e as Error).message}); asking TransactionStatus`);
      try {
        response = await recoverByTransactionStatus(this.recoveryContext(), op, request, e);
      } catch (lost) {
        // Once `start` returned, no step carries the error: the bench hears it as a fault (broken).
        if (phase.started) this.options.onFault?.(lost as Error);
        throw lost;
      }
    }
    if (!response) throw new NexoDriverError(this.name, op, 'the terminal answered nothing');
    const body = response.body as NexoBody & { Response?: NexoResponseStatus };
    const status = body.Response;
    if (
      status &&
      status.Result === 'Failure' &&
      ['Busy', 'MessageFormat', 'NotAllowed', 'UnavailableService', 'LoggedOut'].includes(
        status.ErrorCondition ?? '',
      ) &&
      !hasPayhilOutcome(status)
    )
      throw new NexoDriverRefusedError(
        this.name,
        op,
        status.ErrorCondition ?? 'Failure',
        additional(status).get('message') ?? '',
      );
    this.onResponse(op, response);
  }

  private requestFor(op: TerminalOperationName, args: TerminalOperationArgs): NexoMessage {
    const amount = this.amount;
    this.amount = undefined;
    return serviceRequest(op, args, {
      name: this.name,
      parties: this.parties(),
      saleId: this.options.saleId,
      currency: this.options.currency,
      exponent: this.exponent,
      amount,
      lastPoiTransaction: this.lastPoiTransaction,
    });
  }

  /** The result (and receipts) of a service's answer onto the timeline. */
  private onResponse(op: TerminalOperationName, m: NexoMessage): void {
    const { result, outcome, poiTransaction, receipts } = serviceResult(op, m, this.exponent);
    if (poiTransaction?.TransactionID && outcome === 'approved' && (op === 'purchase' || op === 'refund'))
      this.lastPoiTransaction = poiTransaction;
    if (!this.printsSeen) for (const r of receipts) this.emit(r);
    this.emit({ kind: 'result', at: Date.now(), data: { result } });
  }

  // ---- status, display, notifications -----------------------------------------------------------

  private async diagnosis(what: string): Promise<Record<string, unknown>> {
    const r = await this.send(
      what,
      nexoRequest('Diagnosis', this.parties(), { HostDiagnosisFlag: false }),
      this.options.controlTimeoutMs,
    );
    const body = r?.body as
      { Response?: NexoResponseStatus; POIStatus?: { GlobalStatus?: string } } | undefined;
    if (!body?.Response)
      throw new NexoDriverError(
        this.name,
        what,
        'the terminal did not answer Diagnosis with a DiagnosisResponse',
      );
    const out: Record<string, unknown> = { globalStatus: body.POIStatus?.GlobalStatus };
    for (const [k, v] of additional(body.Response)) out[k] = v === 'true' ? true : v === 'false' ? false : v;
    return out;
  }

  private async status(): Promise<Record<string, unknown>> {
    const s = await this.diagnosis('status');
    if (typeof s.display !== 'string' && this.displayLines) s.display = this.displayLines.join('\n');
    if (typeof s.display === 'string') s.display = maskPansInText(s.display);
    return s;
  }

  private async displayText(): Promise<string> {
    if (this.displayLines) return this.displayLines.join('\n');
    const s = await this.diagnosis('display');
    return typeof s.display === 'string' ? maskPansInText(s.display) : '';
  }

  private onNotification(m: NexoMessage): void {
    const n = notificationObservation(this.name, m);
    if (!n) return;
    if (n.displayLines) {
      this.displayLines = n.displayLines;
      this.onTook?.();
    }
    if (n.print) this.printsSeen = true;
    this.emit(n.observation);
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  private waitIdle(timeoutMs: number): Promise<void> {
    return waitWithin(this.running?.done, timeoutMs);
  }

  private recoveryContext(): RecoveryContext {
    return {
      name: this.name,
      client: this.client,
      saleId: this.options.saleId,
      poiId: this.options.poiId,
      recoveryTimeoutMs: this.options.recoveryTimeoutMs,
      controlTimeoutMs: this.options.controlTimeoutMs,
      recoveryIntervalMs: this.options.recoveryIntervalMs,
      parties: () => this.parties(),
      isActive: () => this.active.active,
      note: (text) => this.note(text),
    };
  }

  private parties(): { SaleID: string; POIID: string; ServiceID: string } {
    this.serviceSeq = (this.serviceSeq % 999_999_999) + 1;
    return { SaleID: this.options.saleId, POIID: this.options.poiId, ServiceID: String(this.serviceSeq) };
  }

  /** One control exchange; failures are broken errors naming what was asked. */
  private async send(what: string, m: NexoMessage, timeoutMs: number): Promise<NexoMessage | undefined> {
    this.active.need(what);
    try {
      return await this.client.send(m, timeoutMs);
    } catch (e) {
      if (e instanceof NexoHttpError && e.kind === 'status') throw this.refusedBy(what, e);
      throw new NexoDriverError(this.name, what, `${m.header.MessageCategory}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /** A refusal from an HTTP error answer (a Reject event names the field at fault). */
  private refusedBy(what: string, e: NexoHttpError): NexoDriverRefusedError {
    let detail = (e.body ?? '').slice(0, 300);
    try {
      const v = JSON.parse(e.body ?? '') as {
        SaleToPOIRequest?: { EventNotification?: { EventDetails?: string } };
        error?: { message?: string };
      };
      const d = v.SaleToPOIRequest?.EventNotification?.EventDetails;
      detail = d ? (new URLSearchParams(d).get('message') ?? d) : (v.error?.message ?? detail);
    } catch {
      // not JSON: the raw text (bounded) is the detail
    }
    return new NexoDriverRefusedError(this.name, what, `HTTP ${e.status}`, detail);
  }

  private note(text: string): void {
    this.emit({ kind: 'note', at: Date.now(), data: { text: `${this.name}: ${text}` } });
  }

  private emit(o: Observation): void {
    this.observers.emit(o);
  }
}
