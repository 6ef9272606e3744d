/**
 * The preflight's independent check through the mux's monitor port: the mux connects a slot's card to
 * a PC/SC reader of the bench (`MONITOR n`), payhil reads the card's EMV application there (SELECT,
 * GET PROCESSING OPTIONS, READ RECORD: no transaction, nothing written) and compares its PAN with the
 * card fixture the lab file maps to the slot. Only masked PANs (first 6, last 4) appear in messages.
 */
import { loadCardFixture } from '../../cards/index.js';
import { isContactlessAtr } from '../../cards/index.js';
import { maskPan } from '../../common/mask.js';
import { PcscDriver, readEmvCard } from '../pcsc/index.js';
import { MuxError } from './errors.js';

/** What the presenter asks: undefined when slot `slot` holds `fixture`, else what is wrong. */
export type SlotCheck = (slot: number, fixture: string) => Promise<string | undefined>;

export interface MonitorReaderOptions {
  /** The monitor port's PC/SC reader (exact name or a part of it). */
  reader: string;
  /** Longest wait for pcscd to see the card come and go (ms). Default 5 000. */
  seenTimeoutMs?: number;
}

/** A PC/SC context on the monitor reader, opened for one preflight. */
export class MonitorReader {
  private readonly pcsc = new PcscDriver();
  private name: string | undefined;

  constructor(
    private readonly driver: string,
    private readonly monitor: (slot: number | undefined) => Promise<void>,
    private readonly options: MonitorReaderOptions,
  ) {}

  async open(): Promise<void> {
    await this.pcsc.activate();
    const readers = await this.pcsc.listReaders(2000);
    const want = this.options.reader;
    this.name = readers.find((r) => r === want) ?? readers.find((r) => r.includes(want));
    if (!this.name) {
      await this.pcsc.deactivate();
      throw new MuxError(
        this.driver,
        'preflight',
        `no PC/SC reader '${want}' for the monitor port (readers: ${readers.join(', ') || 'none'}): check card.monitor.reader and the reader's cable`,
        { code: 'E_MUX_MONITOR' },
      );
    }
  }

  async close(): Promise<void> {
    await this.monitor(undefined).catch(() => undefined);
    await this.pcsc.deactivate();
  }

  /** Puts slot `slot` on the monitor port and reads its PAN; undefined when it is `fixture`'s. */
  readonly check: SlotCheck = async (slot, fixture) => {
    const reader = this.name as string;
    const seenMs = this.options.seenTimeoutMs ?? 5000;
    const expected = maskPan(loadCardFixture(fixture).pan);
    await this.monitor(slot);
    try {
      const status = await this.pcsc.waitForCard(reader, seenMs);
      if (!status?.present)
        return `slot ${slot}: no card on the monitor reader '${reader}' within ${seenMs} ms`;
      const conn = await this.pcsc.connect(reader);
      try {
        const session = await readEmvCard((a) => conn.transmit(a), {
          atr: status.atr,
          contactless: isContactlessAtr(status.atr),
        });
        const got = session.identity.maskedPan;
        if (got === undefined) return `slot ${slot}: the card on the monitor reader has no readable PAN`;
        return got === expected
          ? undefined
          : `slot ${slot} holds the card with PAN ${got} (read on the monitor reader), not '${fixture}' (${expected}): put '${fixture}' in slot ${slot}`;
      } finally {
        await conn.disconnect().catch(() => undefined);
      }
    } finally {
      await this.monitor(undefined);
      await this.pcsc.waitForRemoval(reader, seenMs);
    }
  };
}
