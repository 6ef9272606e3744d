/**
 * PC/SC reader driver on node-pcsclite: list readers, wait for a card to be inserted or removed, connect
 * and exchange APDUs (with the T=0 conventions handled: 61xx → GET RESPONSE, 6Cxx → resend with Le).
 * Promise-only; `activate()` before use, `deactivate()` releases the PC/SC context.
 */
import { ActiveGuard } from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import { exchangeWithGetResponse } from '../../cards/apdu.js';
import { PcscError } from './errors.js';
import {
  openPcscContext,
  type PcscContextHandle,
  type PcscFactory,
  type PcscReaderHandle,
} from './pcsclite-module.js';

const log = createLogger('payhil:pcsc');

/** Largest response buffer asked for (short APDUs: 256 + SW; extended up to 64 KiB). */
const MAX_RESPONSE = 65538;
/** What a reader looks like now. */
export interface ReaderStatus {
  name: string;
  present: boolean;
  mute: boolean;
  atr?: Buffer;
}

/** An open connection to the card in one reader. */
export interface PcscConnection {
  readonly reader: string;
  readonly protocol: 'T0' | 'T1' | 'other';
  /** One raw APDU exchange (no GET RESPONSE handling). */
  transmitRaw(apdu: Uint8Array): Promise<Buffer>;
  /** One APDU exchange, following 61xx with GET RESPONSE and 6Cxx with the exact Le. */
  transmit(apdu: Uint8Array): Promise<Buffer>;
  /** Ends the connection; `reset` also resets the card (default: leave it as it is). */
  disconnect(disposition?: 'leave' | 'reset' | 'unpower'): Promise<void>;
}

/** Driver for the PC/SC readers of this machine. */
export class PcscDriver {
  /** The PC/SC context while the driver is active. */
  private readonly guard = new ActiveGuard<PcscContextHandle>(
    (operation) => new PcscError(operation, undefined, 'driver not activated'),
  );
  private readonly readers = new Map<string, PcscReaderHandle>();
  private readonly status = new Map<string, ReaderStatus>();
  private readonly waiters = new Set<() => void>();

  /** `factory` replaces the pcsclite module (tests use a fake with the same API). */
  constructor(private readonly options: { factory?: PcscFactory } = {}) {}

  /** Opens the PC/SC context. @throws PcscUnavailableError with what to install or start. */
  async activate(): Promise<void> {
    if (this.guard.active) return;
    const ctx = await openPcscContext(this.options.factory);
    this.guard.activate(ctx);
    ctx.on('error', (e) => log('context error', e.message));
    ctx.on('reader', (reader) => {
      this.readers.set(reader.name, reader);
      this.status.set(reader.name, { name: reader.name, present: false, mute: false });
      reader.on('error', (e) => log('reader error', reader.name, e.message));
      reader.on('status', (s) => {
        const present = (s.state & reader.SCARD_STATE_PRESENT) !== 0;
        const mute = (s.state & reader.SCARD_STATE_MUTE) !== 0;
        this.status.set(reader.name, { name: reader.name, present, mute, atr: present ? s.atr : undefined });
        log('status', reader.name, present ? 'present' : 'empty', mute ? 'mute' : '');
        this.wake();
      });
      reader.on('end', () => {
        this.readers.delete(reader.name);
        this.status.delete(reader.name);
        this.wake();
      });
      this.wake();
    });
  }

  /** Closes every reader and the context. */
  async deactivate(): Promise<void> {
    for (const r of this.readers.values()) {
      try {
        r.close();
      } catch {
        /* already closed */
      }
    }
    this.readers.clear();
    this.guard.deactivate()?.close();
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits until `check` is true (re-evaluated on every reader event) or `timeoutMs` passes. */
  private waitFor<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const first = check();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve) => {
      const done = (v: T | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(v);
      };
      const waiter = (): void => {
        const v = check();
        if (v !== undefined) done(v);
      };
      const timer = setTimeout(() => done(check()), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private requireActive(operation: string): void {
    this.guard.need(operation);
  }

  /**
   * Names of the readers. Readers are announced asynchronously after activation, so this waits up to
   * `settleMs` for the first one (and a further 50 ms for the rest).
   */
  async listReaders(settleMs = 1000): Promise<string[]> {
    this.requireActive('list readers');
    await this.waitFor(() => (this.readers.size > 0 ? true : undefined), settleMs);
    await new Promise((r) => setTimeout(r, 50));
    return [...this.readers.keys()].sort();
  }

  /** Status of every known reader (call listReaders first). */
  readerStatus(): ReaderStatus[] {
    return [...this.status.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Waits until a card is in `reader` (or in any reader when omitted); returns that reader's status. */
  async waitForCard(reader: string | undefined, timeoutMs: number): Promise<ReaderStatus | undefined> {
    this.requireActive('wait for card');
    return this.waitFor(() => {
      for (const s of this.status.values())
        if ((reader === undefined || s.name === reader) && s.present) return s;
      return undefined;
    }, timeoutMs);
  }

  /** Waits until `reader` is empty; true when it is. */
  async waitForRemoval(reader: string, timeoutMs: number): Promise<boolean> {
    this.requireActive('wait for removal');
    const r = await this.waitFor(() => (this.status.get(reader)?.present ? undefined : true), timeoutMs);
    return r === true;
  }

  /** Connects (shared mode) to the card in `reader`. */
  async connect(reader: string): Promise<PcscConnection> {
    this.requireActive('connect');
    const r = this.readers.get(reader);
    if (!r)
      throw new PcscError(
        'connect',
        reader,
        `no such reader (readers: ${[...this.readers.keys()].sort().join(', ') || 'none'})`,
      );
    if (r.connected) {
      // node-pcsclite keeps a reader marked connected when the card left during a transmit, and then
      // answers connect() without connecting (no protocol): drop that stale connection first.
      log('dropping a stale connection', reader);
      await new Promise<void>((resolve) => r.disconnect(r.SCARD_LEAVE_CARD, () => resolve()));
    }
    const protocol = await new Promise<number>((resolve, reject) => {
      r.connect({ share_mode: r.SCARD_SHARE_SHARED }, (err, p) =>
        err
          ? reject(new PcscError('connect', reader, errorText(err), { cause: err }))
          : typeof p === 'number'
            ? resolve(p)
            : reject(new PcscError('connect', reader, 'the reader answered without a protocol')),
      );
    });
    const raw = (apdu: Buffer): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        r.transmit(apdu, MAX_RESPONSE, protocol, (err, data) =>
          err ? reject(new PcscError('transmit', reader, errorText(err), { cause: err })) : resolve(data),
        );
      });
    const name = protocol === r.SCARD_PROTOCOL_T0 ? 'T0' : protocol === r.SCARD_PROTOCOL_T1 ? 'T1' : 'other';
    return {
      reader,
      protocol: name,
      transmitRaw: (apdu) => raw(Buffer.from(apdu)),
      transmit: (apdu) => exchangeWithGetResponse(raw, apdu),
      disconnect: (disposition = 'leave') =>
        new Promise<void>((resolve, reject) => {
          const d =
            disposition === 'reset'
              ? r.SCARD_RESET_CARD
              : disposition === 'unpower'
                ? r.SCARD_UNPOWER_CARD
                : r.SCARD_LEAVE_CARD;
          r.disconnect(d, (err) =>
            err ? reject(new PcscError('disconnect', reader, errorText(err))) : resolve(),
          );
        }),
    };
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
