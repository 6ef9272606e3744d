/**
 * PC/SC reader mode of the emulated terminal: the terminal reads its cards through a PC/SC reader (vpcd in
 * tests, a real reader in a lab) instead of in-process virtual cards. `PcscCard` is the card interface the
 * terminal's kernel talks to (power on = connect, transmit = one raw APDU, power off = disconnect);
 * `PcscCardSource` watches the reader and presents each card it sees to the terminal's card slot —
 * inserted for a contact ATR, tapped for a contactless one — and removes it when it leaves the reader.
 */
import {
  CardNoAnswerError,
  CardRemovedError,
  CardStateError,
  isContactlessAtr,
  type ApduExchange,
  type CardFault,
  type CardInterface,
  type CardRunState,
  type MagstripeTracks,
  type VirtualCard,
} from '../../cards/index.js';
import { createLogger } from '../../common/logger.js';
import type { TerminalCardSlot } from '../../emulator/index.js';
import { PcscError } from './errors.js';
import type { PcscConnection, PcscDriver } from './pcsc-driver.js';

const log = createLogger('payhil:pcsc:source');

/** Name of the vsmartcard vpcd reader (first slot) as pcscd lists it. */
export const VPCD_READER = 'Virtual PCD 00 00';

/** `vpcd` → the vpcd reader; `pcsc:NAME` or a bare name → that reader. */
export function readerFromSpec(spec: string): string {
  if (spec === 'vpcd') return VPCD_READER;
  if (spec.startsWith('pcsc:')) return spec.slice('pcsc:'.length);
  return spec;
}

/** The card in a PC/SC reader, seen through the card interface of the emulated terminal. */
export class PcscCard implements VirtualCard {
  readonly name: string;
  /** Unknown until the terminal reads the card (the kernel masks the PAN it reads itself). */
  readonly maskedPan = '';
  readonly interfaces: readonly ('contact' | 'contactless' | 'magstripe')[];
  private conn: PcscConnection | undefined;
  private via: CardInterface | undefined;
  private readonly listeners = new Set<(e: ApduExchange) => void>();

  constructor(
    private readonly driver: PcscDriver,
    readonly reader: string,
    private readonly atr: Buffer | undefined,
  ) {
    this.name = `pcsc:${reader}`;
    this.interfaces = [isContactlessAtr(atr) ? 'contactless' : 'contact'];
  }

  get poweredVia(): CardInterface | undefined {
    return this.via;
  }

  async powerOn(via: CardInterface = 'contact'): Promise<Buffer> {
    const st = this.driver.readerStatus().find((s) => s.name === this.reader);
    if (!st?.present) throw new CardNoAnswerError(this.name, 'interface-absent');
    if (st.mute) throw new CardNoAnswerError(this.name, 'mute-chip');
    if (!this.conn) {
      try {
        this.conn = await this.driver.connect(this.reader);
      } catch (e) {
        log('connect failed', this.reader, (e as Error).message);
        throw new CardNoAnswerError(this.name, 'mute-chip');
      }
    }
    this.via = via;
    return st.atr ?? this.atr ?? Buffer.alloc(0);
  }

  async transmit(apdu: Uint8Array): Promise<Buffer> {
    const c = this.conn;
    if (!c) throw new CardStateError(this.name, 'card not powered on', 'failed');
    const command = Buffer.from(apdu);
    const started = performance.now();
    let response: Buffer;
    try {
      response = await c.transmitRaw(command);
    } catch (e) {
      this.conn = undefined;
      this.via = undefined;
      throw new CardRemovedError(this.name, `transmit failed: ${(e as Error).message}`);
    }
    if (this.listeners.size) {
      // Hex as the virtual cards report it; the terminal masks PAN and tracks before its own events.
      const ex: ApduExchange = {
        card: this.name,
        via: this.via ?? 'contact',
        command:
          command[1] === 0x20 // VERIFY: the PIN block never leaves in clear
            ? command.subarray(0, 5).toString('hex').toUpperCase() + '<PIN block redacted>'
            : command.toString('hex').toUpperCase(),
        response: response.toString('hex').toUpperCase(),
        ms: performance.now() - started,
      };
      for (const l of this.listeners) l(ex);
    }
    return response;
  }

  async powerOff(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    this.via = undefined;
    if (!c) return;
    try {
      await c.disconnect('unpower');
    } catch (e) {
      // The card may already be gone: nothing left to power off.
      log('disconnect', this.reader, (e as Error).message);
    }
  }

  swipe(): Promise<MagstripeTracks> {
    return Promise.reject(new CardStateError(this.name, 'a PC/SC reader has no magnetic stripe reader'));
  }

  injectFault(_fault: CardFault): void {
    throw new CardStateError(this.name, 'faults cannot be injected into a card in a PC/SC reader');
  }

  clearFaults(): void {
    // A real card has no injected faults.
  }

  reset(): void {
    // The card's state lives on the card.
  }

  snapshot(): CardRunState {
    throw new CardStateError(this.name, 'the run state of a card in a PC/SC reader cannot be read');
  }

  onExchange(listener: (e: ApduExchange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface PcscCardSourceOptions {
  /** An activated driver (the source does not deactivate it). */
  driver: PcscDriver;
  /** Reader name (see {@link readerFromSpec}). */
  reader: string;
  /** The terminal's card slot now (a getter: the terminal may be replaced by a power cycle). */
  slot: () => TerminalCardSlot;
  /** How long each wait for a card or its removal lasts before the loop looks at `stop` again (ms). */
  pollMs?: number;
}

/** Watches one PC/SC reader and presents the cards it sees to the terminal. */
export class PcscCardSource {
  private running = false;
  private loop: Promise<void> | undefined;
  private presented = 0;

  constructor(private readonly options: PcscCardSourceOptions) {}

  /** Cards presented so far. */
  get count(): number {
    return this.presented;
  }

  /** Checks that the reader exists, then starts watching it. @throws PcscError naming the readers seen. */
  async start(): Promise<void> {
    if (this.running) return;
    const readers = await this.options.driver.listReaders(3000);
    if (!readers.includes(this.options.reader))
      throw new PcscError(
        'watch',
        this.options.reader,
        `no such reader (readers: ${readers.join(', ') || 'none'})`,
      );
    this.running = true;
    this.loop = this.watch().catch((e: unknown) => log('watch stopped', (e as Error).message));
  }

  /** Stops watching (within `pollMs`). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.loop = undefined;
  }

  private async watch(): Promise<void> {
    const { driver, reader } = this.options;
    const poll = this.options.pollMs ?? 250;
    while (this.running) {
      const st = await driver.waitForCard(reader, poll);
      if (!this.running) break;
      if (!st?.present) continue;
      const card = new PcscCard(driver, reader, st.atr);
      const contactless = isContactlessAtr(st.atr);
      const slot = this.options.slot();
      let inserted = false;
      try {
        if (contactless) await slot.tap(card);
        else {
          await slot.insert(card);
          inserted = true;
        }
        this.presented++;
        log('presented', reader, contactless ? 'tap' : 'insert');
      } catch (e) {
        log('presentation refused', (e as Error).message);
      }
      while (this.running && !(await driver.waitForRemoval(reader, poll))) {
        // The card is still in the reader.
      }
      await card.powerOff();
      if (inserted) {
        await slot.remove().catch((e: unknown) => log('remove', (e as Error).message));
      }
    }
  }
}
