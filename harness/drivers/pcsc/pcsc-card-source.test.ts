import { strict as assert } from 'node:assert';
import {
  CardNoAnswerError,
  CardRemovedError,
  CardStateError,
  createVirtualCard,
  type ApduExchange,
  type VirtualCard,
} from '../../cards/index.js';
import { startRig, type Rig } from '../../emulator/emulator-test-kit.test-helper.js';
import { PcscCard, PcscCardSource, readerFromSpec, VPCD_READER } from './pcsc-card-source.js';
import type { PcscConnection, PcscDriver, ReaderStatus } from './pcsc-driver.js';

const READER = 'Fake Reader 00 00';
const CONTACT_ATR = Buffer.from('3B6800000073C84013009000', 'hex');
// A PC/SC reader's ATR for an ISO 14443-4 card: 3B 8n 80 01 + historical bytes + TCK (PC/SC part 3).
const CONTACTLESS_ATR = Buffer.from('3B8180018080', 'hex');

/** A PcscDriver stand-in: one reader whose "card" is an in-process virtual card. */
class FakeDriver {
  status: ReaderStatus = { name: READER, present: false, mute: false };
  card: VirtualCard | undefined;
  connects = 0;
  disconnects: string[] = [];
  failTransmit = false;

  put(card: VirtualCard, atr: Buffer, mute = false): void {
    this.card = card;
    this.status = { name: READER, present: true, mute, atr };
  }
  take(): void {
    this.card = undefined;
    this.status = { name: READER, present: false, mute: false };
  }
  async listReaders(): Promise<string[]> {
    return [READER];
  }
  readerStatus(): ReaderStatus[] {
    return [this.status];
  }
  async waitForCard(_r: string | undefined, ms: number): Promise<ReaderStatus | undefined> {
    await until(() => this.status.present, ms);
    return this.status.present ? this.status : undefined;
  }
  async waitForRemoval(_r: string, ms: number): Promise<boolean> {
    await until(() => !this.status.present, ms);
    return !this.status.present;
  }
  async connect(reader: string): Promise<PcscConnection> {
    this.connects++;
    const card = this.card;
    if (!card) throw new Error('no card');
    await card.powerOn(this.status.atr?.[2] === 0x80 ? 'contactless' : 'contact');
    const raw = async (a: Uint8Array): Promise<Buffer> => {
      if (this.failTransmit) throw new Error('SCARD_W_REMOVED_CARD');
      return card.transmit(a);
    };
    return {
      reader,
      protocol: 'T1',
      transmitRaw: raw,
      transmit: raw,
      disconnect: async (d = 'leave') => {
        this.disconnects.push(d);
        await card.powerOff();
      },
    };
  }
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

describe('pcsc card source (PC/SC reader mode of the emulator)', () => {
  it('names readers: vpcd, pcsc:NAME, bare names', () => {
    assert.equal(readerFromSpec('vpcd'), VPCD_READER);
    assert.equal(readerFromSpec('pcsc:ACS ACR122U 00 00'), 'ACS ACR122U 00 00');
    assert.equal(readerFromSpec('Some Reader'), 'Some Reader');
  });

  describe('PcscCard', () => {
    it('powers on through connect, transmits raw APDUs, powers off by unpowering', async () => {
      const d = new FakeDriver();
      d.put(createVirtualCard('cup-debit'), CONTACT_ATR);
      const c = new PcscCard(d as unknown as PcscDriver, READER, CONTACT_ATR);
      assert.deepEqual(c.interfaces, ['contact']);
      assert.equal(c.name, `pcsc:${READER}`);
      assert.deepEqual(await c.powerOn('contact'), CONTACT_ATR);
      assert.equal(c.poweredVia, 'contact');
      const seen: ApduExchange[] = [];
      c.onExchange((e) => seen.push(e));
      // SELECT by name of the contact PSE "1PAY.SYS.DDF01" (EMV Book 1, application selection)
      const r = await c.transmit(Buffer.from('00A404000E315041592E5359532E444446303100', 'hex'));
      // T=1 answers 9000; a T=0 card 61xx (GET RESPONSE is the terminal's job: transmit is raw).
      assert.match(r.subarray(-2).toString('hex'), /^(9000|61[0-9a-f]{2})$/);
      // VERIFY (INS 20) is redacted in the exchange record.
      await c.transmit(Buffer.from('0020008008241234FFFFFFFFFF', 'hex'));
      assert.equal(seen.length, 2);
      assert.equal(seen[0]?.command, '00A404000E315041592E5359532E444446303100');
      assert.equal(seen[1]?.command, '0020008008<PIN block redacted>');
      await c.powerOff();
      assert.deepEqual(d.disconnects, ['unpower']);
      assert.equal(c.poweredVia, undefined);
      await c.powerOff(); // idempotent
      assert.equal(d.disconnects.length, 1);
    });

    it('a contactless ATR makes a contactless card', () => {
      const c = new PcscCard(new FakeDriver() as unknown as PcscDriver, READER, CONTACTLESS_ATR);
      assert.deepEqual(c.interfaces, ['contactless']);
    });

    it('refuses what a reader cannot do: empty or mute reader, swipe, faults, snapshot', async () => {
      const d = new FakeDriver();
      const c = new PcscCard(d as unknown as PcscDriver, READER, CONTACT_ATR);
      await assert.rejects(c.powerOn(), CardNoAnswerError);
      d.put(createVirtualCard('cup-debit'), CONTACT_ATR, true);
      await assert.rejects(
        c.powerOn(),
        (e: unknown) => e instanceof CardNoAnswerError && e.reason === 'mute-chip',
      );
      await assert.rejects(c.swipe(), CardStateError);
      await assert.rejects(c.transmit(Buffer.from('00A4040000', 'hex')), CardStateError);
      assert.throws(() => c.injectFault({ kind: 'mute' }), CardStateError);
      assert.throws(() => c.snapshot(), CardStateError);
    });

    it('a transmit error means the card left the reader', async () => {
      const d = new FakeDriver();
      d.put(createVirtualCard('cup-debit'), CONTACT_ATR);
      const c = new PcscCard(d as unknown as PcscDriver, READER, CONTACT_ATR);
      await c.powerOn();
      d.failTransmit = true;
      await assert.rejects(c.transmit(Buffer.from('00A4040000', 'hex')), CardRemovedError);
      assert.equal(c.poweredVia, undefined);
    });
  });

  describe('PcscCardSource with the emulated terminal and the host simulator', function () {
    this.timeout(15000);
    let rig: Rig;
    let source: PcscCardSource;
    const d = new FakeDriver();
    before(async () => {
      rig = await startRig();
      source = new PcscCardSource({
        driver: d as unknown as PcscDriver,
        reader: READER,
        slot: () => rig.terminal.cardSlot,
        pollMs: 20,
      });
      await source.start();
    });
    after(async () => {
      await source.stop();
      await rig.close();
    });

    it('refuses to start on a reader that is not there', async () => {
      const s = new PcscCardSource({
        driver: d as unknown as PcscDriver,
        reader: 'Nope 00 00',
        slot: () => rig.terminal.cardSlot,
      });
      await assert.rejects(s.start(), /no such reader \(readers: Fake Reader 00 00\)/);
    });

    it('inserts a contact card it sees, the terminal reads it through the reader, removal empties the slot', async () => {
      const t = rig.terminal;
      const p = t.purchase(1000);
      await t.keypad.enterPin('123456');
      const card = createVirtualCard('cup-debit');
      const atc = card.snapshot().atc;
      d.put(card, CONTACT_ATR);
      const r = await p;
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(r.entryMode, '051');
      assert.equal(card.snapshot().atc, atc + 1, 'the card behind the reader did the GPO');
      assert.ok(t.cardSlot.occupied);
      assert.equal(source.count, 1);
      d.take();
      await until(() => !t.cardSlot.occupied, 2000);
      assert.equal(t.cardSlot.occupied, false);
      assert.equal(t.state, 'idle');
    });

    it('taps a card whose ATR says contactless', async () => {
      const t = rig.terminal;
      const tapped = t.events.waitFor((e) => e.type === 'card' && e.action === 'tap', 3000);
      const p = t.purchase(50);
      d.put(createVirtualCard('cup-debit'), CONTACTLESS_ATR);
      await tapped;
      const r = await p;
      assert.equal(r.entryMode?.slice(0, 2), '07');
      assert.equal(t.cardSlot.occupied, false, 'a tap does not occupy the contact slot');
      d.take();
      await until(() => source.count === 2 && d.disconnects.length >= 2, 2000);
    });
  });
});
