import assert from 'node:assert/strict';
import {
  ZvtApduParser,
  ZvtDecodeError,
  abortResult,
  ack,
  amountToBcd,
  authorization,
  decodeApdu,
  decodeBmps,
  encodeApdu,
  intermediateStatus,
  nak,
  printTextBlock,
  readIntermediateStatus,
  readRequest,
  readStatusInformation,
  readTextBlock,
  registration,
  reversal,
  refund,
  statusInformation,
  endOfDay,
} from './index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Byte vectors from the public ZVT specification "ZVT-Kassenschnittstelle" (PA00P015), chapter 2:
// the Registration example (password 123456, config-byte BA, currency 0978 EUR) and the Authorization
// example for 10.00 EUR (BMP 04 amount, 6 BCD bytes).
const SPEC_REGISTRATION = '06 00 06 12 34 56 BA 09 78';
const SPEC_AUTHORIZATION = '06 01 07 04 00 00 00 00 10 00';
// PA00P015 chapter 2: the positive acknowledgement.
const SPEC_ACK = '80 00 00';

describe('ZVT APDU codec', () => {
  it('builds the spec Registration and reads it back', () => {
    assert.deepEqual(registration('123456', 0xba, '0978'), hex(SPEC_REGISTRATION));
    const r = readRequest(decodeApdu(hex(SPEC_REGISTRATION)));
    assert.deepEqual(r, {
      kind: 'registration',
      password: '123456',
      configByte: 0xba,
      currency: '0978',
      bmps: [],
    });
  });

  it('builds the spec Authorization (10.00) and reads its amount', () => {
    assert.deepEqual(authorization(1000), hex(SPEC_AUTHORIZATION));
    const r = readRequest(decodeApdu(hex(SPEC_AUTHORIZATION)));
    assert.equal(r?.kind, 'authorization');
    assert.equal(r?.kind === 'authorization' ? r.amount : undefined, 1000);
  });

  it('ACK is 80 00 00, a NAK 84 xx 00, an abort 06 1E 01 xx', () => {
    assert.deepEqual(ack(), hex(SPEC_ACK));
    assert.deepEqual(nak(0x83), hex('84 83 00'));
    assert.deepEqual(abortResult(0x6c), hex('06 1E 01 6C'));
  });

  it('reversal, refund and end-of-day carry the password and their BMPs', () => {
    assert.deepEqual(reversal('123456', '0042'), hex('06 30 06 12 34 56 87 00 42'));
    assert.deepEqual(endOfDay('000000'), hex('06 50 03 00 00 00'));
    const r = readRequest(decodeApdu(refund('123456', 2550, '0007')));
    assert.deepEqual(r?.kind === 'refund' && [r.password, r.amount, r.receiptNumber], [
      '123456',
      2550,
      '0007',
    ]);
  });

  it('uses the extended length FF lo hi from 255 data bytes on', () => {
    const data = Buffer.alloc(300, 0x41);
    const a = encodeApdu(0x06, 0xd1, data);
    assert.deepEqual(a.subarray(0, 5), hex('06 D1 FF 2C 01'));
    assert.equal(decodeApdu(a).data.length, 300);
    assert.deepEqual(encodeApdu(0x06, 0xd1, Buffer.alloc(254)).subarray(2, 3), hex('FE'));
  });

  it('status information round-trips, the PAN masked with E nibbles on the wire', () => {
    const a = statusInformation({
      resultCode: 0,
      amount: 1250,
      trace: '000123',
      maskedPan: '622588******1234',
      receiptNumber: '0123',
      currency: '0978',
      additional: 'RRN=123456789012',
    });
    assert.ok(a.includes(hex('22 F0 F8 62 25 88 EE EE EE 12 34')), 'LLVAR PAN with E nibbles');
    const s = readStatusInformation(decodeApdu(a));
    assert.deepEqual(s, {
      resultCode: 0,
      amount: 1250,
      trace: '000123',
      maskedPan: '622588******1234',
      receiptNumber: '0123',
      currency: '0978',
      additional: 'RRN=123456789012',
    });
  });

  it('intermediate status and text blocks carry their lines in the TLV container', () => {
    assert.deepEqual(readIntermediateStatus(decodeApdu(intermediateStatus(0x0a))), {
      status: 0x0a,
      lines: [],
    });
    const i = readIntermediateStatus(decodeApdu(intermediateStatus(0x0e, ['INSERT CARD', '12.50'])));
    assert.deepEqual(i, { status: 0x0e, lines: ['INSERT CARD', '12.50'] });
    const t = readTextBlock(decodeApdu(printTextBlock(['MERCHANT COPY', 'AMOUNT 12.50'], 'customer')));
    assert.deepEqual(t, { type: 'customer', lines: ['MERCHANT COPY', 'AMOUNT 12.50'] });
  });

  it('a truncated BMP is a clear error naming the BMP', () => {
    // BMP 04 needs 6 bytes; 3 are there.
    const bad = decodeApdu(hex('06 01 04 04 00 10 00'));
    assert.throws(
      () => readRequest(bad),
      (e: unknown) =>
        e instanceof ZvtDecodeError &&
        e.code === 'E_ZVT_BMP' &&
        /BMP 04 \(amount\)/.test(e.message) &&
        /truncated/.test(e.message),
    );
    // An LLVAR whose prefix says 8 bytes, 2 present.
    assert.throws(() => decodeBmps(hex('22 F0 F8 62 25')), /BMP 22 \(pan\).*truncated/);
    assert.throws(() => decodeBmps(hex('22 F0 08 62')), /BMP 22 \(pan\).*not F0–F9/);
    assert.throws(() => decodeBmps(hex('FE 00')), /BMP FE: unknown BMP number/);
    assert.throws(() => decodeBmps(hex('06 05 24 03 07')), /BMP 06 .*truncated/);
  });

  it('an APDU whose length field disagrees with its data is refused', () => {
    assert.throws(
      () => decodeApdu(hex('06 01 07 04 00')),
      (e: unknown) => e instanceof ZvtDecodeError && e.code === 'E_ZVT_APDU',
    );
    assert.throws(() => amountToBcd(-1), /amount/);
  });
});

describe('ZVT TCP parser', () => {
  const stream = Buffer.concat([
    hex(SPEC_REGISTRATION),
    hex(SPEC_ACK),
    encodeApdu(0x06, 0xd1, Buffer.alloc(300, 0x20)),
    hex(SPEC_AUTHORIZATION),
  ]);
  const expected = ['0600', '8000', '06d1', '0601'];

  it('hands on only complete APDUs at every split point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const p = new ZvtApduParser();
      const got = [...p.push(stream.subarray(0, cut)), ...p.push(stream.subarray(cut))];
      assert.deepEqual(
        got.map((a) => a.cls.toString(16).padStart(2, '0') + a.ins.toString(16).padStart(2, '0')),
        expected,
        `cut ${cut}`,
      );
      assert.equal(p.pending, 0);
    }
  });

  it('hands on the same APDUs fed one byte at a time, nothing before each last byte', () => {
    const p = new ZvtApduParser();
    const got = [];
    for (const b of stream) got.push(...p.push(Buffer.from([b])));
    assert.equal(got.length, 4);
    assert.deepEqual(got[3]?.data, hex(SPEC_AUTHORIZATION).subarray(3));
  });
});
