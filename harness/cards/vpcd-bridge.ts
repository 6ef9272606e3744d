/**
 * Presents a virtual card to pcscd through the vsmartcard virtual reader (vpcd). vpcd (loaded by pcscd
 * from /etc/reader.conf.d/vpcd) listens on TCP 35963 (reader "Virtual PCD 00 00", 35964 for "… 00 01");
 * the card side connects to it. A connection is an inserted card, closing it removes the card.
 *
 * Wire format (vsmartcard vpcd.c): every message is a 2-byte big-endian length then the payload, both
 * ways. A 1-byte message from vpcd is a control: 00 power off, 01 power on, 02 reset, 04 get ATR (answered
 * with the ATR). Any longer message is a command APDU, answered with the response APDU. An empty answer
 * tells vpcd the card is gone.
 */
import { Socket, connect } from 'node:net';
import { createLogger } from '../common/logger.js';
import { CardNoAnswerError, CardRemovedError, VpcdError } from './errors.js';
import type { CardInterface, EmvVirtualCard } from './virtual-card.js';

const log = createLogger('payhil:vpcd');

/** vpcd control bytes. */
export const VPCD_CTRL = { OFF: 0x00, ON: 0x01, RESET: 0x02, ATR: 0x04 } as const;
/** Default vpcd port (ChannelID 0x8C7B in /etc/reader.conf.d/vpcd). */
export const VPCD_DEFAULT_PORT = 35963;

export interface VpcdOptions {
  /** Where vpcd listens (default 127.0.0.1:35963). */
  host?: string;
  port?: number;
  /** The interface the card is presented on (default contact if the card has it, else contactless). */
  via?: CardInterface;
  /** Remove the card this many ms after it was inserted. */
  removeAfterMs?: number;
  /** Give up connecting after this many ms (default 3000). */
  connectTimeoutMs?: number;
}

/** A card inserted in the virtual reader. */
export interface VpcdHandle {
  readonly host: string;
  readonly port: number;
  /** Resolves when the card is removed (close(), removeAfterMs, holdMs, vpcd went away). */
  readonly removed: Promise<void>;
  /** Resolves true at vpcd's first message (it polls the ATR), false if the card is removed before. */
  readonly polled: Promise<boolean>;
  /** Number of APDUs exchanged so far. */
  readonly apduCount: number;
  /** Removes the card cleanly (closes the connection to vpcd). */
  close(): Promise<void>;
}

/** Incremental splitter of 2-byte length frames (complete frames only, any chunking). */
export class VpcdFrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.buf.length >= 2) {
      const len = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + len) break;
      out.push(Buffer.from(this.buf.subarray(2, 2 + len)));
      this.buf = this.buf.subarray(2 + len);
    }
    return out;
  }
}

/** A message in vpcd framing. */
export function vpcdFrame(payload: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + payload.length);
  out.writeUInt16BE(payload.length, 0);
  out.set(payload, 2);
  return out;
}

/** Explains a connection failure in terms of what to install or start. */
function connectHint(code: string | undefined): string {
  if (code === 'ECONNREFUSED')
    return 'nothing listens there: start pcscd with the vsmartcard vpcd driver (Debian: apt-get install pcscd vsmartcard-vpcd; then `pcscd` as root, or `pcscd -f` in the foreground)';
  return 'cannot connect';
}

/**
 * Inserts `card` into the vpcd virtual reader and serves it until `close()` (or removal). Resolves once
 * connected; rejects with VpcdError when vpcd cannot be reached.
 */
export async function serveCardOnVpcd(card: EmvVirtualCard, options: VpcdOptions = {}): Promise<VpcdHandle> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? VPCD_DEFAULT_PORT;
  const via: CardInterface = options.via ?? (card.interfaces.includes('contact') ? 'contact' : 'contactless');
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new VpcdError(host, port, `no connection after ${options.connectTimeoutMs ?? 3000} ms`));
    }, options.connectTimeoutMs ?? 3000);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new VpcdError(host, port, `${connectHint(e.code)} (${e.code ?? e.message})`, { cause: e }));
    });
  });
  socket.setNoDelay(true);
  log('inserted', card.name, card.maskedPan, `via ${via} on ${host}:${port}`);

  let apduCount = 0;
  let closed = false;
  let resolveRemoved!: () => void;
  const removed = new Promise<void>((r) => (resolveRemoved = r));
  let removeTimer: NodeJS.Timeout | undefined;
  let resolvePolled!: (v: boolean) => void;
  const polled = new Promise<boolean>((r) => (resolvePolled = r));

  const finish = (): void => {
    if (closed) return;
    closed = true;
    if (removeTimer) clearTimeout(removeTimer);
    void card.powerOff();
    socket.destroy();
    log('removed', card.name);
    resolvePolled(false);
    resolveRemoved();
  };

  const send = (payload: Uint8Array): void => {
    if (!closed) socket.write(vpcdFrame(payload));
  };

  const powerOn = (): void => {
    try {
      card.powerOnSync(via);
    } catch (e) {
      // A mute chip stays unpowered; its ATR request is answered without an ATR below.
      if (!(e instanceof CardNoAnswerError)) throw e;
    }
  };

  const parser = new VpcdFrameParser();
  socket.on('data', (chunk: Buffer) => {
    resolvePolled(true);
    for (const msg of parser.push(chunk)) {
      if (closed) return;
      if (msg.length === 1) {
        const ctrl = msg[0];
        if (ctrl === VPCD_CTRL.ON || ctrl === VPCD_CTRL.RESET) {
          powerOn();
        } else if (ctrl === VPCD_CTRL.OFF) {
          void card.powerOff();
        } else if (ctrl === VPCD_CTRL.ATR) {
          if (card.snapshot().faults.mute) {
            // A mute chip has no ATR: pcscd gets a power-up failure and reports the card as mute.
            send(Buffer.from([0x3b]));
          } else {
            send(card.atr(via));
          }
        } else {
          log('unknown control byte', ctrl);
        }
        continue;
      }
      apduCount++;
      if (card.poweredVia === undefined) {
        // vpcd sends APDUs only after power-on; pcscd may skip it after a warm reset.
        powerOn();
      }
      try {
        send(card.transmitSync(msg));
      } catch (e) {
        if (e instanceof CardRemovedError || e instanceof CardNoAnswerError) {
          finish();
          return;
        }
        log('card error', e instanceof Error ? e.message : String(e));
        send(Buffer.from([0x6f, 0x00]));
      }
    }
  });
  socket.on('close', finish);
  socket.on('error', (e) => {
    log('socket error', e.message);
    finish();
  });
  if (options.removeAfterMs !== undefined) removeTimer = setTimeout(finish, options.removeAfterMs);
  const hold = card.snapshot().faults.holdMs;
  if (hold !== undefined && removeTimer === undefined) {
    // The card leaves the field holdMs after it was presented.
    removeTimer = setTimeout(finish, hold);
  }

  return {
    host,
    port,
    removed,
    polled,
    get apduCount() {
      return apduCount;
    },
    async close() {
      finish();
      await removed;
    },
  };
}
