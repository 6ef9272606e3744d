/**
 * The terminal's session with its acquirer host: the ISO 8583 link (every message an event, fields
 * masked), financial exchanges with their MAC check, and the reversal queue (a reversal queued when an
 * answer never came or could not be trusted, sent before the next transaction, retried per the profile).
 */
import type { ClockTimer } from '../../common/clock.js';
import { maskFields } from '../../iso8583/index.js';
import type { IsoMessage } from '../../iso8583/index.js';
import { RC, REVERSAL_REASON } from '../../pos-protocol/index.js';
import type { TerminalCore } from '../core/terminal-core.js';
import { HostLinkError } from '../errors.js';
import { HostLink, type HostAddress } from './host-link.js';
import type { BatchRecord } from '../core/terminal-batch.js';
import { TerminalMessages } from './host-messages.js';

/** What a financial exchange gave: the request as last sent, and the answer or why there is none. */
export interface FinancialExchange {
  request: IsoMessage;
  answer?: IsoMessage;
  badMac?: boolean;
  connectFailed?: boolean;
  rc?: string;
}

interface PendingReversal {
  request: IsoMessage;
  reason: string;
  attempts: number;
}

export class HostSession {
  readonly link: HostLink;
  readonly messages: TerminalMessages;
  private pending: PendingReversal | undefined;
  /** The next try of the pending reversal while the terminal is idle. */
  private idleTimer: ClockTimer | undefined;
  /** A try made while idle, still waiting for its answer (a transaction started meanwhile waits for it). */
  private idleSend: Promise<boolean> | undefined;

  constructor(
    private readonly core: TerminalCore,
    host: HostAddress,
  ) {
    const profile = core.profile;
    const dialect = core.dialect;
    this.messages = new TerminalMessages(core);
    this.link = new HostLink({
      clock: core.clock,
      dialect,
      address: host,
      ...(profile.tpdu ? { tpdu: profile.tpdu } : {}),
      ...(profile.header ? { header: profile.header } : {}),
      onMessage: (direction, msg) =>
        core.events.emit({
          type: 'message',
          direction,
          mti: msg.mti,
          fields: maskFields(dialect, msg.fields),
          ...(direction === 'received' && msg.fields[39] !== undefined
            ? { responseCode: msg.fields[39] }
            : {}),
        }),
    });
  }

  /** True while a reversal waits to be sent. */
  get hasPendingReversal(): boolean {
    return this.pending !== undefined;
  }

  /** One request, one answer; rejects with HostLinkError (see {@link hostError}). */
  exchange(request: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    return this.link.exchange(request, timeoutMs);
  }

  /** Notes a host link failure as a `host-error` event; anything else is rethrown. */
  hostError(e: unknown, mti: string): void {
    if (e instanceof HostLinkError)
      this.core.events.emit({ type: 'host-error', reason: e.reason, mti, text: e.message });
    else throw e;
  }

  /**
   * Sends a financial request. No answer (timeout, closed) → reversal queued and tried once (or, with
   * `double-submit-on-retry`, the request sent again with a new STAN). A bad MAC on the answer → reversal.
   */
  async exchangeFinancial(request: IsoMessage): Promise<FinancialExchange> {
    const core = this.core;
    let req = request;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const answer = await this.link.exchange(req, core.profile.timeouts.host);
        const rc = answer.fields[39];
        if (this.messages.macBad(answer)) {
          core.events.emit({
            type: 'host-error',
            reason: 'bad-mac',
            mti: answer.mti,
            text: `answer to ${req.mti} has a MAC that does not verify`,
          });
          if (rc === RC.APPROVED) await this.queueReversal(req, REVERSAL_REASON.BAD_MAC);
          return { request: req, badMac: true, ...(rc ? { rc } : {}) };
        }
        return { request: req, answer };
      } catch (e) {
        if (!(e instanceof HostLinkError)) throw e;
        this.hostError(e, req.mti);
        if (e.reason === 'connect') return { request: req, connectFailed: true };
        if (core.defects.has('double-submit-on-retry') && attempt === 0) {
          req = this.messages.withStan(req, core.nextStan());
          continue;
        }
        if (!core.defects.has('no-reversal-on-timeout'))
          await this.queueReversal(req, REVERSAL_REASON.NO_ANSWER);
        return { request: req };
      }
    }
    return { request: req };
  }

  /** Sends one batch record as a 0320 upload; the answer, or undefined when the line failed (noted). */
  async uploadRecord(r: BatchRecord): Promise<IsoMessage | undefined> {
    const up = this.messages.batchUpload(r);
    try {
      return await this.link.exchange(up, this.core.profile.timeouts.host);
    } catch (e) {
      this.hostError(e, up.mti);
      return undefined;
    }
  }

  // ---- reversal queue ----------------------------------------------------------------------------

  /** Queues a reversal of `request` for `reason` (field 39) and sends it once. */
  async queueReversal(request: IsoMessage, reason: string): Promise<void> {
    this.pending = { request, reason, attempts: 0 };
    this.core.events.emit({ type: 'reversal', status: 'queued', stan: request.fields[11] ?? '', reason });
    await this.sendReversal();
    this.scheduleIdleReversal();
  }

  /**
   * While a reversal is pending, tries it again every `reversal.interval` as long as the terminal is idle
   * (up to the profile's count of tries, like before a transaction). With `reversal-after-next-txn` the
   * firmware only sends it after the next transaction.
   */
  private scheduleIdleReversal(): void {
    const core = this.core;
    if (!this.pending || this.idleTimer || core.defects.has('reversal-after-next-txn')) return;
    this.idleTimer = core.clock.setTimeout(
      () => {
        this.idleTimer = undefined;
        if (!this.pending) return;
        if (core.busy || core.state !== 'idle') return this.scheduleIdleReversal();
        this.idleSend = this.sendReversal().finally(() => {
          this.idleSend = undefined;
          if (!core.busy) core.toIdle();
          this.scheduleIdleReversal();
        });
      },
      core.profile.reversal.intervalMs,
      { unref: true },
    );
  }

  /** One attempt; true when answered. */
  private async sendReversal(): Promise<boolean> {
    const core = this.core;
    const p = this.pending;
    if (!p) return true;
    core.setState('reversal');
    core.show('reversing');
    p.attempts++;
    const stan = p.request.fields[11] ?? '';
    const msg = this.messages.reversal(p.request, p.reason);
    core.events.emit({ type: 'reversal', status: 'sent', stan, reason: p.reason });
    try {
      await this.link.exchange(msg, core.profile.timeouts.reversal);
      this.pending = undefined;
      core.events.emit({ type: 'reversal', status: 'answered', stan, reason: p.reason });
      return true;
    } catch (e) {
      this.hostError(e, msg.mti);
      core.events.emit({ type: 'reversal', status: 'failed', stan, reason: p.reason });
      if (p.attempts > core.profile.reversal.retries) {
        this.pending = undefined;
        core.events.emit({ type: 'reversal', status: 'abandoned', stan, reason: p.reason });
      }
      return false;
    }
  }

  /**
   * Sends a pending reversal before a transaction; returns what to do after it. With
   * `reversal-after-next-txn` the reversal that was pending at the start goes out after the transaction.
   */
  async reversalBefore(signal: AbortSignal): Promise<() => Promise<void>> {
    if (!this.core.defects.has('reversal-after-next-txn')) {
      await this.flushReversal(signal);
      return async () => undefined;
    }
    const old = this.pending;
    return async () => {
      if (old && this.pending === old) await this.flushReversal(signal);
    };
  }

  /**
   * Resolves when no reversal tried while idle is on the line. A transaction waits for it before it
   * begins (the terminal is then still in `reversal`); once the terminal is busy no idle try starts.
   */
  async idleReversalSettled(): Promise<void> {
    if (this.idleSend) await this.idleSend;
  }

  /** Sends the pending reversal (repeating up to the profile's count) before going on. */
  private async flushReversal(signal: AbortSignal): Promise<void> {
    const core = this.core;
    for (let i = 0; this.pending && i <= core.profile.reversal.retries; i++) {
      if (i > 0) await core.sleep(core.profile.reversal.intervalMs, signal);
      if (await this.sendReversal()) return;
    }
    this.scheduleIdleReversal();
  }

  close(): void {
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    this.link.close();
  }
}
