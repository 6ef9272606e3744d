/**
 * The host simulator's TCP server: `startHost({dialect, listen, config})`. Many terminals at once, on
 * persistent or per-transaction connections; frames are split per the dialect's length prefix; each
 * connection's requests are answered in order. Limits on frame size, connection count, idle time and
 * the time to complete a frame, each with a clear log line; a misbehaving connection is closed and every
 * other one keeps being served. A connection whose answers pile up unsent (its peer does not read) is
 * not read until they drain (backpressure), so its memory stays bounded. At the connection limit the
 * newcomer is served and the connection that has gone longest without completing a frame makes room
 * (those that never completed one first): a flood of silent or trickling connections cannot lock out a
 * terminal that signs in.
 */
import { realClock, type Clock, type ClockTimer } from '../common/clock.js';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createLogger } from '../common/logger.js';
import type { Dialect, IsoMessage } from '../iso8583/index.js';
import {
  DecodeError,
  FrameParser,
  decodeFrame,
  encodeFrame,
  loadDialect,
  responseTpdu,
} from '../iso8583/index.js';
import type { AccountStore } from './account-store.js';
import { loadHostConfig, resolveAccounts, type IssuerCardData } from './config-loader.js';
import { HostConfigError, HostServerError } from './errors.js';
import type { HostConfig } from './host-config.js';
import { HostProcessor, type HandleOptions, type Outcome } from './host-processor.js';
import { loadReplayFixture, type ReplayFixture } from './replay-fixture.js';
import { ReplayProcessor } from './replay-processor.js';
import { responseMti } from './processor-core.js';
import type { HostRule } from './host-rule.js';
import { HostJournal, type JournalRecord } from './journal.js';
import { WriteCoalescer } from './write-coalescer.js';
import { RC } from '../pos-protocol/index.js';
import type { Calendar } from '../common/calendar.js';
import type { TerminalRegistry } from './terminal-registry.js';
import type { TransactionLedger } from './transaction-ledger.js';

const debug = createLogger('payhil:host');

export interface HostOptions {
  /** Dialect name ('cup', 'iso87-ascii', 'iso87-binary'), a dialect file, or a loaded dialect. */
  dialect: string | Dialect;
  /** "HOST:PORT" or {host, port}; default 127.0.0.1 on a free port. */
  listen?: string | { host?: string; port?: number };
  /** A configuration, or the path of a host YAML file; default fixtures/hosts/default.yaml. */
  config?: HostConfig | string;
  /** Append every journal entry to this JSONL file. */
  journalFile?: string;
  /** Card data by fixture name (default: read fixtures/cards/NAME.yaml). */
  cards?: (name: string) => IssuerCardData;
  /** Where operational log lines go (limits, refused connections); default the payhil:host debug log. */
  log?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
  /**
   * Answer from a recorded session instead of the issuer logic (replay-processor.ts): a fixture, or a
   * recording folder / replay-host.yaml file written by `payhil record`.
   */
  replay?: ReplayFixture | string;
  /** The host's calendar (date, time of day, zone): answers' field 12/13, the issuer's day change. */
  calendar?: Calendar;
  /**
   * The clock of answer delays (`respond.delay`), the frame deadline and the idle timeout. Default real
   * time; the embedded bench passes its simulated clock.
   */
  clock?: Clock;
}

/** A running host. */
export interface HostHandle {
  readonly address: { host: string; port: number };
  readonly dialect: Dialect;
  readonly journal: HostJournal;
  readonly accounts: AccountStore;
  readonly ledger: TransactionLedger;
  readonly terminals: TerminalRegistry;
  readonly processor: HostProcessor;
  /** Adds a rule after the existing ones (first match wins); returns its id. */
  addRule(rule: HostRule): string;
  removeRule(id: string): boolean;
  clearRules(): void;
  /** The rules in order, with how often each matched and fired. */
  listRules(): { rule: HostRule; matched: number; fired: number }[];
  /** Opening balances, no sign-ins, no transactions, no rules; the journal is cleared too. */
  reset(): void;
  /** RRNs and working keys drawn from `random` from now on (see ProcessorCore.reseed). */
  reseed(random: () => number): void;
  /** Open connections right now. */
  readonly connections: number;
  /**
   * Bytes of answers given and not yet taken by the kernel, over all connections (socket buffers plus
   * answers waiting for this turn's write pass). Bounded per connection by `limits.maxUnsentBytes`
   * plus the answers to one read.
   */
  readonly unsentBytes: number;
  /** Connections not being read right now because their unsent answers are over the bound. */
  readonly pausedConnections: number;
  close(): Promise<void>;
}

/** Parses "HOST:PORT" (IPv6 as "[::1]:PORT"). */
export function parseListen(spec: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(spec.trim());
  if (!m) throw new HostServerError(`listen address must be HOST:PORT, got '${spec}'`, spec);
  const port = Number(m[3]);
  if (port > 65535) throw new HostServerError(`port ${port} is out of range`, spec);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

interface Conn {
  id: number;
  socket: Socket;
  remote: string;
  parser: FrameParser;
  busy: boolean;
  queue: Buffer[];
  timer: ClockTimer | undefined;
  closed: boolean;
  /** The last request TPDU seen and its answer TPDU (a terminal sends the same one every time). */
  tpduIn: string | undefined;
  tpduOut: string | undefined;
  /** Answers computed in this event-loop turn and not yet written, in order (see WriteCoalescer). */
  out: Buffer[];
  /** Closes the connection when a frame it started is not complete in time (frameTimeoutMs). */
  frameTimer: ClockTimer | undefined;
  /** Simulated clock only: the idle timeout (real time uses the socket's own). */
  idleTimer?: ClockTimer | undefined;
  /** Order of the last read that completed a frame (0: none yet); the eviction order at the limit. */
  lastFrame: number;
  /** Reading paused: unsent answers over maxUnsentBytes, or too many requests queued behind a delay. */
  paused: boolean;
  /** Whether the connection was ever paused (logged once per connection). */
  wasPaused: boolean;
}

/** Requests parsed and queued behind a delayed answer before reading that connection pauses. */
const MAX_QUEUED_REQUESTS = 64;

export async function startHost(options: HostOptions): Promise<HostHandle> {
  const dialect = typeof options.dialect === 'string' ? loadDialect(options.dialect) : options.dialect;
  const config = typeof options.config === 'object' ? options.config : loadHostConfig(options.config);
  const accounts = resolveAccounts(config, options.cards);
  const processorOptions = {
    dialect,
    config,
    accounts,
    ...(options.now ? { now: options.now } : {}),
    ...(options.calendar ? { calendar: options.calendar } : {}),
  };
  const replay = typeof options.replay === 'string' ? loadReplayFixture(options.replay) : options.replay;
  if (replay && replay.dialect !== dialect.name)
    throw new HostConfigError(
      `replay: the recording is in the ISO 8583 dialect '${replay.dialect}', this host speaks '${dialect.name}'`,
    );
  const processor = replay
    ? new ReplayProcessor(processorOptions, replay)
    : new HostProcessor(processorOptions);
  const journal = new HostJournal({
    dialect,
    size: config.journalSize ?? 10000,
    now: () => processor.calendar.now().getTime(),
  });
  if (options.journalFile) journal.attachFile(options.journalFile);
  const log = options.log ?? ((line: string) => debug(line));
  const maxFrameBytes = config.limits?.maxFrameBytes ?? 8192;
  const maxConnections = config.limits?.maxConnections ?? 512;
  const idleTimeoutMs = config.limits?.idleTimeoutMs ?? 120000;
  const frameTimeoutMs = config.limits?.frameTimeoutMs ?? 10000;
  const clock = options.clock ?? realClock;
  const maxUnsentBytes = config.limits?.maxUnsentBytes ?? 262144;
  const listen =
    typeof options.listen === 'string'
      ? parseListen(options.listen)
      : { host: options.listen?.host ?? '127.0.0.1', port: options.listen?.port ?? 0 };
  const conns = new Set<Conn>();
  let connSeq = 0;
  let readSeq = 0;
  let pausedCount = 0;
  const fr = dialect.framing;
  const mtiOffset = fr.lengthBytes + fr.tpduBytes + fr.headerBytes;
  // MAC straight on the wire bytes when the dialect allows it (pos-protocol's MAC application decides).
  const macs = processor.macs;

  // Reused per call (encodeFrame, handle and journal.record read them synchronously and keep nothing).
  const encodeOptions: { tpdu?: string | undefined; header?: string | undefined } = {};
  const handleOptions: HandleOptions = {
    deferMac: true,
    macFrame: undefined,
  };
  const decodeOptions = { maxFrameBytes };
  const messageRecord: JournalRecord = {
    direction: 'in',
    connectionId: 0,
    remote: undefined,
    message: undefined,
    tpdu: undefined,
    header: undefined,
    raw: undefined,
    event: undefined,
    text: undefined,
    rule: undefined,
  };
  /** Journals a message with its frame (the record object is reused: the journal copies what it keeps). */
  const recordMessage = (
    direction: 'in' | 'out',
    c: Conn,
    message: IsoMessage,
    tpdu: string | undefined,
    header: string | undefined,
    raw: Buffer,
    rule: string | undefined,
  ): void => {
    const r = messageRecord;
    r.direction = direction;
    r.connectionId = c.id;
    r.remote = c.remote;
    r.message = message;
    r.tpdu = tpdu;
    r.header = header;
    r.raw = raw;
    r.rule = rule;
    journal.record(r);
    r.message = undefined;
    r.raw = undefined;
  };

  const event = (c: Conn | undefined, name: string, text: string): void => {
    journal.record({
      direction: 'event',
      connectionId: c?.id ?? 0,
      ...(c ? { remote: c.remote } : {}),
      event: name,
      text,
    });
  };

  const clearFrameTimer = (c: Conn): void => {
    c.frameTimer?.cancel();
    c.frameTimer = undefined;
  };
  const armFrameTimer = (c: Conn): void => {
    if (c.frameTimer || c.closed || c.paused || c.parser.buffered === 0) return;
    c.frameTimer = clock.setTimeout(() => {
      c.frameTimer = undefined;
      const text = `host: connection ${c.id} (${c.remote}): frame not complete within ${frameTimeoutMs} ms: closed`;
      log(text);
      event(c, 'frame-timeout', text);
      close(c);
    }, frameTimeoutMs);
  };

  /** Stops reading `c` (the kernel's window then holds its peer back) until maybeResume says so. */
  const pauseReading = (c: Conn, why: string): void => {
    if (c.paused || c.closed) return;
    c.paused = true;
    pausedCount++;
    // Not reading is the host's doing: the frame deadline waits until reading resumes.
    clearFrameTimer(c);
    c.socket.pause();
    if (!c.wasPaused) {
      c.wasPaused = true;
      const text = `host: connection ${c.id} (${c.remote}): ${why}: reading paused until it drains`;
      log(text);
      event(c, 'read-paused', text);
    }
  };
  /** Bytes answered on `c` and not yet taken by the kernel (socket buffer + this turn's answers). */
  const unsent = (c: Conn): number => {
    let n = c.socket.writableLength;
    for (let i = 0; i < c.out.length; i++) n += (c.out[i] as Buffer).length;
    return n;
  };
  const unsentNote = `answers not read by the peer (over ${maxUnsentBytes} bytes unsent)`;
  const maybeResume = (c: Conn): void => {
    if (!c.paused || c.closed) return;
    if (unsent(c) >= maxUnsentBytes || c.queue.length >= MAX_QUEUED_REQUESTS) return;
    c.paused = false;
    pausedCount--;
    c.socket.resume();
    armFrameTimer(c);
  };

  // Answers are written once per event-loop turn, all connections in one pass (write-coalescer.ts).
  const writes = new WriteCoalescer(undefined, (w) => {
    const c = w as Conn;
    if (c.socket.writableLength >= maxUnsentBytes) pauseReading(c, unsentNote);
  });

  const close = (c: Conn): void => {
    if (c.closed) return;
    // Answers already given on this connection go out before it closes.
    writes.flushConnection(c);
    c.closed = true;
    c.timer?.cancel();
    c.idleTimer?.cancel();
    clearFrameTimer(c);
    if (c.paused) {
      c.paused = false;
      pausedCount--;
    }
    c.queue.length = 0;
    c.socket.destroy();
  };

  /**
   * The connection to close so a newcomer can be served at the limit: of those not holding a delayed
   * answer, one that never completed a frame (oldest first), else the one whose last frame is oldest.
   */
  const evictionCandidate = (): Conn | undefined => {
    let best: Conn | undefined;
    for (const c of conns) {
      if (c.closed || c.busy) continue;
      if (!best) best = c;
      else if (
        c.lastFrame === 0
          ? best.lastFrame !== 0 || c.id < best.id
          : best.lastFrame !== 0 && c.lastFrame < best.lastFrame
      )
        best = c;
    }
    return best;
  };

  const send = (
    c: Conn,
    msg: IsoMessage,
    tpdu: string | undefined,
    header: string | undefined,
    rule?: string,
    mac?: { mak?: Buffer | undefined; bad?: boolean | undefined },
  ): void => {
    let frame: Buffer;
    try {
      const macNow = mac?.mak !== undefined && !macs.onFrame(msg);
      if (mac?.mak && macNow) processor.mac(msg, mac.mak);
      else if (mac?.mak) msg.fields[64] = '0000000000000000';
      else if (mac?.bad) msg.fields[64] = '0000000000000000';
      encodeOptions.tpdu = tpdu || undefined;
      encodeOptions.header = header || undefined;
      frame = encodeFrame(dialect, msg, encodeOptions);
      if (mac?.mak && !macNow) {
        macs.applyToFrame(mac.mak, frame);
        // The message object is read again only by a journal that formats as it records (the
        // in-memory journal keeps the frame instead). The MAC bytes are ASCII hex digits, so their
        // hex is all decimal digits: no case to fix.
        if (journal.formatsOnRecord) msg.fields[64] = frame.toString('hex', frame.length - 8);
      }
      if (mac?.bad) {
        frame[frame.length - 1] = (frame[frame.length - 1] as number) ^ 0x01;
        msg.fields[64] = frame.toString('hex', frame.length - 8).toUpperCase();
      }
    } catch (e) {
      const text = `host: connection ${c.id}: cannot encode the ${msg.mti} answer (${(e as Error).message}); closing`;
      log(text);
      event(c, 'encode-error', text);
      close(c);
      return;
    }
    recordMessage('out', c, msg, tpdu || undefined, header || undefined, frame, rule || undefined);
    if (!c.closed && c.socket.writable) writes.queue(c, frame);
  };

  /** The answer to a frame that does not decode: MTI + 39 = 30 when the MTI is readable, else undefined. */
  const formatError = (frame: Buffer): { msg: IsoMessage; tpdu?: string } | undefined => {
    let mti: string;
    if (dialect.mti === 'bcd') {
      if (frame.length < mtiOffset + 2) return undefined;
      mti = frame.toString('hex', mtiOffset, mtiOffset + 2);
    } else {
      if (frame.length < mtiOffset + 4) return undefined;
      mti = frame.toString('latin1', mtiOffset, mtiOffset + 4);
    }
    if (!/^0[1-9][0-9][0-9]$/.test(mti) || Number(mti[2]) % 2 !== 0) return undefined;
    const out: { msg: IsoMessage; tpdu?: string } = {
      msg: { mti: responseMti(mti), fields: { 39: RC.FORMAT_ERROR } },
    };
    if (fr.tpduBytes === 5) {
      try {
        out.tpdu = responseTpdu(frame.toString('hex', fr.lengthBytes, fr.lengthBytes + 5));
      } catch {
        /* default TPDU */
      }
    }
    return out;
  };

  const deliver = (c: Conn, outcome: Outcome, tpdu: string | undefined, header: string | undefined): void => {
    if (c.closed) return;
    if (outcome.close) {
      event(c, 'rule-close', `rule ${outcome.rule ?? ''} closed the connection`);
      close(c);
      return;
    }
    if (!outcome.response) {
      if (outcome.rule) {
        event(c, 'no-answer', `rule ${outcome.rule} withheld the answer`);
        return;
      }
      // Not a request (an answer MTI, or no MTI class we serve): nothing sensible to say, so hang up.
      const text = `host: connection ${c.id} (${c.remote}): unexpected message, not a request: closed`;
      log(text);
      event(c, 'unexpected-close', text);
      close(c);
      return;
    }
    send(c, outcome.response, tpdu, header, outcome.rule, { mak: outcome.mak, bad: outcome.badMac });
  };

  const processFrame = (c: Conn, frame: Buffer): void => {
    let req;
    try {
      req = decodeFrame(dialect, frame, decodeOptions);
    } catch (e) {
      const reason = e instanceof DecodeError ? e.message : String(e);
      journal.record({
        direction: 'in',
        connectionId: c.id,
        remote: c.remote,
        raw: frame,
        event: 'malformed',
        text: reason,
      });
      const answer = formatError(frame);
      if (!answer) {
        const text = `host: connection ${c.id} (${c.remote}): malformed frame, no answer possible (${reason}); closing`;
        log(text);
        event(c, 'malformed-close', text);
        close(c);
        return;
      }
      send(c, answer.msg, answer.tpdu, undefined);
      return;
    }
    recordMessage('in', c, req, req.tpdu || undefined, req.header || undefined, frame, undefined);
    let outcome: Outcome;
    try {
      handleOptions.macFrame = req.fields[64] !== undefined && macs.onFrame(req) ? frame : undefined;
      outcome = processor.handle(req, handleOptions);
      handleOptions.macFrame = undefined;
      if (outcome.note !== undefined) {
        log(`host: connection ${c.id}: ${outcome.note}`);
        event(c, 'replay-unmatched', outcome.note);
      }
    } catch (e) {
      // A bug or an impossible rule: answer 96 rather than drop the terminal.
      const text = `host: connection ${c.id}: internal error on ${req.mti}: ${(e as Error).message}`;
      log(text);
      event(c, 'internal-error', text);
      const fields: Record<number, string> = { 39: RC.SYSTEM_ERROR };
      if (req.fields[11] !== undefined) fields[11] = req.fields[11];
      outcome = { response: { mti: responseMti(req.mti), fields } };
    }
    let tpdu: string | undefined;
    if (req.tpdu) {
      if (req.tpdu === c.tpduIn) tpdu = c.tpduOut;
      else {
        try {
          tpdu = responseTpdu(req.tpdu);
        } catch {
          tpdu = undefined;
        }
        c.tpduIn = req.tpdu;
        c.tpduOut = tpdu;
      }
    }
    if (outcome.delayMs && outcome.delayMs > 0) {
      c.busy = true;
      c.timer = clock.setTimeout(() => {
        c.timer = undefined;
        c.busy = false;
        deliver(c, outcome, tpdu, req.header);
        drain(c);
      }, outcome.delayMs);
      return;
    }
    deliver(c, outcome, tpdu, req.header);
  };

  const drain = (c: Conn): void => {
    while (!c.busy && !c.closed && c.queue.length > 0) processFrame(c, c.queue.shift() as Buffer);
    maybeResume(c);
  };

  const server: Server = createServer({ noDelay: true }, (socket) => {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    if (conns.size >= maxConnections) {
      const victim = evictionCandidate();
      if (!victim) {
        const text = `host: connection limit (${maxConnections}) reached: refused ${remote}`;
        log(text);
        event(undefined, 'connection-limit', text);
        socket.destroy();
        return;
      }
      const why = victim.lastFrame === 0 ? 'no complete frame yet' : 'longest without a frame';
      const text = `host: connection limit (${maxConnections}) reached: closed connection ${victim.id} (${victim.remote}, ${why}) to serve ${remote}`;
      log(text);
      event(victim, 'connection-evicted', text);
      close(victim);
      conns.delete(victim);
    }
    const c: Conn = {
      id: ++connSeq,
      socket,
      remote,
      parser: new FrameParser(dialect, { maxFrameBytes }),
      busy: false,
      queue: [],
      timer: undefined,
      closed: false,
      tpduIn: undefined,
      tpduOut: undefined,
      out: [],
      frameTimer: undefined,
      lastFrame: 0,
      paused: false,
      wasPaused: false,
    };
    conns.add(c);
    event(c, 'connect', `connection ${c.id} from ${remote}`);
    const onIdle = (): void => {
      const text = `host: connection ${c.id} (${remote}) idle for ${idleTimeoutMs} ms: closed`;
      log(text);
      event(c, 'idle-timeout', text);
      close(c);
    };
    // Real time: the socket's idle timer. Simulated time: a clock timer restarted by every chunk read.
    const armIdle = (): void => {
      if (!clock.simulated) return;
      c.idleTimer?.cancel();
      c.idleTimer = clock.setTimeout(onIdle, idleTimeoutMs, { unref: true });
    };
    if (clock.simulated) armIdle();
    else socket.setTimeout(idleTimeoutMs, onIdle);
    socket.on('data', (chunk: Buffer) => {
      if (c.closed) return;
      armIdle();
      let frames: Buffer[];
      try {
        frames = c.parser.push(chunk);
      } catch (e) {
        const text = `host: connection ${c.id} (${remote}): ${(e as Error).message} (limit ${maxFrameBytes} bytes): closed`;
        log(text);
        event(c, 'frame-too-large', text);
        close(c);
        return;
      }
      if (frames.length > 0) {
        c.lastFrame = ++readSeq;
        clearFrameTimer(c);
      }
      for (const f of frames) {
        if (c.closed) break;
        if (c.busy) c.queue.push(f);
        else processFrame(c, f);
      }
      if (c.closed) return;
      // Several reads can come in one turn before the write pass: count the answers they produced.
      if ((c.out.length >= 16 || c.socket.writableLength > 0) && unsent(c) >= maxUnsentBytes)
        pauseReading(c, unsentNote);
      else if (c.queue.length >= MAX_QUEUED_REQUESTS)
        pauseReading(c, `${c.queue.length} requests queued behind a delayed answer`);
      // A frame started and not finished: it must complete within frameTimeoutMs.
      armFrameTimer(c);
    });
    socket.on('drain', () => maybeResume(c));
    socket.on('error', (e) => debug(`connection ${c.id} error: ${e.message}`));
    socket.on('close', () => {
      conns.delete(c);
      if (c.paused) {
        c.paused = false;
        pausedCount--;
      }
      c.closed = true;
      writes.drop(c);
      c.timer?.cancel();
      c.idleTimer?.cancel();
      clearFrameTimer(c);
      event(c, 'close', `connection ${c.id} closed`);
    });
  });
  server.maxConnections = maxConnections + 64; // the count limit above answers first, with a log line

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void =>
      reject(
        new HostServerError(
          `host: cannot listen on ${listen.host}:${listen.port}: ${e.message}`,
          `${listen.host}:${listen.port}`,
          e,
        ),
      );
    server.once('error', onError);
    server.listen(listen.port, listen.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  log(
    `host: ${dialect.name} host listening on ${addr.address}:${addr.port} (${config.terminals.length} terminals, ${accounts.length} accounts)`,
  );

  let closing: Promise<void> | undefined;
  return {
    address: { host: addr.address, port: addr.port },
    dialect,
    journal,
    accounts: processor.accounts,
    ledger: processor.ledger,
    terminals: processor.terminals,
    processor,
    addRule: (rule) => processor.rules.add(rule),
    removeRule: (id) => processor.rules.remove(id),
    clearRules: () => processor.rules.clear(),
    listRules: () => processor.rules.list(),
    reset: () => {
      processor.reset();
      journal.clear();
    },
    reseed: (random) => processor.reseed(random),
    get connections() {
      return conns.size;
    },
    get unsentBytes() {
      let n = 0;
      for (const c of conns) n += unsent(c);
      return n;
    },
    get pausedConnections() {
      return pausedCount;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of conns) close(c);
      }).then(() => journal.close());
      return closing;
    },
  };
}
