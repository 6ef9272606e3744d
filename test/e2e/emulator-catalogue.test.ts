/**
 * The failure catalogue of DOMAIN.md ("Why a card doesn't work"), item by item, end to end: the emulated
 * terminal → the fault proxy (real TCP on 127.0.0.1, dialect cup, so its journal decodes every frame) → the
 * host simulator. Each test asserts what went over the wire (proxy journal, and the host's own journal or
 * accounts where the issuer's side matters) and what the terminal showed and decided. Cards, keys and
 * accounts are TEST data (fixtures/cards, fixtures/hosts/default.yaml, fixtures/terminals).
 */
import { strict as assert } from 'node:assert';
import { createVirtualCard, loadCardFixture, type EmvVirtualCard } from '../../harness/cards/index.js';
import { flattenTlv, parseTlv, TVR } from '../../harness/emv/index.js';
import { card, payWith, received } from '../../harness/emulator/emulator-test-kit.test-helper.js';
import { createTerminal, type EmulatedTerminal } from '../../harness/emulator/emulated-terminal.js';
import { loadTerminalProfileSpec } from '../../harness/emulator/terminal-profile.js';
import type { TerminalResult } from '../../harness/emulator/terminal-result.js';
import { loadHostConfig, startHost, type HostConfig, type HostHandle } from '../../harness/host/index.js';
import { startProxy, type JournalEntry, type Proxy } from '../../harness/net/index.js';

const CUP_DEBIT = '6222021000000000017';
const EC_DEBIT = '6217003000000000035';
/** An amount the issuer's risk control rejects in this run (host config below). */
const RISKY_AMOUNT = 66600;

type Frame = Extract<JournalEntry, { kind: 'frame' }>;

/** The default host, plus: cup-credit restricted to Beijing (the terminal stands in Shanghai), a risk rule. */
function catalogueHostConfig(): HostConfig {
  const config = structuredClone(loadHostConfig());
  config.accounts = config.accounts.map((a) => (a.card === 'cup-credit' ? { ...a, regions: ['CN-BJ'] } : a));
  config.risk = [
    ...(config.risk ?? []),
    { name: 'catalogue: suspicious amount', match: { '4': { gte: RISKY_AMOUNT, lte: RISKY_AMOUNT } } },
  ];
  return config;
}

/** A card fixture with one change (PAN, EC purse…), as a fresh virtual card. */
function variant(name: string, change: (f: ReturnType<typeof loadCardFixture>) => void): EmvVirtualCard {
  const f = structuredClone(loadCardFixture(name));
  change(f);
  return createVirtualCard(f);
}

function icc(hex: string | undefined): Map<string, Buffer> {
  assert.ok(hex, 'field 55 present');
  return flattenTlv(parseTlv(Buffer.from(hex.replace(/\*/g, '0'), 'hex')));
}

describe('failure catalogue end to end (terminal → proxy → host simulator, 127.0.0.1)', function () {
  this.timeout(20000);
  let host: HostHandle;
  let proxy: Proxy;
  let pos: EmulatedTerminal;
  let atm: EmulatedTerminal;

  /** Frames the proxy saw, oldest first: `up` = terminal → host, `down` = host → terminal. */
  const frames = (dir?: 'up' | 'down', mti?: string): Frame[] =>
    proxy.journal
      .frames()
      .filter(
        (f) =>
          (dir === undefined || f.dir === (dir === 'up' ? 'upstream' : 'downstream')) &&
          (mti === undefined || f.mti === mti),
      );
  const sent = (): string[] => frames('up').map((f) => f.mti);
  const answerCode = (mti: string): string | undefined => frames('down', mti).at(-1)?.fields['39'];
  const via = (): { host: string; port: number } => ({ host: '127.0.0.1', port: proxy.address().port });
  /** Display keys shown since `since`. */
  const shown = (t: EmulatedTerminal, since: number): string[] =>
    t.events
      .history()
      .filter((e) => e.seq > since && e.type === 'display')
      .map((e) => (e.type === 'display' ? e.key : ''));
  /** Texts (first line) the display showed since `since`. */
  const displayed = (t: EmulatedTerminal, since: number): string[] =>
    t.events
      .history()
      .filter((e) => e.seq > since && e.type === 'display')
      .map((e) => (e.type === 'display' ? (e.lines[0] ?? '') : ''));
  const waitShown = (t: EmulatedTerminal, key: string, since: number): Promise<unknown> =>
    t.events.waitFor((e) => e.type === 'display' && e.key === key, 3000, since);

  before(async () => {
    host = await startHost({ dialect: 'cup', config: catalogueHostConfig() });
    proxy = await startProxy({ upstream: host.address, dialect: 'cup', seed: 7 });
    pos = await createTerminal({ profile: 'cup-pos-ci', host: via() });
    atm = await createTerminal({ profile: 'cup-atm-ci', host: via() });
    for (const t of [pos, atm]) {
      const r = await t.signIn();
      assert.equal(r.outcome, 'approved', `sign-in through the proxy: ${r.message}`);
    }
  });
  after(async () => {
    await pos?.close();
    await atm?.close();
    await proxy?.close();
    await host?.close();
  });
  beforeEach(async () => {
    host.clearRules();
    host.accounts.reset();
    host.journal.clear();
    await proxy.reset();
    proxy.journal.clear();
  });

  describe('card side', () => {
    it('card type not supported: unknown AID → CARD NOT SUPPORTED, nothing on the wire', async () => {
      const since = pos.events.lastSeq;
      const r = await payWith(pos, () => pos.purchase(100), { insert: card('foreign-aid') });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.messageKey, 'cardNotSupported');
      assert.ok(displayed(pos, since).includes('CARD NOT SUPPORTED'));
      assert.deepEqual(sent(), []);
    });

    it('card type not supported: a BIN the issuer does not know → 14 INVALID CARD from the host', async () => {
      const stranger = variant('cup-debit', (f) => {
        f.pan = '6299990000000000014';
      });
      const r = await payWith(pos, () => pos.purchase(100), { insert: stranger, pin: '123456' });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.responseCode, '14');
      assert.equal(r.message, 'INVALID CARD');
      assert.equal(r.maskedPan, '629999*********0014');
      assert.deepEqual(sent(), ['0200']);
      assert.equal(frames('up', '0200')[0]?.fields['2'], '629999*********0014', 'PAN masked in the journal');
      assert.equal(answerCode('0210'), '14');
    });

    it('damaged chip: no answer to reset → CHIP ERROR, PLEASE SWIPE → fallback swipe sent as 801', async () => {
      const damaged = card('damaged-chip');
      const since = pos.events.lastSeq;
      const p = pos.purchase(100);
      await pos.cardSlot.insert(damaged);
      await waitShown(pos, 'pleaseSwipe', since);
      await pos.cardSlot.remove();
      await pos.keypad.enterPin('123456');
      await pos.cardSlot.swipe(damaged);
      const r = await p;
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(frames('up', '0200')[0]?.fields['22'], '801');
      assert.equal(answerCode('0210'), '00');
    });

    it('expired card (fixture, and an injected expiry): CARD EXPIRED before any host message', async () => {
      const r1 = await payWith(pos, () => pos.purchase(100), { insert: card('expired') });
      assert.equal(r1.messageKey, 'cardExpired');
      assert.equal(r1.message, 'CARD EXPIRED');
      const debit = card('cup-debit');
      debit.injectFault({ kind: 'expired' });
      const r2 = await payWith(pos, () => pos.purchase(100), { insert: debit });
      assert.equal(r2.outcome, 'declined');
      assert.equal(r2.messageKey, 'cardExpired');
      assert.deepEqual(sent(), []);
    });

    it('card blocked after wrong PINs (PIN try counter 0): no offline VERIFY, TVR says so, issuer answers 75', async () => {
      // pin-blocked: offline plaintext PIN first, online PIN next (CVM list); the card's 9F17 reads 00.
      const since = pos.events.lastSeq;
      const r = await payWith(pos, () => pos.purchase(100), { insert: card('pin-blocked'), pin: '1234' });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.responseCode, '75');
      assert.equal(r.message, 'PIN TRIES EXCEEDED');
      assert.ok(
        !pos.events.history().some((e) => e.seq > since && e.type === 'apdu' && e.command.startsWith('0020')),
        'no VERIFY sent to a card whose PIN try counter is 0',
      );
      assert.deepEqual(sent(), ['0200']);
      const req = frames('up', '0200')[0];
      assert.ok(TVR.has(icc(req?.fields['55']).get('95') as Buffer, 'pinTryLimitExceeded'));
      assert.ok(req?.fields['52'], 'online PIN block sent');
      assert.equal(answerCode('0210'), '75');
    });

    it('application blocked (SELECT 6283): APPLICATION BLOCKED, nothing sent', async () => {
      const debit = card('cup-debit');
      debit.injectFault({ kind: 'app-blocked' });
      const r = await payWith(pos, () => pos.purchase(100), { insert: debit });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.messageKey, 'appBlocked');
      assert.equal(r.message, 'APPLICATION BLOCKED');
      assert.deepEqual(sent(), []);
    });

    it('magstripe-only card at the chip-only ATM: CHIP CARDS ONLY by insert and by swipe', async () => {
      const stripe = card('magstripe-only');
      const r1 = await payWith(atm, () => atm.withdraw(10000), { insert: stripe });
      assert.equal(r1.outcome, 'declined');
      assert.equal(r1.messageKey, 'chipOnly');
      const r2 = await payWith(atm, () => atm.withdraw(10000), { swipe: stripe });
      assert.equal(r2.messageKey, 'chipOnly');
      assert.equal(r2.message, 'CHIP CARDS ONLY');
      assert.deepEqual(sent(), []);
    });

    it('chip card swiped (service code 2xx): PLEASE INSERT CHIP CARD, then the chip goes online as 051', async () => {
      const debit = card('cup-debit');
      const since = pos.events.lastSeq;
      const p = pos.purchase(100);
      await pos.cardSlot.swipe(debit);
      await waitShown(pos, 'pleaseInsertChip', since);
      assert.deepEqual(sent(), [], 'the stripe is not sent');
      await pos.cardSlot.insert(debit);
      await pos.keypad.enterPin('123456');
      const r = await p;
      await pos.cardSlot.remove();
      assert.equal(r.outcome, 'approved', r.message);
      assert.deepEqual(sent(), ['0200']);
      assert.equal(frames('up', '0200')[0]?.fields['22'], '051');
    });
  });

  describe('account side (issuer)', () => {
    const buy = (
      amount: number,
      pin = '123456',
      c: EmvVirtualCard = card('cup-debit'),
    ): Promise<TerminalResult> => payWith(pos, () => pos.purchase(amount), { insert: c, pin });

    it('insufficient funds → 51, balance untouched, no reversal', async () => {
      host.accounts.setBalance(CUP_DEBIT, 500);
      const since = pos.events.lastSeq;
      const r = await buy(1000);
      assert.equal(r.outcome, 'declined');
      assert.equal(r.responseCode, '51');
      assert.equal(r.message, 'INSUFFICIENT FUNDS');
      assert.ok(displayed(pos, since).includes('INSUFFICIENT FUNDS'));
      assert.equal(answerCode('0210'), '51');
      assert.equal(host.accounts.get(CUP_DEBIT)?.balance, 500);
      assert.deepEqual(sent(), ['0200']);
    });

    it('account frozen → 62 RESTRICTED CARD; account closed → 05 DO NOT HONOUR', async () => {
      host.accounts.setStatus(CUP_DEBIT, 'frozen');
      const r1 = await buy(100);
      assert.equal(r1.responseCode, '62');
      assert.equal(r1.message, 'RESTRICTED CARD');
      host.accounts.setStatus(CUP_DEBIT, 'closed');
      const r2 = await buy(100);
      assert.equal(r2.responseCode, '05');
      assert.equal(r2.message, 'DO NOT HONOUR');
      assert.deepEqual(
        frames('down', '0210').map((f) => f.fields['39']),
        ['62', '05'],
      );
    });

    it('single-transaction limit → 61; daily amount limit → 61 after an approved purchase', async () => {
      // cup-debit: single 5000.00, daily 8000.00 (fixtures/hosts/default.yaml).
      const r1 = await buy(600000);
      assert.equal(r1.responseCode, '61');
      assert.equal(r1.message, 'EXCEEDS AMOUNT LIMIT');
      const r2 = await buy(400000);
      assert.equal(r2.outcome, 'approved', r2.message);
      const r3 = await buy(450000);
      assert.equal(r3.responseCode, '61');
      assert.equal(r3.messageKey, 'rc61');
      assert.deepEqual(
        frames('down', '0210').map((f) => f.fields['39']),
        ['61', '00', '61'],
      );
      assert.equal(host.accounts.get(CUP_DEBIT)?.spentToday, 400000);
    });

    it('wrong PIN → 55 until the issuer counter runs out → 75, and then even the right PIN gets 75', async () => {
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) codes.push((await buy(100, '000000')).responseCode ?? '');
      assert.deepEqual(codes, ['55', '55', '75']);
      const right = await buy(100, '123456');
      assert.equal(right.responseCode, '75');
      assert.equal(right.message, 'PIN TRIES EXCEEDED');
      assert.equal(host.accounts.get(CUP_DEBIT)?.pinTriesLeft, 0);
      assert.ok(
        frames('up', '0200').every((f) => f.fields['52']?.startsWith('<')),
        'PIN blocks redacted in the proxy journal',
      );
    });

    it('risk control rejects a suspicious transaction → 59', async () => {
      const r = await buy(RISKY_AMOUNT);
      assert.equal(r.responseCode, '59');
      assert.equal(r.message, 'DECLINED BY RISK CONTROL');
      assert.equal(answerCode('0210'), '59');
      assert.equal(host.accounts.get(CUP_DEBIT)?.spentToday, 0);
    });

    it('card restricted to a region (Beijing card at a Shanghai terminal) → 62', async () => {
      const r = await payWith(pos, () => pos.purchase(100), { insert: card('cup-credit'), pin: '1234' });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.responseCode, '62');
      assert.equal(frames('up', '0200')[0]?.fields['41'], '12345678');
      assert.equal(answerCode('0210'), '62');
    });
  });

  describe('terminal side', () => {
    it('card reader fault: CARD READER FAULT before any card is read; fixed, the next purchase goes through', async () => {
      pos.setDevice('reader', 'fault');
      try {
        const since = pos.events.lastSeq;
        const r = await pos.purchase(100);
        assert.equal(r.outcome, 'failed');
        assert.equal(r.messageKey, 'readerFault');
        assert.ok(displayed(pos, since).includes('CARD READER FAULT'));
        assert.ok(!shown(pos, since).includes('insertCard'), 'never asked for a card');
        assert.ok(
          pos.events
            .history()
            .some((e) => e.type === 'device' && e.device === 'reader' && e.condition === 'fault'),
        );
        assert.deepEqual(sent(), []);
      } finally {
        pos.setDevice('reader', 'ok');
      }
      const ok = await payWith(pos, () => pos.purchase(100), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(ok.outcome, 'approved', ok.message);
    });

    it('PIN pad fault: a PIN transaction fails with nothing sent; a no-PIN EC tap still works', async () => {
      pos.setDevice('pinpad', 'fault');
      try {
        const r = await payWith(pos, () => pos.purchase(100), { insert: card('cup-debit') });
        assert.equal(r.outcome, 'failed');
        assert.equal(r.messageKey, 'pinpadFault');
        assert.equal(r.message, 'PIN PAD FAULT');
        assert.deepEqual(sent(), []);
        const ec = await payWith(pos, () => pos.purchase(500), { tap: card('ec-debit') });
        assert.equal(ec.messageKey, 'approvedOffline', ec.message);
      } finally {
        pos.setDevice('pinpad', 'ok');
      }
    });

    it('printer fault: the approval stands (host debited), no receipt, display says so', async () => {
      const before = host.accounts.get(CUP_DEBIT)?.balance as number;
      pos.setDevice('printer', 'fault');
      const since = pos.events.lastSeq;
      try {
        const r = await payWith(pos, () => pos.purchase(2300), { insert: card('cup-debit'), pin: '123456' });
        assert.equal(r.outcome, 'approved');
        assert.equal(r.messageKey, 'approvedNoReceipt');
        assert.equal(r.details?.receiptPrinted, false);
        assert.ok(shown(pos, since).includes('approvedNoReceipt'));
        assert.ok(!pos.events.history().some((e) => e.seq > since && e.type === 'receipt'));
      } finally {
        pos.setDevice('printer', 'ok');
      }
      assert.equal(answerCode('0210'), '00');
      assert.equal(host.accounts.get(CUP_DEBIT)?.balance, before - 2300);
      assert.throws(() => pos.setDevice('printer', 'weak'), { code: 'E_TERMINAL_DEVICE' });
    });

    it('not signed in: PLEASE SIGN IN, nothing sent; after a sign-in through the proxy it transacts', async () => {
      const fresh = await createTerminal({ profile: 'cup-pos-ci', host: via() });
      try {
        const r = await fresh.purchase(100);
        assert.equal(r.outcome, 'failed');
        assert.equal(r.messageKey, 'notSignedIn');
        assert.equal(fresh.display.text(), 'PLEASE SIGN IN', 'back to the sign-in prompt');
        assert.deepEqual(sent(), []);
        const s = await fresh.signIn();
        assert.equal(s.outcome, 'approved', s.message);
        assert.deepEqual(sent(), ['0800']);
        assert.ok(
          !/^[0-9A-F]{48,}$/i.test(frames('down', '0810')[0]?.fields['62'] ?? ''),
          'keys not in clear',
        );
        const ok = await payWith(fresh, () => fresh.purchase(100), {
          insert: card('cup-debit'),
          pin: '123456',
        });
        assert.equal(ok.outcome, 'approved', ok.message);
      } finally {
        await fresh.close();
        // The fresh terminal shares the POS's terminal id: its sign-in rotated the keys.
        assert.equal((await pos.signIn()).outcome, 'approved');
      }
    });

    it('transaction type not supported: purchase at the ATM, withdrawal at the POS — nothing sent', async () => {
      const since = atm.events.lastSeq;
      const r1 = await atm.purchase(100);
      assert.equal(r1.outcome, 'declined');
      assert.equal(r1.messageKey, 'notSupportedTx');
      assert.ok(displayed(atm, since).includes('TRANSACTION NOT SUPPORTED'));
      const r2 = await pos.withdraw(100);
      assert.equal(r2.messageKey, 'notSupportedTx');
      assert.deepEqual(sent(), []);
    });

    it('terminal does not support the card type: the ATM has no stripe reader, a swiped card is refused', async () => {
      const r = await payWith(atm, () => atm.withdraw(10000), { swipe: card('cup-debit') });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.messageKey, 'chipOnly');
      assert.deepEqual(sent(), []);
    });

    it('outdated menu that hides contactless: the tap is ignored (card never powered), inserting works', async () => {
      const legacy = await createTerminal({
        profile: { ...loadTerminalProfileSpec('cup-pos-ci'), menu: { contactless: false } },
        host: via(),
      });
      try {
        assert.equal((await legacy.signIn()).outcome, 'approved');
        proxy.journal.clear();
        const wallet = card('phone-wallet');
        let apdus = 0;
        wallet.onExchange(() => apdus++);
        const since = legacy.events.lastSeq;
        const p = legacy.purchase(20000);
        await legacy.events.waitFor((e) => e.type === 'display' && e.key === 'insertCardNoTap', 3000, since);
        assert.equal(legacy.display.lines[0], 'PLEASE INSERT OR SWIPE CARD');
        await legacy.cardSlot.tap(wallet, 3000);
        await legacy.events.waitFor(
          (e) => e.type === 'note' && e.text.startsWith('tap ignored'),
          3000,
          since,
        );
        assert.equal(apdus, 0, 'the card never heard the field');
        assert.equal(legacy.state, 'waitingForCard');
        await legacy.cardSlot.insert(card('cup-debit'));
        await legacy.keypad.enterPin('123456');
        const r = await p;
        await legacy.cardSlot.remove();
        assert.equal(r.outcome, 'approved', r.message);
        assert.deepEqual(sent(), ['0200']);
        assert.equal(frames('up', '0200')[0]?.fields['22'], '051');
      } finally {
        await legacy.close();
        assert.equal((await pos.signIn()).outcome, 'approved');
      }
    });
  });

  describe('network and host', () => {
    it('line interrupted mid-transaction (proxy cutAfter on 0200): host approved, terminal reverses (98)', async () => {
      const before = host.accounts.get(CUP_DEBIT)?.balance as number;
      proxy.addFault({ action: 'cutAfter', match: { mti: '0200' } });
      const r = await payWith(pos, () => pos.purchase(777), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.messageKey, 'hostTimeout');
      assert.equal(answered0210(), '00', 'the host approved the request the terminal never heard back about');
      assert.deepEqual(sent(), ['0200', '0400']);
      const rev = frames('up', '0400')[0];
      assert.equal(rev?.fields['11'], frames('up', '0200')[0]?.fields['11']);
      assert.equal(rev?.fields['39'], '98');
      assert.equal(answerCode('0410'), '00');
      assert.ok(frames('up', '0200')[0]?.fault, 'the journal marks the cut');
      assert.equal(host.accounts.get(CUP_DEBIT)?.balance, before, 'the reversal undid the debit');
      assert.equal(pos.hasPendingReversal, false);
    });

    it('slow line (latency toxic over the host timeout): timeout → reversal, sent before the next purchase', async () => {
      const before = host.accounts.get(CUP_DEBIT)?.balance as number;
      await proxy.addToxic({ type: 'latency', stream: 'downstream', attributes: { latency: 1300 } });
      const r = await payWith(pos, () => pos.purchase(555), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.messageKey, 'hostTimeout');
      assert.ok(pos.events.history().some((e) => e.type === 'host-error' && e.reason === 'timeout'));
      // The reversal's answer was slow too: it stays pending.
      assert.equal(pos.hasPendingReversal, true);
      await proxy.removeToxic('latency_downstream');
      const next = await payWith(pos, () => pos.purchase(100), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(next.outcome, 'approved', next.message);
      assert.deepEqual(sent(), ['0200', '0400', '0400', '0200']);
      assert.equal(pos.hasPendingReversal, false);
      assert.equal(host.accounts.get(CUP_DEBIT)?.balance, before - 100);
    });

    it('host in maintenance (96) and issuer unavailable (91): declined with the right text, no reversal', async () => {
      host.addRule({ mti: '0200', times: 1, respond: { fields: { '39': '96' } } });
      const r1 = await payWith(pos, () => pos.purchase(100), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(r1.responseCode, '96');
      assert.equal(r1.message, 'SYSTEM ERROR');
      host.addRule({ mti: '0200', times: 1, respond: { fields: { '39': '91' } } });
      const r2 = await payWith(pos, () => pos.purchase(100), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(r2.responseCode, '91');
      assert.equal(r2.message, 'ISSUER UNAVAILABLE');
      assert.deepEqual(sent(), ['0200', '0200']);
      assert.deepEqual(
        frames('down', '0210').map((f) => f.fields['39']),
        ['96', '91'],
      );
    });

    it('host unreachable (proxy down): COMMUNICATION FAILED, nothing to reverse', async () => {
      await proxy.addToxic({ type: 'down' });
      const r = await payWith(pos, () => pos.purchase(100), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.messageKey, 'lineDown');
      assert.equal(pos.hasPendingReversal, false);
      assert.ok(pos.events.history().some((e) => e.type === 'host-error' && e.reason === 'connect'));
      assert.deepEqual(sent(), []);
      assert.equal(received(host).length, 0);
    });
  });

  describe('contactless', () => {
    it('card moved away too early: PLEASE TAP AGAIN, the second tap goes online (072)', async () => {
      const since = pos.events.lastSeq;
      const p = pos.purchase(20000);
      await pos.cardSlot.tap(card('phone-wallet'), 100);
      await waitShown(pos, 'pleaseTapAgain', since);
      assert.ok(
        pos.events.history().some((e) => e.seq > since && e.type === 'card' && e.action === 'left-field'),
      );
      assert.deepEqual(sent(), []);
      await pos.cardSlot.tap(card('phone-wallet'), 1000);
      const r = await p;
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(frames('up', '0200')[0]?.fields['22'], '072');
    });

    it('weak field: a 500 ms tap is not enough (PLEASE TAP AGAIN), holding 3 s completes', async () => {
      pos.setDevice('contactless', 'weak');
      try {
        const since = pos.events.lastSeq;
        const p = pos.purchase(20000);
        await pos.cardSlot.tap(card('phone-wallet'), 500);
        await waitShown(pos, 'pleaseTapAgain', since);
        await pos.cardSlot.tap(card('phone-wallet'), 3000);
        const r = await p;
        assert.equal(r.outcome, 'approved', r.message);
        const fieldMs = r.details?.fieldMs as number;
        assert.ok(fieldMs > 500 && fieldMs <= 3000, `read took ${fieldMs} ms in the weak field`);
        assert.deepEqual(sent(), ['0200']);
      } finally {
        pos.setDevice('contactless', 'ok');
      }
    });

    it('phone NFC off: never detected, the prompt stays; wallet app closed: PLEASE TAP AGAIN; opened, the tap pays', async () => {
      const wallet = card('phone-wallet');
      const since = pos.events.lastSeq;
      const p = pos.purchase(20000);
      wallet.injectFault({ kind: 'nfc-off' });
      await pos.cardSlot.tap(wallet);
      await pos.events.waitFor((e) => e.type === 'note' && /tap not detected/.test(e.text), 3000, since);
      const after = pos.events.history().filter((e) => e.seq > since);
      assert.ok(!after.some((e) => e.type === 'display' && e.key === 'readingCard'), 'no READING CARD');
      assert.ok(
        !after.some((e) => e.type === 'display' && e.key === 'pleaseTapAgain'),
        'no PLEASE TAP AGAIN',
      );
      assert.equal(pos.state, 'waitingForCard');
      const mid = pos.events.lastSeq;
      wallet.clearFaults();
      wallet.injectFault({ kind: 'wallet-closed' });
      await pos.cardSlot.tap(wallet);
      await waitShown(pos, 'pleaseTapAgain', mid);
      assert.ok(
        pos.events
          .history()
          .some((e) => e.seq > mid && e.type === 'note' && /no contactless answer/.test(e.text)),
      );
      assert.ok(!pos.events.history().some((e) => e.seq > since && e.type === 'apdu'), 'no APDU exchanged');
      wallet.clearFaults();
      await pos.cardSlot.tap(wallet);
      const r = await p;
      assert.equal(r.outcome, 'approved', r.message);
      assert.deepEqual(sent(), ['0200']);
    });

    it('card-in-field time: the read takes 300 ms (profile), so 200 ms is too short and 500 ms is enough', async () => {
      const since = pos.events.lastSeq;
      const p = pos.purchase(20000);
      await pos.cardSlot.tap(card('phone-wallet'), 200);
      await waitShown(pos, 'pleaseTapAgain', since);
      await pos.cardSlot.tap(card('phone-wallet'), 500);
      const r = await p;
      assert.equal(r.outcome, 'approved', r.message);
      const fieldMs = r.details?.fieldMs as number;
      assert.ok(fieldMs > 200 && fieldMs <= 500, `read took ${fieldMs} ms`);
    });
  });

  describe('electronic cash (PBOC EC)', () => {
    it('tap under the EC limit: approved offline (nothing sent), uploaded (0320) before the 0500 at settlement', async () => {
      const ec = card('ec-debit');
      const r = await payWith(pos, () => pos.purchase(5000), { tap: ec });
      assert.equal(r.messageKey, 'approvedOffline', r.message);
      assert.equal(r.details?.ecBalance, 45000);
      assert.deepEqual(sent(), []);
      const offline = pos.batch.unuploaded().length;
      assert.ok(offline >= 1);
      const s = await pos.settle();
      assert.equal(s.outcome, 'approved', s.message);
      // Offline records go up first; a batch upload may follow the 0500 (other terminals shared the id).
      assert.deepEqual(sent().slice(0, offline + 1), [...Array<string>(offline).fill('0320'), '0500']);
      const up = frames('up', '0320').find((f) => f.fields['4'] === '000000005000');
      assert.ok(up, 'the EC purchase is in the upload');
      assert.equal(icc(up.fields['55']).get('9F27')?.toString('hex'), '40', 'with its TC');
      assert.equal(pos.batch.unuploaded().length, 0);
    });

    it('EC money can be spent but not withdrawn: an ATM withdrawal goes online against the account', async () => {
      const ec = card('ec-debit');
      const before = host.accounts.get(EC_DEBIT)?.balance as number;
      const r = await payWith(atm, () => atm.withdraw(10000), { insert: ec, pin: '888888' });
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(r.messageKey, 'dispensing');
      assert.equal(ec.snapshot().ecBalance, 50000, 'the purse is untouched');
      const req = frames('up', '0200')[0];
      assert.equal(req?.fields['3'], '010000');
      assert.equal(icc(req?.fields['55']).get('9F27')?.toString('hex'), '80', 'ARQC, not an offline TC');
      assert.equal(host.accounts.get(EC_DEBIT)?.balance, before - 10000);
    });

    it('EC balance short: the tap goes online (072); with the line down the terminal cannot approve it', async () => {
      const short = variant('ec-debit', (f) => {
        if (f.ec) f.ec.balance = 2000;
      });
      const r = await payWith(pos, () => pos.purchase(5000), { tap: short });
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(r.messageKey, 'approved');
      assert.equal(frames('up', '0200')[0]?.fields['22'], '072');
      assert.equal(short.snapshot().ecBalance, 2000);
      await proxy.addToxic({ type: 'down' });
      const r2 = await payWith(pos, () => pos.purchase(5000), { tap: short });
      assert.notEqual(r2.outcome, 'approved');
      assert.equal(r2.messageKey, 'lineDown');
      assert.equal(short.snapshot().ecBalance, 2000);
    });
  });

  describe('offline velocity', () => {
    it('phone wallet: offline until its consecutive offline count is spent, then it must go online', async () => {
      const wallet = card('phone-wallet');
      const keys: string[] = [];
      for (let i = 0; i < 11; i++)
        keys.push((await payWith(pos, () => pos.purchase(1000), { tap: wallet })).messageKey);
      assert.deepEqual(keys, [...Array<string>(10).fill('approvedOffline'), 'approved']);
      assert.deepEqual(sent(), ['0200'], 'only the eleventh went to the host');
      assert.equal(frames('up', '0200')[0]?.fields['22'], '072');
      assert.equal(icc(frames('up', '0200')[0]?.fields['55']).get('9F27')?.toString('hex'), '80');
    });
  });

  /** Field 39 of the 0210 the host sent (its own journal: the proxy cut before forwarding it). */
  function answered0210(): string | undefined {
    return host.journal.entries((e) => e.direction === 'out' && e.mti === '0210').at(-1)?.fields?.['39'];
  }
});
