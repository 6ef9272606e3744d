import { strict as assert } from 'node:assert';
import { loadDialect } from './dialect-loader.js';
import { compileDialect } from './dialect-loader.js';
import { DecodeError, EncodeError } from './errors.js';
import {
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  responseTpdu,
  type IsoMessage,
} from './message-codec.js';
import { CUP_PURCHASE_0200_HEX, ISO87_ASCII_0210_TEXT, ISO87_BINARY_0800_HEX } from './sample-frames.js';
import type { DialectDefinition } from './dialect-types.js';

const cup = loadDialect('cup');
const ascii = loadDialect('iso87-ascii');
const binary = loadDialect('iso87-binary');
const cupFrame = Buffer.from(CUP_PURCHASE_0200_HEX, 'hex');

/** Asserts that fn throws a DecodeError on `field` (undefined = framing), optionally at `offset`, with `reason` matching. */
function decodeFails(fn: () => unknown, field: number | undefined, reason: RegExp, offset?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    assert.equal(e.field, field, e.message);
    assert.match(e.reason, reason);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    assert.equal(e.code, 'E_ISO_DECODE');
    return true;
  });
}

function encodeFails(fn: () => unknown, field: number | undefined, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EncodeError, `expected EncodeError, got ${String(e)}`);
    assert.equal(e.field, field, e.message);
    assert.match(e.reason, reason);
    return true;
  });
}

/** The CUP frame with its 2-byte length rewritten to fit the bytes. */
function withLength(body: Buffer): Buffer {
  const out = Buffer.from(body);
  out.writeUInt16BE(out.length - 2, 0);
  return out;
}

describe('iso8583/message-codec', () => {
  describe('known answers from published messages', () => {
    it('decodes the published CUP 0200 purchase exactly as its source lists it', () => {
      // Source: blog.csdn.net/MaxWoods/article/details/86490475 ("POS调试8583报文-消费").
      const m = decodeFrame(cup, cupFrame);
      assert.equal(m.mti, '0200');
      assert.equal(m.tpdu, '6000060000');
      assert.equal(m.header, '603100311003');
      assert.deepEqual(
        Object.keys(m.fields).map(Number),
        [2, 3, 4, 11, 14, 22, 23, 25, 26, 35, 41, 42, 48, 49, 52, 53, 55, 59, 60, 64],
      );
      // Values the source prints (it shows 22 and 23 with their BCD pad digit: 0710 and 0000).
      assert.equal(m.fields[2], '6224242900000113');
      assert.equal(m.fields[3], '000000');
      assert.equal(m.fields[4], '000000000001');
      assert.equal(m.fields[11], '000403');
      assert.equal(m.fields[14], '2806');
      assert.equal(m.fields[22], '071');
      assert.equal(m.fields[23], '000');
      assert.equal(m.fields[25], '00');
      assert.equal(m.fields[26], '12');
      // The rest, read from the bytes under the CUP layout; the whole frame is consumed exactly.
      assert.equal(m.fields[35], '6224242900000113D28062013949031013');
      assert.equal(m.fields[41], '10000019');
      assert.equal(m.fields[42], '850100082410002');
      assert.equal(m.fields[49], '156');
      assert.equal(m.fields[52], 'D1EEF419D0AE2609');
      assert.equal(m.fields[53], '2600000000000000');
      assert.equal(m.fields[55]?.slice(0, 22), '9F260895BBE372271DDA7C');
      assert.equal(m.fields[55]?.length, 139 * 2);
      assert.equal(m.fields[59]?.length, 153);
      assert.equal(m.fields[60], '22000024000600');
      assert.equal(m.fields[64], '3846363531423236'); // the MAC "8F651B26" as 8 ASCII characters
    });

    it('re-encodes the CUP frame byte for byte', () => {
      assert.equal(
        encodeFrame(cup, decodeFrame(cup, cupFrame)).toString('hex').toUpperCase(),
        CUP_PURCHASE_0200_HEX,
      );
    });

    it('decodes the published ISO 8583:1987 ASCII 0210 with the values its source lists', () => {
      // Source: on-september.blogspot.com/2010/01/read-iso-8583-message.html
      const m = decodeMessage(ascii, Buffer.from(ISO87_ASCII_0210_TEXT, 'latin1'));
      assert.deepEqual(m, {
        mti: '0210',
        fields: {
          2: '593600141001099999',
          3: '011000',
          4: '000010000000',
          7: '1007021533',
          11: '000001',
          12: '191533',
          13: '1006',
          15: '1007',
          32: '565656',
          37: '100609010224',
          39: '00',
          41: '00000901',
          49: '360',
          54: '100236C0102240000000',
        },
      });
      assert.equal(encodeMessage(ascii, m).toString('latin1'), ISO87_ASCII_0210_TEXT);
    });

    it('decodes the binary-bitmap 0800 from the ISO8583 decoding question', () => {
      // Source: stackoverflow.com/questions/21282257 ("0800 2020000000800000 000000 000001 3239313130303031").
      const m = decodeMessage(binary, Buffer.from(ISO87_BINARY_0800_HEX, 'hex'));
      assert.deepEqual(m, { mti: '0800', fields: { 3: '000000', 11: '000001', 41: '29110001' } });
      assert.equal(encodeMessage(binary, m).toString('hex').toUpperCase(), ISO87_BINARY_0800_HEX);
    });

    it('builds the bitmap of the Elavon primary-bitmap example', () => {
      // Source: developer-eu.elavon.com/docs/eisop/field-descriptions/bitmap-primary: bit string
      // 0011000000110100…00000011 → 30 34 04 59 28 E1 82 03, i.e. fields 3,4,11,12,14,22,26,28,29,32,
      // 35,37,41,42,43,48,49,55,63,64 (the page's prose list also names 7, which its bits do not set).
      const present = [3, 4, 11, 12, 14, 22, 26, 28, 29, 32, 35, 37, 41, 42, 43, 48, 49, 55, 63, 64];
      const fields: Record<number, string> = {};
      for (const f of present) {
        const spec = binary.fields[f]!;
        const len = spec.kind === 'fixed' ? spec.length : 1;
        fields[f] =
          spec.type === 'b'
            ? '00'.repeat(len)
            : spec.type === 'an' || spec.type === 'ans'
              ? 'A'.repeat(len)
              : '1'.repeat(len);
      }
      const body = encodeMessage(binary, { mti: '0200', fields });
      assert.equal(body.subarray(2, 10).toString('hex').toUpperCase(), '3034045928E18203');
      assert.deepEqual(Object.keys(decodeMessage(binary, body).fields).map(Number), present);
    });
  });

  describe('encodings', () => {
    it('packs odd BCD lengths left- or right-justified with the pad nibble', () => {
      const body = encodeMessage(cup, {
        mti: '0200',
        fields: { 2: '6222021234567890123', 22: '051', 23: '001' },
      });
      const hex = body.toString('hex').toUpperCase();
      // MTI 0200, bitmap with 2, 22, 23; PAN: BCD length 19, digits left-justified, pad 0.
      assert.equal(hex, '0200' + '4000060000000000' + '19' + '62220212345678901230' + '0510' + '0001');
    });

    it('writes LLLVAR BCD lengths in two bytes and b lengths in bytes', () => {
      const body = encodeMessage(cup, { mti: '0200', fields: { 55: '9F2701809F3602000A' } });
      assert.equal(
        body.toString('hex').toUpperCase(),
        '0200' + '0000000000000200' + '0009' + '9F2701809F3602000A',
      );
    });

    it('writes hex-ASCII bitmaps and binary fields as ASCII hex in iso87-ascii', () => {
      const body = encodeMessage(ascii, { mti: '0800', fields: { 52: '0412ac89abcdef67', 70: '001' } });
      assert.equal(
        body.toString('latin1'),
        '0800' + '8000000000001000' + '0400000000000000' + '0412AC89ABCDEF67' + '001',
      );
      assert.deepEqual(decodeMessage(ascii, body).fields, { 52: '0412AC89ABCDEF67', 70: '001' });
    });

    it('reads a track-2 separator as D in BCD and accepts = when encoding', () => {
      const m: IsoMessage = { mti: '0200', fields: { 35: '6222021234567890123=2512201' } };
      const back = decodeMessage(cup, encodeMessage(cup, m));
      assert.equal(back.fields[35], '6222021234567890123D2512201');
    });

    it('frames with a 4-digit ASCII length that counts itself, and a little-endian length', () => {
      const def = structuredClone(ascii.definition) as DialectDefinition & { framing: { length: object } };
      (def.framing as { length: object }).length = { kind: 'ascii4', includesSelf: true };
      const a4 = compileDialect({ ...def, name: 'a4' });
      const frame = encodeFrame(a4, { mti: '0800', fields: { 11: '000001' } });
      assert.equal(frame.toString('latin1'), '0030' + '0800' + '0020000000000000' + '000001');
      assert.deepEqual(decodeFrame(a4, frame).fields, { 11: '000001' });

      const le = compileDialect({ ...binary.definition, name: 'le', framing: { length: { kind: 'u16le' } } });
      const f2 = encodeFrame(le, { mti: '0800', fields: { 11: '000001' } });
      assert.equal(f2.toString('hex'), '0d00' + '0800' + '0020000000000000' + '000001');
    });

    it('uses the TPDU and header of the message, then of the options, then the dialect default', () => {
      const m = { mti: '0800', fields: { 11: '000001' } };
      assert.equal(
        encodeFrame(cup, m).subarray(2, 13).toString('hex').toUpperCase(),
        '6000030000603100311003',
      );
      const own = { ...m, tpdu: '6000000003', header: '600000000000' };
      assert.equal(
        encodeFrame(cup, own).subarray(2, 13).toString('hex').toUpperCase(),
        '6000000003600000000000',
      );
      assert.equal(
        encodeFrame(cup, own, { tpdu: '6000040000' }).subarray(2, 7).toString('hex'),
        '6000040000',
      );
      assert.equal(responseTpdu('6000030000'), '6000000003');
      // A CUP frame re-encoded in a dialect without TPDU or header simply drops them.
      const cupMsg = decodeFrame(cup, cupFrame);
      assert.deepEqual(decodeFrame(binary, encodeFrame(binary, { ...cupMsg, fields: { 11: '000403' } })), {
        mti: '0200',
        fields: { 11: '000403' },
      });
    });
  });

  describe('bad input → DecodeError with field, offset and reason', () => {
    it('refuses a truncated frame', () => {
      decodeFails(() => decodeFrame(cup, cupFrame.subarray(0, 100)), undefined, /truncated.*428.*100/, 0);
      decodeFails(() => decodeFrame(cup, cupFrame.subarray(0, 1)), undefined, /truncated/, 0);
    });

    it('refuses a frame cut inside a field even when its length prefix is fixed up', () => {
      // 2 + 5 + 6 + 2 (MTI) + 8 (bitmap) = byte 23: field 2's length; cut inside the PAN.
      decodeFails(
        () => decodeFrame(cup, withLength(cupFrame.subarray(0, 27))),
        2,
        /truncated: needs 8 bytes, 3 left/,
        24,
      );
    });

    it('refuses a variable length past the end of the message', () => {
      // Field 55's LLL says 0139 bytes; make it 0999.
      const f = Buffer.from(cupFrame);
      const at = f.indexOf(Buffer.from('01399F2608', 'hex'));
      f[at] = 0x09;
      f[at + 1] = 0x99;
      decodeFails(() => decodeFrame(cup, f), 55, /exceeds maximum 255/, at);
    });

    it('refuses a non-BCD nibble', () => {
      const f = Buffer.from(cupFrame);
      f[25] = 0x6a; // inside the PAN (after MTI, bitmap and the LL byte at 23)
      decodeFails(() => decodeFrame(cup, f), 2, /non-BCD nibble in byte 0x6A/, 25);
      const g = Buffer.from(cupFrame);
      g[23] = 0x1b; // the LL length itself
      decodeFails(() => decodeFrame(cup, g), 2, /length prefix: non-BCD/, 23);
    });

    it('refuses a bitmap naming a field with no data', () => {
      const body = Buffer.concat([Buffer.from('0200' + '2000000000000000', 'hex')]); // field 3, no bytes
      decodeFails(() => decodeMessage(cup, body), 3, /message ends before it/, 10);
    });

    it('refuses a variable length over the maximum', () => {
      const body = Buffer.from('0200' + '4000000000000000' + '20' + '12345678901234567890', 'hex');
      decodeFails(() => decodeMessage(cup, body), 2, /LLVAR length 20 exceeds maximum 19/, 10);
    });

    it('refuses a third bitmap', () => {
      const body = Buffer.from('0200' + '8000000000000000' + '8000000000000000', 'hex');
      decodeFails(() => decodeMessage(binary, body), 1, /third bitmap/, 10);
    });

    it('refuses a secondary bitmap where the dialect has none, and fields the dialect lacks', () => {
      decodeFails(
        () => decodeMessage(cup, Buffer.from('0200' + 'C000000000000000', 'hex')),
        1,
        /secondary bitmap/,
        2,
      );
      decodeFails(
        () => decodeMessage(cup, Buffer.from('0200' + '0800000000000000' + '000000000000', 'hex')),
        5,
        /does not define/,
        2,
      );
    });

    it('refuses frames over the maximum size', () => {
      decodeFails(
        () => decodeFrame(cup, cupFrame, { maxFrameBytes: 400 }),
        undefined,
        /428 bytes exceeds the maximum of 400/,
        0,
      );
    });

    it('refuses trailing bytes, bad MTIs, bad hex-ASCII bitmaps and non-digits', () => {
      decodeFails(
        () => decodeFrame(cup, Buffer.concat([cupFrame, Buffer.from([0])])),
        undefined,
        /1 byte\(s\) after the frame/,
        428,
      );
      decodeFails(
        () => decodeFrame(cup, withLength(Buffer.concat([cupFrame, Buffer.from([0])]))),
        undefined,
        /after the last field/,
        428,
      );
      decodeFails(() => decodeMessage(cup, Buffer.from('02A0', 'hex')), 0, /non-BCD/, 1);
      decodeFails(
        () => decodeMessage(ascii, Buffer.from('08000020G00000000000', 'latin1')),
        1,
        /not an ASCII hex digit/,
        8,
      );
      decodeFails(
        () => decodeMessage(ascii, Buffer.from('080000200000000000000000A1', 'latin1')),
        11,
        /'A' is not allowed in a n field/,
        24,
      );
    });
  });

  describe('bad messages → EncodeError', () => {
    it('names the field and the reason', () => {
      encodeFails(() => encodeMessage(cup, { mti: '0200', fields: { 3: '00000A' } }), 3, /'A' at position 6/);
      encodeFails(
        () => encodeMessage(cup, { mti: '0200', fields: { 3: '0000' } }),
        3,
        /fixed length 6, got 4/,
      );
      encodeFails(
        () => encodeMessage(cup, { mti: '0200', fields: { 2: '1'.repeat(20) } }),
        2,
        /length 20 exceeds maximum 19/,
      );
      encodeFails(
        () => encodeMessage(cup, { mti: '0200', fields: { 5: '000000000000' } }),
        5,
        /not defined in dialect cup/,
      );
      encodeFails(() => encodeMessage(cup, { mti: '0200', fields: { 55: 'ABC' } }), 55, /odd number/);
      encodeFails(
        () => encodeMessage(cup, { mti: '0200', fields: { 52: 'ZZ'.repeat(8) } }),
        52,
        /not a hex digit/,
      );
      encodeFails(() => encodeMessage(cup, { mti: '200', fields: {} }), 0, /MTI must be 4 digits/);
      encodeFails(() => encodeMessage(ascii, { mti: '0200', fields: { 1: 'x' } }), 1, /set by the encoder/);
      encodeFails(
        () => encodeMessage(cup, { mti: '0200', fields: { 3: 3 as unknown as string } }),
        3,
        /must be a string/,
      );
      encodeFails(
        () => encodeFrame(binary, { mti: '0200', fields: {} }, { tpdu: '6000030000' }),
        undefined,
        /has no tpdu/,
      );
      encodeFails(
        () => encodeFrame(cup, { mti: '0200', fields: {} }, { tpdu: '60' }),
        undefined,
        /10 hex digits/,
      );
    });
  });
});
