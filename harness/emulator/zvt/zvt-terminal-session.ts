/**
 * One cash register on the emulator's ZVT link: reads its commands, maps them onto the terminal operation
 * table (emulator/terminal-operations.ts) and answers as a ZVT terminal does (PA00P015): ACK `80 00 00`,
 * then while the transaction runs Intermediate Status 04 FF for each display change and Print Text-Block
 * 06 D3 for each receipt, then Status Information 04 0F and Completion 06 0F (approved) or Abort 06 1E
 * with an error code. Every message the terminal sends waits (bounded) for the cash register's ACK.
 *
 * Command → operation: Registration 06 00 (log-on of the cash register, no host traffic), Initialisation
 * 06 93 → signIn, Authorization 06 01 → purchase, Pre-Authorisation 06 22 → preAuth, Reversal 06 30 → void, Refund 06 31 → refund,
 * End-of-Day 06 50 → settle, Diagnosis 06 70 (answered at once), Abort 06 B0 → cancel the running one.
 * Unknown commands are answered `84 83 00`, unreadable ones `84 9A 00`.
 */
import { createLogger } from '../../common/logger.js';
import {
  ZvtDecodeError,
  ZVT_COMMANDS,
  ZVT_ERRORS,
  INTERMEDIATE_STATUS as IS,
  abortResult,
  ack,
  apduLabel,
  commandOf,
  completion,
  intermediateStatus,
  isAck,
  isNak,
  nak,
  printTextBlock,
  readRequest,
  statusInformation,
  type Apdu,
  type StatusInfo,
  type ZvtLink,
  type ZvtRequest,
} from '../../zvt/index.js';
import type { EmulatedTerminal } from '../emulated-terminal.js';
import type { TerminalEvents } from '../terminal-events.js';
import type { TerminalResult } from '../terminal-result.js';
import {
  startOperation,
  type StartableOperation,
  type TerminalOperationInput,
} from '../terminal-operations.js';

const log = createLogger('payhil:emulator:zvt');

/** Receipt number (BMP 87) → the transaction it names; shared by the sessions of one server. */
export type ReceiptBook = Map<string, { reference?: string; stan?: string }>;

export interface ZvtSessionOptions {
  terminal: () => EmulatedTerminal;
  events: TerminalEvents;
  /** The password commands must carry (3 BCD bytes, 6 digits). */
  password: string;
  /** How long the terminal waits for the cash register's ACK of each message (ms). */
  ackTimeoutMs: number;
  receipts: ReceiptBook;
}

export class ZvtTerminalSession {
  /** The outgoing message waiting for its ACK. */
  private ackWaiter: ((ok: boolean) => void) | undefined;
  private running = false;

  constructor(
    private readonly link: ZvtLink,
    private readonly options: ZvtSessionOptions,
  ) {}

  /** Serves the link until it closes. */
  async serve(): Promise<void> {
    for (;;) {
      let a: Apdu;
      try {
        a = await this.link.receive(Infinity, 'a command');
      } catch {
        break;
      }
      if (isAck(a) || isNak(a)) {
        const w = this.ackWaiter;
        this.ackWaiter = undefined;
        w?.(isAck(a));
        continue;
      }
      // Not awaited: while a transaction runs, the loop goes on reading ACKs and an Abort 06 B0.
      void this.command(a);
    }
    this.ackWaiter?.(false);
  }

  private async command(a: Apdu): Promise<void> {
    let r: ZvtRequest | undefined;
    try {
      r = readRequest(a);
    } catch (e) {
      log('unreadable %s: %s', apduLabel(a), (e as Error).message);
      await this.reply(
        nak(e instanceof ZvtDecodeError ? ZVT_ERRORS.PROTOCOL_ERROR : ZVT_ERRORS.SYSTEM_ERROR),
      );
      return;
    }
    if (!r) {
      log('unknown command %s', apduLabel(a));
      await this.reply(nak(ZVT_ERRORS.FUNCTION_NOT_POSSIBLE));
      return;
    }
    if (r.kind === 'abort') {
      if (!this.running) {
        await this.reply(nak(ZVT_ERRORS.FUNCTION_NOT_POSSIBLE));
        return;
      }
      await this.reply(ack());
      await this.options
        .terminal()
        .cancel()
        .catch(() => undefined);
      return;
    }
    if (this.running) {
      await this.reply(nak(ZVT_ERRORS.REPEAT));
      return;
    }
    if ('password' in r && r.password !== this.options.password) {
      await this.reply(ack());
      void this.finish(commandOf(a), undefined, ZVT_ERRORS.FUNCTION_NOT_POSSIBLE);
      return;
    }
    switch (r.kind) {
      case 'registration':
      case 'diagnosis':
      case 'logOff':
        await this.reply(ack());
        void this.send(completion());
        return;
      case 'initialisation':
        return this.transaction('signIn', {});
      case 'authorization':
        return this.transaction('purchase', { amount: r.amount ?? 0 }, r.currency);
      case 'preAuthorisation':
        return this.transaction('preAuth', { amount: r.amount ?? 0 });
      case 'reversal': {
        const original = r.receiptNumber ? this.options.receipts.get(r.receiptNumber) : undefined;
        if (!original) {
          await this.reply(ack());
          void this.finish(commandOf(a), undefined, ZVT_ERRORS.REVERSAL_NOT_POSSIBLE);
          return;
        }
        return this.transaction('void', { original });
      }
      case 'refund': {
        const original = r.receiptNumber ? this.options.receipts.get(r.receiptNumber) : undefined;
        return this.transaction('refund', { amount: r.amount ?? 0, original: original ?? {} });
      }
      case 'endOfDay':
        return this.transaction('settle', {});
    }
  }

  /** Starts an operation: ACK, then the terminal's messages while it runs, then its outcome. */
  private async transaction(
    op: StartableOperation,
    input: TerminalOperationInput,
    currency?: string,
  ): Promise<void> {
    // Set before the first await: a second command read meanwhile is refused.
    this.running = true;
    const t = this.options.terminal();
    if (t.status().busy) {
      this.running = false;
      await this.reply(nak(ZVT_ERRORS.REPEAT));
      return;
    }
    const own = t.profile.kernel.currencyCode.padStart(4, '0');
    if (currency !== undefined && currency !== own) {
      this.running = false;
      await this.reply(ack());
      await this.finish(ZVT_COMMANDS.AUTHORIZATION, undefined, ZVT_ERRORS.CURRENCY_NOT_APPLICABLE);
      return;
    }
    // The terminal's display and receipts go out in order while the operation runs, after the ACK.
    let acked = false;
    const early: Buffer[] = [];
    const stop = this.options.events.on((e) => {
      const apdu =
        e.type === 'display'
          ? intermediateStatus(statusOf(e.lines), zvtText(e.lines))
          : e.type === 'receipt'
            ? printTextBlock(e.text.split('\n'), e.copy === 'customer' ? 'customer' : 'merchant')
            : undefined;
      if (!apdu) return;
      if (acked) void this.send(apdu);
      else early.push(apdu);
    });
    // The operation starts before the ACK goes out: once the cash register has its ACK, the terminal
    // already waits for the card (over serial the ACK byte of our frame may come after a card presented
    // on another channel).
    const running: Promise<TerminalResult | undefined> = startOperation(t, op, input).catch((e: unknown) => {
      log('%s failed: %s', op, (e as Error).message);
      return undefined;
    });
    await this.reply(ack());
    acked = true;
    for (const a of early.splice(0)) void this.send(a);
    const result = await running;
    // Receipts printed right at the end come with the result.
    await new Promise((r) => setImmediate(r));
    stop();
    this.running = false;
    await this.finish(0, result, result ? undefined : ZVT_ERRORS.SYSTEM_ERROR);
  }

  /** The outcome: Status Information (when there is a result) and Completion or Abort. */
  private async finish(_cmd: number, result: TerminalResult | undefined, error?: number): Promise<void> {
    if (result) {
      const code = resultCode(result);
      await this.send(statusInformation(this.statusInfo(result, code)));
      await this.send(code === ZVT_ERRORS.NONE ? completion() : abortResult(code));
      return;
    }
    await this.send(abortResult(error ?? ZVT_ERRORS.SYSTEM_ERROR));
  }

  private statusInfo(r: TerminalResult, code: number): StatusInfo {
    const now = new Date();
    const two = (n: number): string => String(n).padStart(2, '0');
    const receipt = r.stan ? r.stan.slice(-4) : undefined;
    if (receipt && r.outcome === 'approved')
      this.options.receipts.set(receipt, {
        ...(r.reference ? { reference: r.reference } : {}),
        ...(r.stan ? { stan: r.stan } : {}),
      });
    const extra = [
      r.reference ? `RRN=${r.reference}` : '',
      r.authCode ? `AC=${r.authCode.trim() || '-'}` : '',
      r.responseCode ? `RC=${r.responseCode}` : '',
      `KEY=${r.messageKey}`,
      `OP=${r.transaction}`,
      `OUTCOME=${r.outcome}`,
    ].filter(Boolean);
    return {
      resultCode: code,
      ...(r.amount !== undefined ? { amount: r.amount } : {}),
      ...(r.stan && /^\d{1,6}$/.test(r.stan) ? { trace: r.stan } : {}),
      time: `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`,
      date: `${two(now.getMonth() + 1)}${two(now.getDate())}`,
      ...(r.maskedPan && /^\d{6}\*+\d{4}$/.test(r.maskedPan) ? { maskedPan: r.maskedPan } : {}),
      ...(r.currency && /^\d{1,4}$/.test(r.currency) ? { currency: r.currency } : {}),
      ...(receipt && /^\d{4}$/.test(receipt) ? { receiptNumber: receipt } : {}),
      additional: extra.join(' '),
    };
  }

  /** An answer to the cash register's command (80 00 00 or 84 xx 00): not acknowledged itself. */
  private async reply(apdu: Buffer): Promise<void> {
    await this.link.send(apdu).catch((e: Error) => log('reply failed: %s', e.message));
  }

  /** A terminal message: sent, then the cash register's ACK awaited (bounded). Serialized. */
  private sending: Promise<void> = Promise.resolve();
  private send(apdu: Buffer): Promise<void> {
    const run = this.sending.then(async () => {
      if (this.link.closed) return;
      const acked = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.ackWaiter = undefined;
          resolve(false);
        }, this.options.ackTimeoutMs);
        this.ackWaiter = (ok) => {
          clearTimeout(timer);
          resolve(ok);
        };
      });
      try {
        await this.link.send(apdu);
      } catch (e) {
        this.ackWaiter?.(false);
        log('send failed: %s', (e as Error).message);
        return;
      }
      if (!(await acked)) log('no ACK from the cash register for %s', apdu.subarray(0, 2).toString('hex'));
    });
    this.sending = run.catch(() => undefined);
    return run;
  }
}

/** The ZVT result code of a terminal result: 00 approved, the host's code 01–63, else a ZVT error code. */
export function resultCode(r: TerminalResult): number {
  if (r.outcome === 'approved') return ZVT_ERRORS.NONE;
  if (r.outcome === 'cancelled') return ZVT_ERRORS.ABORTED;
  if (r.responseCode && /^\d\d$/.test(r.responseCode)) {
    const n = Number(r.responseCode);
    if (n >= 1 && n <= 63) return n;
  }
  if (r.outcome === 'failed')
    return /host|timeout|connect/i.test(r.messageKey)
      ? ZVT_ERRORS.REMOTE_NOT_ANSWERING
      : ZVT_ERRORS.SYSTEM_ERROR;
  return /card/i.test(r.messageKey) ? ZVT_ERRORS.CARD_NOT_READABLE : ZVT_ERRORS.PROCESSING_ERROR;
}

/** The intermediate status code for a display (the lines go along as text). */
export function statusOf(lines: readonly string[]): number {
  const t = lines.join(' ');
  if (/REMOVE/i.test(t)) return IS.REMOVE_CARD;
  if (/INSERT|TAP|SWIPE|PRESENT|CARD/i.test(t)) return IS.INSERT_CARD;
  if (/WRONG PIN|INCORRECT PIN/i.test(t)) return IS.INCORRECT_PIN;
  if (/PIN/i.test(t)) return IS.WATCH_PIN_PAD;
  if (/APPROVED/i.test(t)) return IS.PAYMENT_APPROVED;
  if (/DECLINED/i.test(t)) return IS.DECLINED;
  if (/CONNECT|PROCESSING|ONLINE/i.test(t)) return IS.WAITING_FOR_FEP;
  return IS.PLEASE_WAIT;
}

/** Display lines a ZVT text line can carry (ASCII; other characters become '?'; lines of none dropped). */
export function zvtText(lines: readonly string[]): string[] {
  const ascii = lines.filter((l) => /^[\x20-\x7e]*$/.test(l));
  return ascii.length ? ascii : lines.map((l) => l.replace(/[^\x20-\x7e]/g, '?'));
}
