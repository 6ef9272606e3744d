import { strict as assert } from 'node:assert';
import { loadDialect } from '../iso8583/dialect-loader.js';
import { maskFields, maskRawHex } from './frame-masking.js';

describe('net/frame masking', () => {
  const cup = loadDialect('cup');

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

  it('masks tag 5A and hides tag 57 inside field 55 (TLV)', () => {
    const m = maskFields(cup, { 55: '5A0862220212345678905708622202123456789F9F2701809F3602000A' });
    assert.equal(m['55'], '5A08622202******78905708****************9F2701809F3602000A');
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
