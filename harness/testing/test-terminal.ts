/**
 * A small terminal-side client for tests and benchmarks: connects over TCP, signs in (decrypting and
 * checking the working keys), builds MACed and PIN'd requests with harness/pos-protocol, sends them and
 * waits for the answers (in order), checking each answer's MAC.
 */
import { connect, type Socket } from 'node:net';
import { fromHex } from '../crypto/index.js';
import type { DecodedFrame, Dialect, IsoMessage } from '../iso8583/index.js';
import { FrameParser, decodeFrame, encodeFrame, loadDialect } from '../iso8583/index.js';
import {
  RC,
  REVERSAL_REASON,
  applyMac,
  buildNetworkManagement,
  buildReversal,
  buildSignIn,
  buildTransaction,
  field60Batch,
  parseWorkingKeys,
  verifyMac,
  type KeyScheme,
  type SessionKeys,
  type TerminalIdentity,
  type TransactionInput,
  type TransactionKind,
} from '../pos-protocol/index.js';
import { HostExchangeError } from '../host/index.js';

export interface TestTerminalOptions extends TerminalIdentity {
  dialect: string | Dialect;
  host: string;
  port: number;
  /** TMK hex (test key). */
  tmk: string;
  /** Answer timeout per request (ms), default 5000. */
  timeoutMs?: number;
  /** First STAN (default 1). */
  stan?: number;
}

/** An answer, decoded, with whether its MAC verified (undefined when it carried none or no keys). */
export type Answer = DecodedFrame & { macOk?: boolean };

interface Pending {
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  mti: string;
}

export class TestTerminal {
  readonly dialect: Dialect;
  readonly id: TerminalIdentity;
  keys: SessionKeys | undefined;
  batch = '000001';
  private stanCounter: number;
  private readonly tmk: Buffer;
  private readonly timeoutMs: number;
  private readonly pending: Pending[] = [];
  private readonly parser: FrameParser;
  private closedFlag = false;

  private constructor(
    private readonly socket: Socket,
    options: TestTerminalOptions,
    dialect: Dialect,
  ) {
    this.dialect = dialect;
    this.id = { terminalId: options.terminalId, merchantId: options.merchantId };
    this.tmk = fromHex(options.tmk);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.stanCounter = options.stan ?? 1;
    this.parser = new FrameParser(dialect, { maxFrameBytes: 65535 });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedFlag = true;
      for (const p of this.pending.splice(0)) {
        clearTimeout(p.timer);
        p.reject(
          new HostExchangeError(
            'E_HOST_CLOSED',
            `host closed the connection before answering ${p.mti}`,
            p.mti,
          ),
        );
      }
    });
  }

  /** Opens a TCP connection to the host. */
  static async connect(options: TestTerminalOptions): Promise<TestTerminal> {
    const dialect = typeof options.dialect === 'string' ? loadDialect(options.dialect) : options.dialect;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: options.host, port: options.port });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    return new TestTerminal(socket, options, dialect);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The next STAN (6 digits), wrapping at 999999. */
  nextStan(): string {
    const s = String(this.stanCounter).padStart(6, '0');
    this.stanCounter = (this.stanCounter % 999999) + 1;
    return s;
  }

  /**
   * 0800 sign-in; on `00` keeps the working keys (check values verified) and the batch of field 60.2.
   * @throws WorkingKeyError (pos-protocol) when field 62 is the wrong size or a check value does not match.
   */
  async signIn(scheme: KeyScheme = '004'): Promise<Answer> {
    const answer = await this.exchange(buildSignIn(this.id, this.nextStan(), this.batch, scheme), {
      mac: false,
    });
    if (answer.fields[39] === RC.APPROVED) {
      const f62 = answer.fields[62];
      if (f62 === undefined)
        throw new HostExchangeError('E_HOST_BAD_KCV', 'sign-in answer has no field 62', '0810');
      this.keys = parseWorkingKeys(this.dialect, f62, this.tmk, scheme);
      this.batch = field60Batch(answer.fields[60]) ?? this.batch;
      answer.macOk =
        answer.fields[64] === undefined ? undefined : verifyMac(this.dialect, answer, this.keys.mak);
    }
    return answer;
  }

  /** Builds a financial request of `kind` (MAC added when signed in); STAN and batch filled in when absent. */
  build(
    kind: TransactionKind,
    input: Omit<TransactionInput, 'stan' | 'batch'> & { stan?: string; batch?: string },
  ): IsoMessage {
    return buildTransaction(
      this.id,
      kind,
      { ...input, stan: input.stan ?? this.nextStan(), batch: input.batch ?? this.batch },
      this.keys,
    );
  }

  /** Builds, sends and awaits one transaction. */
  async transact(
    kind: TransactionKind,
    input: Omit<TransactionInput, 'stan' | 'batch'> & { stan?: string; batch?: string },
  ): Promise<{ request: IsoMessage; answer: Answer }> {
    const request = this.build(kind, input);
    const answer = await this.exchange(request);
    return { request, answer };
  }

  /** Sends the 0400 reversal of `original` and awaits the answer. */
  reverse(original: IsoMessage, reason: string = REVERSAL_REASON.NO_ANSWER): Promise<Answer> {
    return this.exchange(buildReversal(original, reason));
  }

  /** 0820 echo test. */
  echo(): Promise<Answer> {
    return this.exchange(buildNetworkManagement(this.id, this.nextStan(), this.batch, '301'), { mac: false });
  }

  /**
   * Sends a message and awaits its answer. `mac` (default: when signed in) adds field 64; the answer's
   * MAC is checked when it carries one (`macOk`).
   */
  exchange(msg: IsoMessage, opts: { mac?: boolean; timeoutMs?: number } = {}): Promise<Answer> {
    if (this.closedFlag)
      return Promise.reject(new HostExchangeError('E_HOST_CLOSED', 'connection is closed', msg.mti));
    if ((opts.mac ?? this.keys !== undefined) && this.keys) applyMac(this.dialect, msg, this.keys.mak);
    const frame = encodeFrame(this.dialect, msg);
    return new Promise<Answer>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
      const p: Pending = {
        resolve,
        reject,
        mti: msg.mti,
        timer: setTimeout(() => {
          const i = this.pending.indexOf(p);
          if (i >= 0) this.pending.splice(i, 1);
          reject(
            new HostExchangeError(
              'E_HOST_TIMEOUT',
              `no answer to ${msg.mti} within ${timeoutMs} ms`,
              msg.mti,
            ),
          );
        }, timeoutMs),
      };
      this.pending.push(p);
      this.socket.write(frame);
    });
  }

  /** Writes raw bytes (fuzzing, malformed frames). */
  writeRaw(bytes: Uint8Array): void {
    if (!this.closedFlag) this.socket.write(bytes);
  }

  /** Waits for the next answer without sending anything (after writeRaw). */
  nextAnswer(timeoutMs = this.timeoutMs): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      if (this.closedFlag) return reject(new HostExchangeError('E_HOST_CLOSED', 'connection is closed'));
      const p: Pending = {
        resolve,
        reject,
        mti: '(raw)',
        timer: setTimeout(() => {
          const i = this.pending.indexOf(p);
          if (i >= 0) this.pending.splice(i, 1);
          reject(new HostExchangeError('E_HOST_TIMEOUT', `no answer within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.pending.push(p);
    });
  }

  async close(): Promise<void> {
    if (this.closedFlag) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 200).unref();
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.parser.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      const p = this.pending.shift();
      if (!p) continue;
      clearTimeout(p.timer);
      try {
        const a: Answer = decodeFrame(this.dialect, f, { maxFrameBytes: 65535 });
        if (a.fields[64] !== undefined && this.keys) a.macOk = verifyMac(this.dialect, a, this.keys.mak);
        p.resolve(a);
      } catch (e) {
        p.reject(e as Error);
      }
    }
  }
}
