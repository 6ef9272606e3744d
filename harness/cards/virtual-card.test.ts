import { strict as assert } from 'node:assert';
import {
  deriveCommonSessionKey,
  deriveIccMasterKeyOptionA,
  generateArpcMethod1,
  generateArqc,
} from '../emv/index.js';
import { findTag, parseTlv, type Tlv } from '../emv/index.js';
import { plaintextPinBlock } from './plaintext-pin.js';
import { CardNoAnswerError, CardRemovedError, CardStateError } from './errors.js';
import { serviceCodeSaysChip, track2Equivalent } from './magstripe.js';
import { createVirtualCard, type EmvVirtualCard } from './virtual-card.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const hex = (b: Buffer | undefined): string => (b ? b.toString('hex').toUpperCase() : '');

/** Sends an APDU and follows 61xx (T=0 cards) like a terminal would. Returns [data, SW]. */
async function send(card: EmvVirtualCard, apdu: Buffer | string): Promise<[Buffer, string]> {
  let r = await card.transmit(typeof apdu === 'string' ? h(apdu) : apdu);
  if (r[r.length - 2] === 0x61)
    r = await card.transmit(Buffer.from([0x00, 0xc0, 0x00, 0x00, r[r.length - 1] as number]));
  return [r.subarray(0, r.length - 2), hex(r.subarray(r.length - 2))];
}

function tlv(data: Buffer): Tlv[] {
  return parseTlv(data);
}

function select(aid: string): string {
  const b = h(aid);
  return `00A40400${b.length.toString(16).padStart(2, '0')}${aid}00`;
}

const PSE = '00A404000E315041592E5359532E444446303100';
const PPSE = '00A404000E325041592E5359532E444446303100';

/** Terminal data sent in CDOL1 (52 bytes for the PBOC CDOL1 of the fixtures) and its parts. */
function cdol1(amount: number, un = '11223344'): { data: Buffer; acPart: Buffer } {
  const acPart = Buffer.concat([
    h(String(amount).padStart(12, '0')), // 9F02
    h('000000000000'), // 9F03
    h('0156'), // 9F1A
    h('0000000000'), // 95
    h('0156'), // 5F2A
    h('261121'), // 9A
    h('00'), // 9C
    h(un), // 9F37
  ]);
  const data = Buffer.concat([acPart, h('120000'), Buffer.from('PAYHIL TEST MERCHANT', 'ascii')]);
  return { data, acPart };
}

function genAc(p1: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x80, 0xae, p1, 0x00, data.length]), data, Buffer.from([0x00])]);
}

function gpo(pdolData: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([
    Buffer.from([0x80, 0xa8, 0x00, 0x00, pdolData.length + 2, 0x83, pdolData.length]),
    pdolData,
    h('00'),
  ]);
}

/** Values of a format 2 (77) GENERATE AC / GPO response. */
function fields(data: Buffer): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const c of tlv(data)[0]?.children ?? []) m.set(c.tag, c.value);
  return m;
}

/** qPBOC PDOL data: TTQ, amount, other, country, TVR, currency, date, type, UN. */
function qpbocPdol(amount: number, ttq = '26000000', un = 'A1B2C3D4'): { data: Buffer; acPart: Buffer } {
  const acPart = Buffer.concat([
    h(String(amount).padStart(12, '0')),
    h('000000000000'),
    h('0156'),
    h('0000000000'),
    h('0156'),
    h('261121'),
    h('00'),
    h(un),
  ]);
  // PDOL order: 9F66 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 — the same as the AC part after the TTQ.
  return { data: Buffer.concat([h(ttq), acPart]), acPart };
}

async function contactToGpo(
  card: EmvVirtualCard,
  aid = 'A000000333010101',
  pdolData?: Buffer,
): Promise<void> {
  await card.powerOn('contact');
  assert.equal((await send(card, select(aid)))[1], '9000');
  assert.equal((await send(card, gpo(pdolData)))[1], '9000');
}

describe('cards/virtual-card (PBOC/EMV contact)', () => {
  it('answers the PSE and its directory record', async () => {
    const card = createVirtualCard('cup-debit');
    const atr = await card.powerOn('contact');
    assert.equal(hex(atr.subarray(0, 4)), '3B680000');
    const [fci, sw] = await send(card, PSE);
    assert.equal(sw, '9000');
    assert.equal(hex(findTag(tlv(fci), '88')?.value), '01');
    const [rec, sw2] = await send(card, '00B2010C00');
    assert.equal(sw2, '9000');
    assert.equal(hex(findTag(tlv(rec), '4F')?.value), 'A000000333010101');
    assert.equal(findTag(tlv(rec), '50')?.value.toString(), 'UnionPay Debit');
    assert.equal((await send(card, '00B2020C00'))[1], '6A83');
    // The PPSE belongs to the contactless interface.
    assert.equal((await send(card, PPSE))[1], '6A82');
  });

  it('selects by AID, partially, and answers 6A82 for an unknown AID', async () => {
    const card = createVirtualCard('cup-debit');
    await card.powerOn('contact');
    const [fci, sw] = await send(card, select('A0000003330101'));
    assert.equal(sw, '9000');
    assert.equal(hex(findTag(tlv(fci), '84')?.value), 'A000000333010101');
    assert.equal(hex(findTag(tlv(fci), '9F4D')?.value), '0B0A');
    assert.equal((await send(card, '00A4040207A000000333010100'))[1], '6A82', 'no next occurrence');
    assert.equal((await send(card, select('A0000000031010')))[1], '6A82');
    assert.equal((await send(card, '00A4000002 3F00'.replace(' ', '')))[1], '6A86');
  });

  it('the foreign card only has a non-UnionPay AID', async () => {
    const card = createVirtualCard('foreign-aid');
    await card.powerOn('contact');
    assert.equal((await send(card, select('A000000333010101')))[1], '6A82');
    assert.equal((await send(card, select('A0000000031010')))[1], '9000');
  });

  it('GET PROCESSING OPTIONS checks sequence and PDOL length, increments the ATC, returns AIP and AFL', async () => {
    const card = createVirtualCard('cup-debit');
    await card.powerOn('contact');
    assert.equal((await send(card, gpo()))[1], '6985', 'nothing selected');
    await send(card, select('A000000333010101'));
    assert.equal((await send(card, gpo(h('01'))))[1], '6700', 'PDOL data where no PDOL');
    const [r, sw] = await send(card, gpo());
    assert.equal(sw, '9000');
    assert.equal(hex(findTag(tlv(r), '80')?.value), '1C00' + '08010100' + '10010200');
    assert.equal(card.snapshot().atc, 2);
    assert.equal((await send(card, gpo()))[1], '6985', 'second GPO');
  });

  it('READ RECORD follows the AFL with data consistent with the stripe', async () => {
    const card = createVirtualCard('cup-debit');
    await contactToGpo(card);
    const [r1] = await send(card, '00B2010C00');
    const [r2] = await send(card, '00B2011400');
    const [r3] = await send(card, '00B2021400');
    assert.equal((await send(card, '00B2031400'))[1], '6A83');
    assert.equal((await send(card, '00B2010800'))[1], '6A86', 'P2 without the 100 bits');
    const t2 = findTag(tlv(r1), '57')?.value;
    const tracks = await card.swipe();
    assert.deepEqual(t2, track2Equivalent(tracks.track2));
    // Track 2 holds at most 37 characters: the discretionary data is cut to fit.
    assert.equal(tracks.track2, '6222021000000000017=30122201234567890');
    assert.equal(hex(findTag(tlv(r2), '5A')?.value), '6222021000000000017F');
    assert.equal(hex(findTag(tlv(r2), '5F24')?.value), '301231');
    assert.equal(hex(findTag(tlv(r2), '5F34')?.value), '01');
    assert.equal(hex(findTag(tlv(r2), '5F30')?.value), '0220');
    assert.equal(
      hex(findTag(tlv(r3), '8C')?.value),
      '9F02069F03069F1A0295055F2A029A039C019F37049F21039F4E14',
    );
    assert.equal(hex(findTag(tlv(r3), '9F14')?.value), '05');
    assert.match(tracks.track1 ?? '', /^B6222021000000000017\^PAYHIL\/TEST DEBIT\^3012220/);
  });

  it('GET DATA answers ATC, last online ATC, PIN try counter, EC balance and log format; 6A88 otherwise', async () => {
    const card = createVirtualCard('ec-debit');
    await card.powerOn('contact');
    await send(card, select('A000000333010101'));
    assert.equal(hex((await send(card, '80CA9F3600'))[0]), '9F36020028');
    assert.equal(hex((await send(card, '80CA9F1300'))[0]), '9F13020028');
    assert.equal(hex((await send(card, '80CA9F1700'))[0]), '9F170103');
    assert.equal(hex((await send(card, '80CA9F7900'))[0]), '9F7906000000050000');
    assert.match(hex((await send(card, '80CA9F4F00'))[0]), /^9F4F16/);
    assert.equal((await send(card, '80CA9F5000'))[1], '6A88');
    const debit = createVirtualCard('cup-debit');
    await debit.powerOn('contact');
    await send(debit, select('A000000333010101'));
    assert.equal((await send(debit, '80CA9F7900'))[1], '6A88', 'no EC purse');
  });

  it('VERIFY counts wrong PINs (63Cx), blocks at zero (6983) and resets on the right PIN', async () => {
    const card = createVirtualCard('cup-credit');
    await contactToGpo(card, 'A000000333010102');
    const verify = (pin: string): Buffer => Buffer.concat([h('0020008008'), plaintextPinBlock(pin)]);
    assert.equal((await send(card, verify('0000')))[1], '63C2');
    assert.equal((await send(card, verify('1234')))[1], '9000');
    assert.equal(card.snapshot().pinTriesLeft, 3);
    assert.equal((await send(card, verify('0000')))[1], '63C2');
    assert.equal((await send(card, verify('0000')))[1], '63C1');
    assert.equal((await send(card, verify('0000')))[1], '63C0');
    assert.equal((await send(card, verify('1234')))[1], '6983', 'blocked even with the right PIN');
    assert.equal(hex((await send(card, '80CA9F1700'))[0]), '9F170100');
    assert.equal((await send(card, '0020008802' + '1234'))[1], '6A86', 'enciphered PIN not supported');
    assert.equal((await send(card, '00200080081234'))[1], '6700');
  });

  it('the PIN-blocked card answers 6983 at once', async () => {
    const card = createVirtualCard('pin-blocked');
    await contactToGpo(card, 'A000000333010102');
    assert.equal((await send(card, Buffer.concat([h('0020008008'), plaintextPinBlock('1234')])))[1], '6983');
  });

  it('GENERATE AC returns a real ARQC (CVN 18, session key) and accepts the issuer ARPC in the second GENERATE AC', async () => {
    const card = createVirtualCard('cup-debit');
    await contactToGpo(card);
    const { data, acPart } = cdol1(12345);
    const [r, sw] = await send(card, genAc(0x80, data));
    assert.equal(sw, '9000');
    const f = fields(r);
    assert.equal(hex(f.get('9F27')), '80');
    const atc = f.get('9F36') as Buffer;
    const iad = f.get('9F10') as Buffer;
    assert.equal(hex(iad.subarray(0, 3)), '060112', 'IAD: length, DKI 1, CVN 18');
    // Recompute with the crypto toolkit: MK option A from the fixture IMK, session key from the ATC.
    const mk = deriveIccMasterKeyOptionA(h('0123456789ABCDEFFEDCBA9876543210'), '6222021000000000017', '01');
    const sk = deriveCommonSessionKey(mk, atc);
    const arqc = generateArqc(sk, Buffer.concat([acPart, h('1C00'), atc, iad]), 18);
    assert.equal(hex(f.get('9F26')), hex(arqc));
    // Issuer approves: ARPC method 1 with ARC "00".
    const arc = Buffer.from('00', 'ascii');
    const arpc = generateArpcMethod1(sk, arqc, arc);
    const cdol2 = Buffer.concat([arc, arpc, arc, h('0000000000'), h('11223344')]);
    const [r2, sw2] = await send(card, genAc(0x40, cdol2));
    assert.equal(sw2, '9000');
    assert.equal(hex(fields(r2).get('9F27')), '40');
    const s = card.snapshot();
    assert.equal(s.lastOnlineAtc, s.atc);
    assert.equal(s.log[0]?.result, 'TC');
    assert.equal(s.log[0]?.amount, 12345);
    assert.equal((await send(card, genAc(0x40, cdol2)))[1], '6985', 'no third GENERATE AC');
  });

  it('a wrong ARPC fails issuer authentication: the card declines with an AAC', async () => {
    const card = createVirtualCard('cup-debit');
    await contactToGpo(card);
    await send(card, genAc(0x80, cdol1(500).data));
    const cdol2 = Buffer.concat([
      h('3030'),
      h('0102030405060708'),
      h('3030'),
      h('0000000000'),
      h('11223344'),
    ]);
    const [r2] = await send(card, genAc(0x40, cdol2));
    assert.equal(hex(fields(r2).get('9F27')), '00');
    const cvrByte2 = (fields(r2).get('9F10') as Buffer)[4] as number;
    assert.ok(cvrByte2 & 0x08, 'CVR: issuer authentication failed');
    assert.equal(card.snapshot().lastOnlineAtc, 1);
  });

  it('CVN 10 cryptograms use the ICC master key and the CVR', async () => {
    const card = createVirtualCard('cup-credit');
    await contactToGpo(card, 'A000000333010102');
    const { data, acPart } = cdol1(100);
    const f = fields((await send(card, genAc(0x80, data)))[0]);
    const atc = f.get('9F36') as Buffer;
    const iad = f.get('9F10') as Buffer;
    assert.equal(hex(iad.subarray(0, 3)), '06010A');
    const mk = deriveIccMasterKeyOptionA(h('FEDCBA98765432100123456789ABCDEF'), '6258002000000000022', '00');
    assert.equal(
      hex(f.get('9F26')),
      hex(generateArqc(mk, Buffer.concat([acPart, h('1C00'), atc, iad.subarray(3, 7)]), 10)),
    );
  });

  it('card risk management: TC offline until the lower consecutive offline limit, then ARQC; AAC when asked', async () => {
    const card = createVirtualCard('cup-credit'); // lower limit 3
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      await contactToGpo(card, 'A000000333010102');
      results.push(hex(fields((await send(card, genAc(0x40, cdol1(100).data)))[0]).get('9F27')));
      await card.powerOff();
    }
    assert.deepEqual(results, ['40', '40', '40', '80']);
    await contactToGpo(card, 'A000000333010102');
    assert.equal(hex(fields((await send(card, genAc(0x00, cdol1(100).data)))[0]).get('9F27')), '00');
    assert.equal((await send(card, genAc(0x00, h('00'))))[1], '6985', 'after an AAC the transaction is over');
  });

  it('GENERATE AC checks order and CDOL length', async () => {
    const card = createVirtualCard('cup-debit');
    await card.powerOn('contact');
    await send(card, select('A000000333010101'));
    assert.equal((await send(card, genAc(0x80, cdol1(1).data)))[1], '6985', 'before GPO');
    await send(card, gpo());
    assert.equal((await send(card, genAc(0x80, h('0102'))))[1], '6700');
    assert.equal((await send(card, genAc(0xc0, cdol1(1).data)))[1], '6A86', 'RFU AC type');
  });

  it('contact EC: a TC request under the EC limits is approved offline and debits the purse', async () => {
    const card = createVirtualCard('ec-debit');
    const pdol = (amount: number): Buffer =>
      Buffer.concat([h('01'), h(String(amount).padStart(12, '0')), h('0156')]);
    await contactToGpo(card, 'A000000333010101', pdol(2000));
    assert.equal(hex(fields((await send(card, genAc(0x40, cdol1(2000).data)))[0]).get('9F27')), '40');
    assert.equal(card.snapshot().ecBalance, 48000);
    await card.powerOff();
    // Over the single transaction limit (30000): online.
    await contactToGpo(card, 'A000000333010101', pdol(40000));
    assert.equal(hex(fields((await send(card, genAc(0x40, cdol1(40000).data)))[0]).get('9F27')), '80');
    assert.equal(card.snapshot().ecBalance, 48000);
  });

  it('reads the transaction log (SFI 11) in the 9F4F format', async () => {
    const card = createVirtualCard('cup-credit');
    await contactToGpo(card, 'A000000333010102');
    await send(card, genAc(0x40, cdol1(777).data));
    const [rec, sw] = await send(card, '00B2015C00');
    assert.equal(sw, '9000');
    assert.equal(hex(rec.subarray(6, 12)), '000000000777');
    assert.equal((await send(card, '00B2025C00'))[1], '6A83');
  });
});

describe('cards/virtual-card (qPBOC contactless, wallet)', () => {
  async function tap(card: EmvVirtualCard, amount: number, ttq = '26000000'): Promise<Map<string, Buffer>> {
    await card.powerOn('contactless');
    const [ppse, sw] = await send(card, PPSE);
    assert.equal(sw, '9000');
    const aid = hex(findTag(tlv(ppse), '4F')?.value);
    const [fci] = await send(card, select(aid));
    assert.equal(hex(findTag(tlv(fci), '9F38')?.value), '9F66049F02069F03069F1A0295055F2A029A039C019F3704');
    const [r, sw2] = await send(card, gpo(qpbocPdol(amount, ttq).data));
    assert.equal(sw2, '9000');
    await card.powerOff();
    return fields(r);
  }

  it('approves offline from the EC purse under its limits, with a verifiable TC', async () => {
    const card = createVirtualCard('ec-debit');
    const f = await tap(card, 1500);
    assert.equal(hex(f.get('9F27')), '40');
    assert.equal(hex(f.get('9F5D')), '000000048500');
    assert.equal(card.snapshot().ecBalance, 48500);
    const atc = f.get('9F36') as Buffer;
    const iad = f.get('9F10') as Buffer;
    const mk = deriveIccMasterKeyOptionA(h('0123456789ABCDEFFEDCBA9876543210'), '6217003000000000035', '01');
    const input = Buffer.concat([qpbocPdol(1500).acPart, f.get('82') as Buffer, atc, iad]);
    assert.equal(hex(f.get('9F26')), hex(generateArqc(deriveCommonSessionKey(mk, atc), input, 18)));
    assert.ok(f.get('57') && f.get('94'));
  });

  it('goes online over the EC single transaction limit, over the balance, or when the reader requires it', async () => {
    const card = createVirtualCard('ec-debit');
    assert.equal(hex((await tap(card, 35000)).get('9F27')), '80', 'over the single limit');
    assert.equal(hex((await tap(card, 100, '26800000')).get('9F27')), '80', 'online cryptogram required');
    assert.equal(hex((await tap(card, 100, '2E000000')).get('9F27')), '40', 'offline-only reader, EC pays');
    assert.equal(hex((await tap(card, 29000, '2E000000')).get('9F27')), '40');
    assert.equal(
      hex((await tap(card, 29000, '2E000000')).get('9F27')),
      '00',
      'balance short on an offline-only reader',
    );
  });

  it('phone wallet: 10 offline payments, then online, which refills it', async () => {
    const card = createVirtualCard('phone-wallet');
    assert.deepEqual(card.interfaces, ['contactless']);
    const cids: string[] = [];
    for (let i = 0; i < 11; i++) cids.push(hex((await tap(card, 100)).get('9F27')));
    assert.deepEqual(cids, [...Array(10).fill('40'), '80']);
    assert.equal(hex((await tap(card, 100)).get('9F27')), '40', 'refilled after the online transaction');
    await assert.rejects(
      card.powerOn('contact'),
      (e: unknown) => e instanceof CardNoAnswerError && e.reason === 'interface-absent',
    );
  });

  it('a closed wallet or NFC off gives no answer', async () => {
    const card = createVirtualCard('phone-wallet');
    card.injectFault({ kind: 'wallet-closed' });
    await assert.rejects(
      card.powerOn('contactless'),
      (e: unknown) => e instanceof CardNoAnswerError && e.reason === 'wallet-closed',
    );
    card.injectFault({ kind: 'nfc-off' });
    await assert.rejects(
      card.powerOn('contactless'),
      (e: unknown) => e instanceof CardNoAnswerError && e.reason === 'nfc-off',
    );
    card.clearFaults();
    assert.equal((await card.powerOn('contactless')).subarray(0, 4).toString('hex'), '3b888001');
  });
});

describe('cards/virtual-card (magstripe and faults)', () => {
  it('magstripe-only: a stripe, no chip, service code 1xx', async () => {
    const card = createVirtualCard('magstripe-only');
    const t = await card.swipe();
    assert.equal(t.track2, '6228484000000000048=281212000000123');
    await assert.rejects(card.powerOn('contact'), CardNoAnswerError);
    assert.equal(serviceCodeSaysChip('120'), false);
    assert.equal(serviceCodeSaysChip(createVirtualCard('cup-debit').fixture.serviceCode), true);
    const phone = createVirtualCard('phone-wallet');
    await assert.rejects(phone.swipe(), CardStateError);
  });

  it('damaged chip: no answer to reset, the stripe (service code 2xx) still reads', async () => {
    const card = createVirtualCard('damaged-chip');
    await assert.rejects(
      card.powerOn('contact'),
      (e: unknown) => e instanceof CardNoAnswerError && e.reason === 'mute-chip',
    );
    assert.match((await card.swipe()).track2, /^6212269000000000092=30122/);
    await assert.rejects(card.transmit(h('00A4040000')), CardStateError);
  });

  it('mute and garbled faults from a step', async () => {
    const card = createVirtualCard('cup-debit');
    card.injectFault({ kind: 'garbled' });
    await card.powerOn('contact');
    const [data, sw] = await send(card, PSE);
    assert.equal(sw, '9000');
    assert.throws(() => parseTlv(data));
    card.injectFault({ kind: 'mute' });
    await assert.rejects(card.powerOn('contact'), CardNoAnswerError);
    card.clearFaults();
    await card.powerOn('contact');
    assert.ok(parseTlv((await send(card, PSE))[0]).length > 0);
  });

  it('leaves the field after holdMs', async () => {
    let now = 0;
    const card = createVirtualCard('cup-debit', { now: () => now });
    card.injectFault({ kind: 'leave-field', holdMs: 300 });
    await card.powerOn('contactless');
    now = 299;
    assert.equal((await send(card, PPSE))[1], '9000');
    now = 300;
    await assert.rejects(card.transmit(h(PPSE)), CardRemovedError);
    assert.equal(card.poweredVia, undefined);
  });

  it('application blocked answers 6283 (and refuses GPO); card blocked answers 6A81', async () => {
    const card = createVirtualCard('cup-debit');
    card.injectFault({ kind: 'app-blocked' });
    await card.powerOn('contact');
    const [fci, sw] = await send(card, select('A000000333010101'));
    assert.equal(sw, '6283');
    assert.equal(hex(findTag(tlv(fci), '84')?.value), 'A000000333010101');
    assert.equal((await send(card, gpo()))[1], '6985');
    card.injectFault({ kind: 'card-blocked' });
    assert.equal((await send(card, PSE))[1], '6A81');
    assert.equal((await send(card, select('A000000333010101')))[1], '6A81');
  });

  it('expired and PIN-blocked from a step; reset() returns to the fixture', async () => {
    const card = createVirtualCard('cup-debit');
    card.injectFault({ kind: 'expired' });
    card.injectFault({ kind: 'pin-blocked' });
    await contactToGpo(card);
    const [rec] = await send(card, '00B2011400');
    const exp = hex(findTag(tlv(rec), '5F24')?.value);
    const d = new Date();
    const nowYymm = `${String(d.getUTCFullYear() % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    assert.ok(exp.slice(0, 4) < nowYymm, `${exp} is in the past`);
    assert.equal(hex((await send(card, '80CA9F1700'))[0]), '9F170100');
    card.reset();
    const s = card.snapshot();
    assert.deepEqual([s.atc, s.pinTriesLeft, s.expiry, s.log.length], [1, 3, '3012', 0]);
  });

  it('the expired fixture carries a past expiry in chip and stripe', async () => {
    const card = createVirtualCard('expired');
    await contactToGpo(card);
    const [rec] = await send(card, '00B2011400');
    assert.equal(hex(findTag(tlv(rec), '5F24')?.value), '201231');
    assert.match((await card.swipe()).track2, /=2012220/);
  });

  it('reports every exchange to observers with the PIN block redacted', async () => {
    const card = createVirtualCard('cup-credit');
    const seen: string[] = [];
    const stop = card.onExchange((e) => seen.push(`${e.command}>${e.response}`));
    await contactToGpo(card, 'A000000333010102');
    await send(card, Buffer.concat([h('0020008008'), plaintextPinBlock('1234')]));
    stop();
    await send(card, '80CA9F3600');
    assert.equal(seen.length, 3);
    assert.equal(seen[2], '0020008008<PIN block redacted>>9000');
  });
});
