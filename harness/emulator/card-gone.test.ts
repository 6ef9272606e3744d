/**
 * A card that vanishes while the terminal reads it (a PC/SC reader that lost the card) must read as a
 * card that left — PLEASE TAP AGAIN for a tap, CARD REMOVED for an insert — never as CARD NOT SUPPORTED
 * or an internal error. The fake card below fails the way `PcscCard`
 * (harness/drivers/pcsc/pcsc-card-source.ts) does once its card has left the reader: the transmit in
 * flight rejects with CardRemovedError ("transmit failed: …") and drops the connection; after the card
 * source saw the reader empty and powered the card off, a transmit rejects with CardStateError "card not
 * powered on". A third variant answers with no status word at all. Host on 127.0.0.1 (port 0).
 */
import { strict as assert } from 'node:assert';
import {
  CardRemovedError,
  CardStateError,
  createVirtualCard,
  type CardInterface,
  type EmvVirtualCard,
  type MagstripeTracks,
} from '../cards/index.js';
import type { PresentedCard } from './card-reader/card-presentation.js';
import { card, received, startRig, type Rig } from './emulator-test-kit.test-helper.js';

type LeaveHow = 'transmit-fails' | 'source-powered-off' | 'no-status-word';

/** A card that leaves the reader after `leaveAfter` APDUs, failing like a card in a PC/SC reader. */
class LeavingCard implements PresentedCard {
  readonly name: string;
  readonly maskedPan = '';
  sent = 0;
  private via: CardInterface | undefined;

  constructor(
    private readonly inner: EmvVirtualCard,
    private readonly leaveAfter: number,
    private readonly how: LeaveHow,
  ) {
    this.name = `pcsc-like:${inner.name}`;
  }

  get poweredVia(): CardInterface | undefined {
    return this.via;
  }

  async powerOn(via: CardInterface = 'contact'): Promise<Buffer> {
    this.via = via;
    return this.inner.powerOn(via);
  }

  async transmit(apdu: Uint8Array): Promise<Buffer> {
    if (!this.via) throw new CardStateError(this.name, 'card not powered on', 'failed');
    if (this.sent++ >= this.leaveAfter) {
      if (this.how === 'no-status-word') return Buffer.alloc(0);
      this.via = undefined; // PcscCard drops its connection; the card source powers it off
      if (this.how === 'transmit-fails')
        throw new CardRemovedError(this.name, 'transmit failed: Card was removed. (0x80100069)');
      throw new CardStateError(this.name, 'card not powered on', 'failed');
    }
    return this.inner.transmit(apdu);
  }

  async powerOff(): Promise<void> {
    this.via = undefined;
    await this.inner.powerOff();
  }

  swipe(): Promise<MagstripeTracks> {
    return Promise.reject(new CardStateError(this.name, 'a PC/SC reader has no magnetic stripe reader'));
  }
}

describe('a card that vanishes during the read (PC/SC reader lost it)', () => {
  let rig: Rig;

  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig.close();
  });

  for (const how of ['transmit-fails', 'source-powered-off', 'no-status-word'] as const) {
    it(`tap, gone during application selection (${how}) → PLEASE TAP AGAIN, then a good tap completes`, async () => {
      const t = rig.terminal;
      const before = received(rig.host, '0200').length;
      const since = t.events.lastSeq;
      const p = t.purchase(500);
      // After SELECT PPSE: the card leaves while the terminal selects the application.
      const leaving = new LeavingCard(createVirtualCard('cup-credit'), 1, how);
      await t.cardSlot.tap(leaving);
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'pleaseTapAgain', 5000, since);
      const history = t.events.history().filter((e) => e.seq > since);
      assert.ok(!history.some((e) => e.type === 'display' && e.key === 'cardNotSupported'));
      assert.ok(history.some((e) => e.type === 'card' && e.action === 'left-field'));
      assert.equal(t.state, 'readingCard', 'still in the transaction, waiting for the card again');
      assert.equal(received(rig.host, '0200').length, before, 'nothing sent');
      await t.cardSlot.tap(card('cup-credit'));
      const r = await p;
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(r.entryMode?.slice(0, 2), '07');
    });

    it(`insert, gone during application selection (${how}) → CARD REMOVED, cancelled, nothing sent`, async () => {
      const t = rig.terminal;
      const before = received(rig.host).length;
      const p = t.purchase(1500);
      const leaving = new LeavingCard(createVirtualCard('cup-debit'), 2, how);
      await t.cardSlot.insert(leaving);
      const r = await p;
      assert.equal(r.outcome, 'cancelled');
      assert.equal(r.messageKey, 'cardRemoved');
      assert.equal(r.message, 'CARD REMOVED, TRANSACTION CANCELLED');
      assert.deepEqual(r.details, { cardLeft: 'reading' });
      assert.equal(received(rig.host).length, before);
      await t.cardSlot.remove();
      assert.equal(t.state, 'idle');
    });
  }

  it('a card that is there and refuses every application is still CARD NOT SUPPORTED', async () => {
    const t = rig.terminal;
    const p = t.purchase(1500);
    await t.cardSlot.insert(card('foreign-aid'));
    const r = await p;
    await t.cardSlot.remove();
    assert.equal(r.outcome, 'declined');
    assert.equal(r.messageKey, 'cardNotSupported');
  });

  it('a mute chip that stays in the slot is still a chip error (fallback swipe), not a removal', async () => {
    const t = rig.terminal;
    const p = t.purchase(1500);
    await t.cardSlot.insert(createVirtualCard('damaged-chip'));
    const first = await Promise.race([
      p.then((r) => r.messageKey),
      t.events
        .waitFor((e) => e.type === 'display' && e.key === 'pleaseSwipe', 5000)
        .then(() => 'pleaseSwipe'),
    ]);
    assert.equal(first, 'pleaseSwipe');
    await t.cancel();
    assert.equal((await p).outcome, 'cancelled');
    await t.cardSlot.remove();
  });
});
