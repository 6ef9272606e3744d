/**
 * The host side of the multiplexer's line protocol over a serial port (`serialport`, 8N1, no flow
 * control) or a TCP connection: one command at a time, each answered by one line `OK <VERB> …` or
 * `ERR <CODE> …` within the timeout. Lines that answer nothing (another verb: the late answer of a command
 * that timed out; noise; overlong lines) are logged and skipped, so the link resynchronises by itself.
 */
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { serialPortClass } from '../../common/serial-port.js';
import { createLogger } from '../../common/logger.js';
import { MuxError } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import { parseMuxReply, type MuxReply } from './mux-reply.js';

const log = createLogger('payhil:mux:link');

/** What to do about a refusal, by the mux's error code. */
const REFUSAL_HINTS: Record<string, string> = {
  JAM: ' (the switch is jammed: clear it and check every card sits in its slot, then run again)',
  BADSLOT: ' (the multiplexer has no such slot: check card.slots of the lab file)',
  BUSY: ' (the multiplexer is busy: check nothing else drives it)',
};

/** Where the multiplexer is: a serial port path or a TCP address. */
export type LineLinkResource =
  { kind: 'serial'; path: string; baudRate?: number } | { kind: 'tcp'; host: string; port: number };

/** A byte pipe (serial port or socket). */
interface Pipe {
  write(data: string): void;
  close(): Promise<void>;
}

export interface LineLinkOptions {
  /** Longest wait for an answer (ms). Default 3 000. */
  timeoutMs?: number;
  /** Longest wait to connect (TCP, ms). Default 5 000. */
  connectTimeoutMs?: number;
}

export function describeResource(r: LineLinkResource): string {
  return r.kind === 'serial' ? `serial ${r.path}` : `tcp ${r.host}:${r.port}`;
}

export class LineLink {
  readonly name: string;
  private pipe: Pipe | undefined;
  private readonly splitter = new LineSplitter();
  private waiter: ((r: MuxReply) => boolean) | undefined;
  private closedWhy: string | undefined;
  private onClosed: ((why: string) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;

  private constructor(
    readonly resource: LineLinkResource,
    private readonly options: LineLinkOptions,
  ) {
    this.name = `mux ${describeResource(resource)}`;
    this.timeoutMs = options.timeoutMs ?? 3000;
  }

  /** Opens the port or connection; MuxError E_MUX_PORT (broken) with what to check. */
  static async open(resource: LineLinkResource, options: LineLinkOptions = {}): Promise<LineLink> {
    const link = new LineLink(resource, options);
    link.pipe = resource.kind === 'serial' ? await link.openSerial(resource) : await link.openTcp(resource);
    return link;
  }

  private async openSerial(r: { path: string; baudRate?: number }): Promise<Pipe> {
    if (!existsSync(r.path))
      throw new MuxError(
        this.name,
        'open',
        `no serial port at ${r.path}: is the multiplexer plugged in (card.path)?`,
        {
          code: 'E_MUX_PORT',
        },
      );
    const SerialPort = await serialPortClass();
    const port = new SerialPort({ path: r.path, baudRate: r.baudRate ?? 9600, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(
              new MuxError(
                this.name,
                'open',
                `cannot open ${r.path}: ${err.message} (another program uses it?)`,
                {
                  code: 'E_MUX_PORT',
                  cause: err,
                },
              ),
            )
          : resolve(),
      ),
    );
    port.on('data', (b: Buffer) => this.onData(b));
    port.on('close', () => this.closed('the serial port closed'));
    port.on('error', (e: Error) => this.closed(`serial port error: ${e.message}`));
    return {
      write: (s) => void port.write(s),
      close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
    };
  }

  private async openTcp(r: { host: string; port: number }): Promise<Pipe> {
    const socket: Socket = await new Promise((resolve, reject) => {
      const s = connect({ host: r.host, port: r.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(
          new MuxError(
            this.name,
            'connect',
            `no connection within ${this.options.connectTimeoutMs ?? 5000} ms`,
            {
              code: 'E_MUX_PORT',
            },
          ),
        );
      }, this.options.connectTimeoutMs ?? 5000);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(
          new MuxError(
            this.name,
            'connect',
            `${e.message}: is the multiplexer on and at this address (card.address)?`,
            {
              code: 'E_MUX_PORT',
              cause: e,
            },
          ),
        );
      });
    });
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('close', () => this.closed('the TCP connection closed'));
    socket.on('error', (e) => this.closed(`TCP error: ${e.message}`));
    return {
      write: (s) => void socket.write(s),
      close: () =>
        new Promise<void>((resolve) => {
          if (socket.destroyed) return resolve();
          socket.once('close', () => resolve());
          socket.end();
          setTimeout(() => socket.destroy(), 200).unref();
        }),
    };
  }

  /** Called once when the link goes away by itself. */
  onClose(fn: (why: string) => void): void {
    this.onClosed = fn;
  }

  /**
   * Sends `command` (one line, no LF) and resolves with the answer: `OK <verb> args…` (its args) for the
   * command's verb, or rejects with MuxError: E_MUX_REFUSED (`ERR …`, with the mux's code), E_MUX_TIMEOUT,
   * E_MUX_CLOSED. Commands run one at a time.
   */
  request(command: string, verb: string, timeoutMs = this.timeoutMs): Promise<string[]> {
    const run = this.queue.then(() => this.exchange(command, verb, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private exchange(command: string, verb: string, timeoutMs: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      if (this.closedWhy !== undefined || !this.pipe)
        return reject(
          new MuxError(this.name, command, `link closed (${this.closedWhy ?? 'not open'})`, {
            code: 'E_MUX_CLOSED',
          }),
        );
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(
          new MuxError(
            this.name,
            command,
            `no answer within ${timeoutMs} ms: check the multiplexer is powered and connected (cable, port, baud rate)`,
            { code: 'E_MUX_TIMEOUT' },
          ),
        );
      }, timeoutMs);
      this.failWaiter = (why) => {
        clearTimeout(timer);
        this.waiter = undefined;
        reject(new MuxError(this.name, command, why, { code: 'E_MUX_CLOSED' }));
      };
      this.waiter = (r) => {
        // An OK for another verb is a late answer to an earlier command: not ours.
        if (r.ok && r.verb !== verb) return false;
        clearTimeout(timer);
        this.waiter = undefined;
        this.failWaiter = undefined;
        if (r.ok) resolve(r.args);
        else
          reject(
            new MuxError(
              this.name,
              command,
              `the multiplexer refused: ERR ${r.code}${r.text ? ` ${r.text}` : ''}${REFUSAL_HINTS[r.code] ?? ''}`,
              {
                code: 'E_MUX_REFUSED',
                causeCode: r.code,
              },
            ),
          );
        return true;
      };
      this.pipe.write(`${command}\n`);
    });
  }

  private failWaiter: ((why: string) => void) | undefined;

  private onData(chunk: Buffer): void {
    for (const item of this.splitter.push(chunk)) {
      if (item.kind !== 'line') {
        log(`${this.name}: skipped an ${item.kind} line (${item.bytes} bytes)`);
        continue;
      }
      const reply = parseMuxReply(item.text);
      if (!reply) {
        log(`${this.name}: skipped a line that is no answer: ${JSON.stringify(item.text.slice(0, 80))}`);
        continue;
      }
      if (!this.waiter?.(reply))
        log(`${this.name}: skipped an answer nobody waits for: ${item.text.slice(0, 80)}`);
    }
  }

  private closed(why: string): void {
    if (this.closedWhy !== undefined) return;
    this.closedWhy = why;
    this.failWaiter?.(why);
    this.onClosed?.(why);
  }

  async close(): Promise<void> {
    const p = this.pipe;
    this.pipe = undefined;
    this.closedWhy ??= 'closed by payhil';
    this.failWaiter?.('closed by payhil');
    await p?.close();
  }
}
