import { strict as assert } from 'node:assert';
import { loadDialect } from './dialect-loader.js';
import { decodeFrame, encodeFrame } from './message-codec.js';
import { CUP_PURCHASE_0200_HEX } from './sample-frames.js';
import { blankFrame, maskFields, maskFrameBytes, maskRawHex } from './frame-masking.js';

describe('net/frame masking', () => {
  const cup = loadDialect('cup');

  /** The public CUP 0200 with another field 55. */
  function frameWith55(field55: string): Buffer {
    const clear = decodeFrame(cup, Buffer.from(CUP_PURCHASE_0200_HEX, 'hex'));
    return encodeFrame(
      cup,
      { mti: clear.mti, fields: { ...clear.fields, 55: field55 } },
      { tpdu: clear.tpdu as string, header: clear.header as string },
    );
  }

  it('masks PAN, hides track, PIN block and keys by the dialect markers', () => {
    const m = maskFields(cup, {
      2: '6222021234567890123',
      35: '6222021234567890123D3012',
      52: '0412AC89ABCDEF67',
      62: '00112233445566778899AABBCCDDEEFF',
      42: '123456789012345',
      4: '000000001000',
    });
    assert.equal(m['2'], '622202*********0123');
    assert.equal(m['35'], '<track data redacted, 24 hex>');
    assert.equal(m['52'], '<PIN block redacted, 16 hex>');
    assert.match(m['62'] as string, /^<key redacted/);
    assert.equal(m['42'], '123456789012345', 'a fixed-length merchant id is not a PAN');
    assert.equal(m['4'], '000000001000');
  });

  it('leaves a MAC and positional fields (CUP 60) alone, masks a PAN in free data (59)', () => {
    const m = maskFields(cup, {
      60: '22000024000600',
      64: '3846363531423236',
      59: 'card 6222021000000000017 ok',
    });
    assert.equal(m['60'], '22000024000600');
    assert.equal(m['64'], '3846363531423236');
    assert.equal(m['59'], 'card 622202*********0017 ok');
  });

  it('overwrites the sensitive bytes of a real CUP 0200 in place: same length, still decodes', () => {
    // Public CUP 0200 (sample-frames.ts names the source): 2, 35, 52, 55, 64 among its fields.
    const frame = Buffer.from(CUP_PURCHASE_0200_HEX, 'hex');
    const clear = decodeFrame(cup, frame);
    const masked = maskFrameBytes(cup, frame);
    assert.equal(masked.length, frame.length);
    const m = decodeFrame(cup, masked);
    assert.equal(m.fields[2], '6224240000000113', 'first 6 / last 4, filler nibble 0');
    assert.equal(m.fields[35], '0'.repeat(34));
    assert.equal(m.fields[52], '0000000000000000');
    assert.equal(m.fields[64], '0000000000000000', 'the MAC of the clear frame is zeroed too');
    for (const f of [3, 4, 11, 22, 41, 42, 48, 53, 55, 59, 60])
      assert.equal(m.fields[f], clear.fields[f], `field ${f} as sent`);
    assert.deepEqual([m.tpdu, m.header], [clear.tpdu, clear.header]);
    // Only the bytes of 2, 35, 52 and 64 changed.
    const changed = [...frame.keys()].filter((i) => frame[i] !== masked[i]);
    assert.ok(changed.length > 0 && changed.length <= 3 + 17 + 8 + 8, `${changed.length} bytes changed`);
  });

  it('blanks a frame that does not decode past its length, TPDU and header', () => {
    const junk = Buffer.concat([
      Buffer.from('0015600003000060310031100362', 'hex'),
      Buffer.from('2202100000'),
    ]);
    const out = maskFrameBytes(cup, junk);
    assert.deepEqual(out, blankFrame(cup, junk));
    assert.deepEqual(out.subarray(0, 13), junk.subarray(0, 13));
    assert.ok(out.subarray(13).every((b) => b === 0));
  });

  it('masks tag 5A and hides tag 57 inside field 55 (TLV)', () => {
    const m = maskFields(cup, { 55: '5A0862220212345678905708622202123456789F9F2701809F3602000A' });
    assert.equal(m['55'], '5A08622202******78905708****************9F2701809F3602000A');
  });

  it('hides cardholder name and ID, PIN data and contactless track 2 inside field 55 (the tag dictionary list)', () => {
    const id = Buffer.from('110101199001011234').toString('hex').toUpperCase();
    const ext = '41'.repeat(27);
    const field55 = `9F6112${id}9F0B1B${ext}99021234` + '9F6B03622202' + '9F2701809F3602000A';
    const m = maskFields(cup, { 55: field55 });
    assert.equal(
      m['55'],
      `9F6112${'*'.repeat(36)}9F0B1B${'*'.repeat(54)}9902****` + '9F6B03******' + '9F2701809F3602000A',
    );
    const bytes = maskFrameBytes(cup, frameWith55(field55));
    const back = decodeFrame(cup, bytes).fields[55] as string;
    assert.equal(
      back,
      `9F6112${'0'.repeat(36)}9F0B1B${'0'.repeat(54)}99020000` + '9F6B03000000' + '9F2701809F3602000A',
    );
  });

  it('masks ASCII and BCD PANs in undecodable bytes and truncates to the limit', () => {
    const ascii = maskRawHex(Buffer.from('PAN=4321987654321098;'), 256);
    assert.equal(Buffer.from(ascii.hex.replace(/\*/g, '0'), 'hex').toString(), 'PAN=432198******1098;');
    // BCD LL prefix 19 and a 19-digit PAN padded with F, as CUP field 2 carries it.
    const bcd = maskRawHex(Buffer.from('AA196222021234567890123FBB', 'hex'), 256);
    // The BCD run is 19 62 … 90 12 (10 bytes); its first 6 and last 4 digits stay, 3F ends it.
    assert.equal(bcd.hex, 'AA196222' + '*'.repeat(10) + '90123FBB');
    const long = maskRawHex(Buffer.alloc(1000, 0xab), 16);
    assert.equal(long.hex.length, 32);
    assert.equal(long.truncated, true);
  });
});
