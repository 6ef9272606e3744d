/**
 * The zvt driver: a payment terminal reached over ZVT (PA00P015), on TCP or a serial port. It implements
 * `TerminalControl` (purchase → Authorization 06 01, preAuth → Pre-Authorisation 06 22, void → Reversal 06 30, refund → Refund 06 31,
 * settle → End-of-Day 06 50, signIn → Initialisation 06 93; the link starts with Registration 06 00 and
 * `status` asks Diagnosis 06 70) and `Display` (the last Intermediate Status text). ZVT carries no card
 * insertion or PIN entry from the cash register: on a bench, cards and keys come from another presenter
 * (the test-mode presenter on the emulated bench; a mux, robot or operator on a real one).
 *
 * The terminal's messages become observations (display, receipt, result; see zvt-observations.ts). Every
 * wait is bounded: a terminal that does not ACK a command within `ackTimeoutMs` makes the call reject, one
 * that falls silent mid-transaction for `silenceTimeoutMs` is reported through `onFault` as a broken
 * `ZvtDriverError` (E_DRIVER_ZVT_SILENT), and the link is opened anew for the next command.
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
import { isPayhilError } from '../../common/payhil-error.js';
import {
  DEFAULT_PASSWORD,
  ZVT_COMMANDS as C,
  ZVT_ERRORS,
  ZvtLink,
  abortRequest,
  ack,
  apduLabel,
  authorization,
  preAuthorisation,
  commandOf,
  diagnosis,
  endOfDay,
  initialisation,
  isAck,
  isNak,
  nak,
  readAbortCode,
  readIntermediateStatus,
  readPrintLine,
  readStatusInformation,
  readTextBlock,
  refund,
  registration,
  reversal,
  type Apdu,
  type StatusInfo,
  type ZvtChannel,
  type ZvtTraceRecord,
  type ZvtTransport,
} from '../../zvt/index.js';
import { ZvtDriverError, ZvtDriverRefusedError, ZvtDriverUnsupportedError } from './errors.js';
import { displayLines, resultOf } from './zvt-observations.js';

const log = createLogger('payhil:drivers:zvt');

/** Config-byte of the Registration payhil sends (the spec's example BA: the ECR prints the receipts). */
const CONFIG_BYTE = 0xba;

export interface ZvtDriverOptions {
  transport: ZvtTransport;
  /** The terminal's password (6 digits). Default 123456. */
  password?: string;
  /** ISO 4217 numeric currency for Registration (e.g. "0978"); default none (the terminal's). */
  currency?: string;
  /** How long the terminal may take to ACK a command (ms). Default 5 000. */
  ackTimeoutMs?: number;
  /** Longest silence of the terminal while a command runs (ms). Default 120 000. */
  silenceTimeoutMs?: number;
  /** How long `start` waits for a previous command to end (ms). Default 10 000. */
  previousTimeoutMs?: number;
  /** Serial: the transport ACK timeout and sends per frame (ZvtLink). */
  serialAckTimeoutMs?: number;
  /** Hears faults no call can carry (the terminal fell silent mid-transaction): the bench's `fault`. */
  onFault?: (error: ZvtDriverError) => void;
  /** Put every APDU in and out on the timeline as an `ecr-frame` note. Default false. */
  traceFrames?: boolean;
}

/** How a concrete driver opens its channel (TCP socket, serial port). */
export type ZvtOpener = () => Promise<ZvtChannel>;

interface Running {
  op: string;
  done: Promise<void>;
}

export class ZvtDriver {
  readonly terminal: TerminalControl;
  readonly display: Display;

  private readonly link: ActiveGuard<ZvtLink> = new ActiveGuard(
    (operation) =>
      new ZvtDriverError(this.name, operation, 'the driver is not active', { code: 'E_DRIVER_INACTIVE' }),
  );
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));
  private running: Running | undefined;
  private lines: string[] = [];
  private amount: number | undefined;
  /** Reference or STAN of an approved transaction → its receipt number (BMP 87). */
  private readonly receipts = new Map<string, string>();
  private lastReceipt: string | undefined;
  private readonly o: Required<Omit<ZvtDriverOptions, 'currency' | 'onFault' | 'serialAckTimeoutMs'>> &
    Pick<ZvtDriverOptions, 'currency' | 'onFault' | 'serialAckTimeoutMs'>;

  constructor(
    /** Driver name for messages and reports, e.g. "zvt-tcp 127.0.0.1:20007". */
    readonly name: string,
    private readonly opener: ZvtOpener,
    options: ZvtDriverOptions,
  ) {
    this.o = {
      transport: options.transport,
      password: options.password ?? DEFAULT_PASSWORD,
      ackTimeoutMs: options.ackTimeoutMs ?? 5000,
      silenceTimeoutMs: options.silenceTimeoutMs ?? 120_000,
      previousTimeoutMs: options.previousTimeoutMs ?? 10_000,
      traceFrames: options.traceFrames ?? false,
      currency: options.currency,
      onFault: options.onFault,
      serialAckTimeoutMs: options.serialAckTimeoutMs,
    };
    this.terminal = directStartControl({
      protocol: 'ZVT',
      unit: 'transaction',
      carrier: 'command',
      start: (op, args) => this.start(op, args),
      keepAmount: (amount) => (this.amount = amount),
      note: (text) => this.note(text),
      powerCycle: () =>
        Promise.reject(
          new ZvtDriverUnsupportedError(this.name, 'powerCycle', 'ZVT cannot switch a terminal off and on'),
        ),
      status: () => this.status(),
      idle: (ms) => this.waitIdle(ms),
    });
    this.display = { text: async () => this.lines.join('\n') };
  }

  get active(): boolean {
    return this.link.active;
  }

  /** True while a command runs (from its ACK to its Completion or Abort). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
  }

  /** Opens the link and registers the cash register (Registration 06 00 → Completion). */
  async activate(): Promise<void> {
    if (this.link.active) return;
    await this.connect('activate');
  }

  async deactivate(): Promise<void> {
    const l = this.link.deactivate();
    this.running = undefined;
    if (l) await l.close().catch(() => undefined);
  }

  /** Before a scenario: a previous command ends (bounded); a link lost to a fault is opened anew. */
  async beginScenario(): Promise<void> {
    await this.waitIdle(this.o.previousTimeoutMs);
    this.lines = [];
    const l = this.link.current;
    if (!l || l.closed) {
      if (l) this.link.release(l);
      await this.connect('beginScenario');
    }
  }

  /** After a scenario: a command still running is aborted (Abort 06 B0), bounded. */
  async endScenario(): Promise<void> {
    const l = this.link.current;
    if (!l || l.closed || !this.running) return;
    await l.send(abortRequest()).catch(() => undefined);
    await this.waitIdle(3000);
  }

  // ---- the link ----------------------------------------------------------------------------------

  private async connect(what: string): Promise<void> {
    let channel: ZvtChannel;
    try {
      channel = await this.opener();
    } catch (e) {
      throw this.broken(what, e);
    }
    const link = new ZvtLink(channel, {
      transport: this.o.transport,
      ...(this.o.serialAckTimeoutMs !== undefined ? { ackTimeoutMs: this.o.serialAckTimeoutMs } : {}),
      onBadInput: (e) => this.note(`bad input from the terminal: ${e.message}`),
      ...(this.o.traceFrames ? { onTrace: (r: ZvtTraceRecord) => this.trace(r) } : {}),
    });
    link.onClose(() => {
      if (this.link.current === link) this.note('ZVT link closed');
    });
    this.link.activate(link);
    try {
      // Registration: ACK, then Completion (a terminal may send status or print messages between).
      await this.command(link, 'registration', registration(this.o.password, CONFIG_BYTE, this.o.currency));
      const end = await this.follow(link, 'registration', false);
      if (end.abortCode !== undefined)
        throw new ZvtDriverError(
          this.name,
          what,
          `Registration aborted by the terminal with error 0x${end.abortCode.toString(16)}`,
        );
    } catch (e) {
      this.link.release(link);
      await link.close().catch(() => undefined);
      throw this.broken(what, e);
    }
    log('%s registered', this.name);
  }

  /** Sends a command and waits for its ACK: NAK → refused, silence → broken. Returns an early message. */
  private async command(link: ZvtLink, what: string, apdu: Buffer): Promise<Apdu | undefined> {
    // What arrived after the last command ended (the answer to an abort that came too late) is not this
    // command's answer.
    for (const stale of link.drain()) this.note(`dropped ${apduLabel(stale)} received between commands`);
    try {
      await link.send(apdu);
      const a = await link.receive(this.o.ackTimeoutMs, `the ACK of ${what}`);
      if (isAck(a)) return undefined;
      if (isNak(a)) throw new ZvtDriverRefusedError(this.name, what, a.ins);
      // Some terminals answer with their first message straight away: handled as part of the command.
      return a;
    } catch (e) {
      throw this.broken(what, e);
    }
  }

  /**
   * Reads the terminal's messages until Completion or Abort, ACKing each, turning them into observations.
   * Each wait is bounded by `silenceTimeoutMs`.
   */
  private async follow(
    link: ZvtLink,
    op: string,
    emitResult: boolean,
    first?: Apdu,
  ): Promise<{ info?: StatusInfo; abortCode?: number }> {
    let info: StatusInfo | undefined;
    const printLines: string[] = [];
    let next: Apdu | undefined = first;
    for (;;) {
      const a =
        next ?? (await link.receive(this.o.silenceTimeoutMs, `the terminal's next message during ${op}`));
      next = undefined;
      // The answer to an Abort 06 B0 sent meanwhile (ACK, or 84 83 00 when it came too late).
      if (isAck(a) || isNak(a)) continue;
      const cmd = commandOf(a);
      try {
        switch (cmd) {
          case C.INTERMEDIATE_STATUS: {
            const s = readIntermediateStatus(a);
            this.lines = displayLines(s.status, s.lines);
            this.emit({
              kind: 'display',
              at: Date.now(),
              data: { lines: [...this.lines], source: 'zvt', status: s.status },
            });
            break;
          }
          case C.PRINT_LINE: {
            const p = readPrintLine(a);
            printLines.push(p.text);
            if (p.attribute & 0x80) this.receipt(printLines.splice(0).join('\n'), 'merchant');
            break;
          }
          case C.PRINT_TEXT_BLOCK: {
            const t = readTextBlock(a);
            this.receipt(t.lines.join('\n'), t.type === 'customer' ? 'customer' : 'merchant');
            break;
          }
          case C.STATUS_INFORMATION:
            info = readStatusInformation(a);
            break;
          case C.COMPLETION:
          case C.ABORT_PT:
            break;
          default:
            this.note(`unexpected ${apduLabel(a)} during ${op}; acknowledged`);
        }
      } catch (e) {
        // A message that cannot be read: refused (84 9A 00), the command given up as broken.
        await link.send(nak(ZVT_ERRORS.PROTOCOL_ERROR)).catch(() => undefined);
        throw e;
      }
      await link.send(ack());
      if (cmd === C.COMPLETION || cmd === C.ABORT_PT) {
        if (printLines.length) this.receipt(printLines.join('\n'), 'merchant');
        const abortCode = cmd === C.ABORT_PT ? readAbortCode(a) : undefined;
        if (emitResult) {
          const result = resultOf(op, info, abortCode);
          this.remember(result);
          this.emit({ kind: 'result', at: Date.now(), data: { result } });
        }
        return { ...(info ? { info } : {}), ...(abortCode !== undefined ? { abortCode } : {}) };
      }
    }
  }

  // ---- terminal ----------------------------------------------------------------------------------

  private async start(op: TerminalOperationName, args: TerminalOperationArgs = {}): Promise<void> {
    this.link.need(op);
    await this.waitIdle(this.o.previousTimeoutMs);
    if (this.running)
      throw new ZvtDriverError(this.name, op, `the previous ${this.running.op} has not ended`);
    const link = await this.usableLink(op);
    const apdu = this.apduFor(op, args);
    const first = await this.command(link, op, apdu);
    const done = this.follow(link, op, true, first).then(
      () => undefined,
      (e: unknown) => this.lost(link, op, e),
    );
    const running: Running = { op, done };
    this.running = running;
    void done.finally(() => {
      if (this.running === running) this.running = undefined;
    });
  }

  private apduFor(op: TerminalOperationName, args: TerminalOperationArgs): Buffer {
    const amount = args.amount ?? this.amount ?? 0;
    this.amount = undefined;
    const pw = this.o.password;
    switch (op) {
      case 'purchase':
        return authorization(amount);
      case 'preAuth':
        return preAuthorisation(amount);
      case 'void':
        return reversal(pw, this.receiptOf(op, args.of));
      case 'refund':
        return refund(pw, amount, this.receiptOf(op, args.of, true));
      case 'settle':
        return endOfDay(pw);
      case 'signIn':
        return initialisation(pw);
      default:
        throw new ZvtDriverUnsupportedError(this.name, op, `payhil does not map ${op} onto a ZVT command`);
    }
  }

  /** The receipt number (BMP 87) of an original named by reference, STAN, receipt number or 'last'. */
  private receiptOf(op: string, of: string | undefined, optional = false): string {
    const name = of ?? 'last';
    const r = name === 'last' ? this.lastReceipt : /^\d{4}$/.test(name) ? name : this.receipts.get(name);
    if (r) return r;
    if (optional) return '';
    throw new ZvtDriverError(this.name, op, `no receipt number known for the original '${name}'`, {
      code: 'E_DRIVER_NO_ORIGINAL',
    });
  }

  private remember(result: Record<string, unknown>): void {
    const receipt = result.receiptNumber;
    if (typeof receipt !== 'string' || result.outcome !== 'approved') return;
    this.lastReceipt = receipt;
    for (const k of [result.reference, result.stan]) if (typeof k === 'string') this.receipts.set(k, receipt);
  }

  /** The link, opened anew when a fault closed it. */
  private async usableLink(op: string): Promise<ZvtLink> {
    const l = this.link.need(op);
    if (!l.closed) return l;
    this.link.release(l);
    await this.connect(op);
    return this.link.need(op);
  }

  /** The running command failed (silence, closed link, unreadable message): broken, link dropped. */
  private async lost(link: ZvtLink, op: string, e: unknown): Promise<void> {
    const err = this.broken(op, e, 'E_DRIVER_ZVT_SILENT');
    this.note(err.message);
    await link.close().catch(() => undefined);
    this.o.onFault?.(err);
  }

  private async status(): Promise<Record<string, unknown>> {
    const l = this.link.need('status');
    const out: Record<string, unknown> = {
      zvtLink: l.closed ? 'closed' : 'open',
      zvtBusy: this.running !== undefined,
      display: this.lines.join('\n'),
    };
    if (!this.running && !l.closed) {
      const first = await this.command(l, 'diagnosis', diagnosis());
      const end = await this.follow(l, 'diagnosis', false, first).catch((e: unknown) => {
        throw this.broken('diagnosis', e);
      });
      out.zvtDiagnosis = end.abortCode === undefined ? 'ok' : `error 0x${end.abortCode.toString(16)}`;
    }
    return out;
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    return waitWithin(this.running?.done, timeoutMs);
  }

  private receipt(text: string, copy: 'merchant' | 'customer'): void {
    this.emit({ kind: 'receipt', at: Date.now(), data: { text: maskPansInText(text), copy } });
  }

  private broken(what: string, e: unknown, code?: string): ZvtDriverError {
    if (e instanceof ZvtDriverError) return e;
    return new ZvtDriverError(this.name, what, (e as Error).message ?? String(e), {
      cause: e,
      ...(code ? { code } : {}),
      ...(isPayhilError(e) ? { causeCode: e.code } : {}),
    });
  }

  private trace(r: ZvtTraceRecord): void {
    this.emit({
      kind: 'ecr-frame',
      at: Date.now(),
      data: { text: `ZVT ${r.dir} ${r.what} ${r.bytes} B`, source: 'zvt-trace' },
    });
  }

  private note(text: string): void {
    this.emit({ kind: 'note', at: Date.now(), data: { text: `${this.name}: ${text}` } });
  }

  private emit(o: Observation): void {
    this.observers.emit(o);
  }
}
