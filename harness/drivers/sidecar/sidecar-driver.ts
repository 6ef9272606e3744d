/**
 * The sidecar driver: a terminal driven through another process that speaks the sidecar JSON-lines
 * protocol (sidecar-protocol.ts, docs/sidecar-protocol.md) — how a lab reaches a terminal whose vendor
 * protocol lives in a DLL or a serial command set, possibly on another machine. The sidecar runs as this
 * driver's child (its stdin/stdout) or listens on TCP.
 *
 * `terminal.start` sends `start` and resolves once the sidecar says the terminal took the transaction; its
 * end is the sidecar's `result` event. Events become observations (display, receipt, result, state, note;
 * PANs in texts masked). Every wait is bounded. What breaks the protocol — a line that is not JSON, a line
 * over 64 KiB, an answer to an unknown id, an event of the wrong shape, a sidecar that exits or goes
 * silent mid-transaction — is a `SidecarDriverError` (broken) handed to `onFault` (the bench's fault) and
 * noted on the timeline; the running transaction ends there, so nothing waits for it.
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
import { maskPansInText } from '../../common/mask.js';
import { isPayhilError } from '../../common/payhil-error.js';
import { waitWithin } from '../../common/wait-within.js';
import { directStartControl } from '../direct-start-control.js';
import {
  ChildProcessChannel,
  JsonLinesPeer,
  KitChannelClosedError,
  KitRemoteError,
  connectTcpChannel,
  type ByteChannel,
  type KitBadInputError,
} from '../kit/index.js';
import { SidecarDriverError, SidecarDriverRefusedError, SidecarDriverUnsupportedError } from './errors.js';
import {
  SIDECAR_EVENTS as E,
  SIDECAR_METHODS as M,
  eventProblem,
  helloProblem,
  type SidecarHello,
} from './sidecar-protocol.js';

const log = createLogger('payhil:drivers:sidecar');

/** Where the sidecar is: a command this driver starts (stdio), or a TCP address it listens on. */
export type SidecarResource =
  | { command: string; args?: string[]; cwd?: string }
  | { host: string; port: number; connectTimeoutMs?: number };

export interface SidecarDriverOptions {
  /** Longest `hello`, `abort` and `status` may take (ms). Default 5 000. */
  requestTimeoutMs?: number;
  /** Longest the sidecar may take to say the terminal took a transaction (ms). Default 10 000. */
  startTimeoutMs?: number;
  /** Longest from start to the `result` event (ms). Default 120 000. */
  transactionTimeoutMs?: number;
  /** How long `start` waits for a previous transaction to end (ms). Default 10 000. */
  previousTimeoutMs?: number;
  /** Longest line accepted from the sidecar (bytes). Default 64 KiB. */
  maxLineBytes?: number;
  /** Hears faults no call carries (bad input, the sidecar gone mid-transaction): the bench's `fault`. */
  onFault?: (e: SidecarDriverError) => void;
}

interface Running {
  op: TerminalOperationName;
  done: Promise<void>;
  end: () => void;
  timer: NodeJS.Timeout | undefined;
}

/** How long a sidecar whose output closed gets to report its exit (for the message). */
const EXIT_WAIT_MS = 500;

type Resolved = Required<Omit<SidecarDriverOptions, 'onFault'>> & Pick<SidecarDriverOptions, 'onFault'>;

export class SidecarDriver {
  readonly name: string;
  readonly terminal: TerminalControl;
  readonly display: Display;
  private readonly peer: ActiveGuard<JsonLinesPeer> = new ActiveGuard(
    (operation) =>
      new SidecarDriverError(this.name, operation, 'the driver is not active', { code: 'E_DRIVER_INACTIVE' }),
  );
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));
  private readonly o: Resolved;
  private running: Running | undefined;
  private lines: string[] = [];
  private amount: number | undefined;
  private hello: SidecarHello | undefined;
  private channel: ByteChannel | undefined;

  constructor(
    private readonly resource: SidecarResource,
    options: SidecarDriverOptions = {},
  ) {
    this.name =
      'command' in resource ? `sidecar ${resource.command}` : `sidecar ${resource.host}:${resource.port}`;
    this.o = {
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      startTimeoutMs: options.startTimeoutMs ?? 10_000,
      transactionTimeoutMs: options.transactionTimeoutMs ?? 120_000,
      previousTimeoutMs: options.previousTimeoutMs ?? 10_000,
      maxLineBytes: options.maxLineBytes ?? 64 * 1024,
      onFault: options.onFault,
    };
    this.terminal = directStartControl({
      protocol: 'the sidecar',
      unit: 'transaction',
      carrier: 'request',
      start: (op, args) => this.start(op, args),
      keepAmount: (amount) => (this.amount = amount),
      note: (text) => this.note(text),
      powerCycle: () =>
        Promise.reject(
          new SidecarDriverUnsupportedError(
            this.name,
            'powerCycle',
            'the sidecar protocol has no power cycle',
          ),
        ),
      status: () => this.status(),
      idle: (ms) => waitWithin(this.running?.done, ms),
    });
    this.display = { text: async () => this.lines.join('\n') };
  }

  get active(): boolean {
    return this.peer.active;
  }

  /** True from an accepted `start` to its `result` event (or the fault that ended it). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** What the sidecar said in `hello` (name, offers), once active. */
  get sidecar(): SidecarHello | undefined {
    return this.hello;
  }

  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
  }

  /** Starts or reaches the sidecar and says hello. Activating twice is a no-op. */
  async activate(): Promise<void> {
    if (this.peer.active) return;
    await this.connect('activate');
  }

  async deactivate(): Promise<void> {
    const p = this.peer.deactivate();
    this.finish();
    if (p) await p.close().catch(() => undefined);
  }

  /** Before a scenario: a previous transaction ends (bounded); a sidecar that went away is reached anew. */
  async beginScenario(): Promise<void> {
    await waitWithin(this.running?.done, this.o.previousTimeoutMs);
    this.lines = [];
    const p = this.peer.current;
    if (!p || p.closed) {
      if (p) this.peer.release(p);
      await this.connect('beginScenario');
    }
  }

  /** After a scenario: a transaction still running is aborted (bounded). */
  async endScenario(): Promise<void> {
    const p = this.peer.current;
    if (!p || p.closed || !this.running) return;
    await p.request(M.ABORT, undefined, this.o.requestTimeoutMs).catch((e: unknown) => {
      this.note(`abort: ${(e as Error).message}`);
    });
    await waitWithin(this.running?.done, this.o.requestTimeoutMs);
  }

  // ---- the link ----------------------------------------------------------------------------------

  private async connect(what: string): Promise<void> {
    let channel: ByteChannel;
    try {
      channel =
        'command' in this.resource
          ? await ChildProcessChannel.start(this.resource.command, this.resource.args ?? [], {
              ...(this.resource.cwd !== undefined ? { cwd: this.resource.cwd } : {}),
            })
          : await connectTcpChannel(this.resource.host, this.resource.port, this.resource.connectTimeoutMs);
    } catch (e) {
      throw this.broken(what, e);
    }
    this.channel = channel;
    // What the sidecar says before its hello: one that turns the link down (another driver is served)
    // says why in a note, then closes.
    let greeted = false;
    const said: string[] = [];
    const peer: JsonLinesPeer = new JsonLinesPeer(channel, {
      maxLineBytes: this.o.maxLineBytes,
      onEvent: (event, data) => {
        if (!greeted && event === E.NOTE && typeof data.text === 'string')
          said.push(maskPansInText(data.text));
        this.onEvent(event, data);
      },
      onBadInput: (e) => this.badInput(e),
      onClose: () => this.closed(peer),
    });
    this.peer.activate(peer);
    try {
      const hello = await peer.request(M.HELLO, {}, this.o.requestTimeoutMs);
      const problem = helloProblem(hello);
      if (problem) throw new SidecarDriverError(this.name, what, `the sidecar's hello: ${problem}`);
      this.hello = hello as SidecarHello;
      greeted = true;
      log('%s: hello from %s, offers %s', this.name, this.hello.name, this.hello.offers.join(' '));
    } catch (e) {
      this.peer.release(peer);
      await peer.close().catch(() => undefined);
      if (e instanceof KitChannelClosedError && said.length > 0)
        throw new SidecarDriverError(
          this.name,
          what,
          `the sidecar closed the link before its hello, saying: ${said.join('; ')}`,
          { cause: e, causeCode: e.code },
        );
      throw this.broken(what, e);
    }
  }

  /** The sidecar went away (exit, closed socket): a transaction still running ends as a fault. */
  private closed(peer: JsonLinesPeer): void {
    if (this.peer.current !== peer) return;
    const ch = this.channel;
    void this.howItEnded(ch).then((how) => {
      const err = new SidecarDriverError(
        this.name,
        this.running?.op ?? 'link',
        `the sidecar went away (${how})`,
        {
          code: 'E_DRIVER_SIDECAR_GONE',
        },
      );
      if (this.running) this.fault(err);
      else this.emit({ kind: 'note', at: Date.now(), data: { text: err.message } });
    });
  }

  /** "exit code 3; stderr: …" for a child (its exit awaited briefly: stdout closes first), else the socket. */
  private async howItEnded(ch: ByteChannel | undefined): Promise<string> {
    if (!(ch instanceof ChildProcessChannel)) return 'the connection closed';
    if (ch.exit === undefined) await waitWithin(new Promise((r) => ch.child.once('exit', r)), EXIT_WAIT_MS);
    const tail = ch.stderrTail.split('\n').slice(-3).join(' | ');
    return `${ch.exit ?? 'its output closed'}${tail ? `; stderr: ${tail}` : ''}`;
  }

  private badInput(e: KitBadInputError): void {
    this.fault(
      new SidecarDriverError(this.name, this.running?.op ?? 'link', e.message, {
        code: 'E_DRIVER_SIDECAR_BAD_INPUT',
        cause: e,
        causeCode: e.code,
      }),
    );
  }

  /** A fault no call carries: on the timeline, to the bench, and the running transaction ends with it. */
  private fault(e: SidecarDriverError): void {
    this.emit({ kind: 'note', at: Date.now(), data: { text: e.message } });
    this.o.onFault?.(e);
    this.finish();
  }

  // ---- terminal ----------------------------------------------------------------------------------

  private async start(op: TerminalOperationName, args: TerminalOperationArgs = {}): Promise<void> {
    this.peer.need(op);
    await waitWithin(this.running?.done, this.o.previousTimeoutMs);
    if (this.running)
      throw new SidecarDriverError(this.name, op, `the previous ${this.running.op} has not ended`, {
        code: 'E_DRIVER_BUSY',
      });
    if (this.hello && !this.hello.offers.includes(op))
      throw new SidecarDriverUnsupportedError(
        this.name,
        op,
        `the sidecar ${this.hello.name} does not offer ${op} (offers: ${this.hello.offers.join(', ')})`,
      );
    const peer = this.peer.need(op);
    const amount = args.amount ?? this.amount;
    this.amount = undefined;
    let end!: () => void;
    const done = new Promise<void>((r) => (end = r));
    const running: Running = { op, done, end, timer: undefined };
    this.running = running;
    try {
      await peer.request(
        M.START,
        {
          op,
          ...(amount !== undefined ? { amount } : {}),
          ...(args.of !== undefined ? { of: args.of } : {}),
        },
        this.o.startTimeoutMs,
      );
    } catch (e) {
      if (this.running === running) this.finish();
      throw this.broken(op, e);
    }
    if (this.running !== running) return; // the result (or a fault) came before the answer
    running.timer = setTimeout(
      () =>
        this.fault(
          new SidecarDriverError(this.name, op, `no result within ${this.o.transactionTimeoutMs} ms`, {
            code: 'E_DRIVER_SIDECAR_SILENT',
          }),
        ),
      this.o.transactionTimeoutMs,
    );
  }

  private async status(): Promise<Record<string, unknown>> {
    const p = this.peer.need('status');
    let st: unknown;
    try {
      st = await p.request(M.STATUS, {}, this.o.requestTimeoutMs);
    } catch (e) {
      throw this.broken('status', e);
    }
    return {
      ...(st && typeof st === 'object' ? (st as Record<string, unknown>) : {}),
      sidecar: this.hello?.name,
      sidecarBusy: this.running !== undefined,
      display: this.lines.join('\n'),
    };
  }

  /** Ends the running transaction (result, fault, deactivate). */
  private finish(): void {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    clearTimeout(r.timer);
    r.end();
  }

  // ---- events → observations ---------------------------------------------------------------------

  private onEvent(event: string, data: Record<string, unknown>): void {
    const problem = eventProblem(event, data);
    if (problem) {
      this.fault(
        new SidecarDriverError(this.name, this.running?.op ?? 'link', `event ${problem}`, {
          code: 'E_DRIVER_SIDECAR_BAD_INPUT',
        }),
      );
      return;
    }
    const at = Date.now();
    switch (event) {
      case E.DISPLAY:
        this.lines = (data.lines as string[]).map(maskPansInText);
        this.emit({ kind: 'display', at, data: { lines: [...this.lines], source: 'sidecar' } });
        break;
      case E.RECEIPT:
        this.emit({
          kind: 'receipt',
          at,
          data: {
            text: maskPansInText(data.text as string),
            copy: data.copy === 'customer' ? 'customer' : 'merchant',
          },
        });
        break;
      case E.RESULT: {
        const result = masked(data.result as Record<string, unknown>);
        this.emit({ kind: 'result', at, data: { result } });
        if (this.running && this.running.op === result.transaction) this.finish();
        break;
      }
      case E.STATE:
        this.emit({ kind: 'state', at, data: { state: data.state, previous: data.previous } });
        break;
      case E.NOTE:
        this.note(maskPansInText(data.text as string));
        break;
      default:
        this.note(`event ${event} not known to payhil; ignored`);
    }
  }

  private broken(what: string, e: unknown): SidecarDriverError {
    if (e instanceof SidecarDriverError) return e;
    if (e instanceof KitRemoteError)
      return new SidecarDriverRefusedError(this.name, what, e.remoteCode, e.detail);
    return new SidecarDriverError(this.name, what, (e as Error).message ?? String(e), {
      cause: e,
      ...(isPayhilError(e) ? { causeCode: e.code } : {}),
    });
  }

  private note(text: string): void {
    this.emit({ kind: 'note', at: Date.now(), data: { text: `${this.name}: ${text}` } });
  }

  private emit(o: Observation): void {
    this.observers.emit(o);
  }
}

/** The result with PANs masked in every string field (a sidecar may hand on what the DLL gave it). */
function masked(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'string' ? maskPansInText(v) : v;
  return out;
}
