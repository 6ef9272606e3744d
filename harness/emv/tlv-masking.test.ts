import assert from 'node:assert/strict';
import { maskTlvHex } from './tlv-masking.js';
import { SENSITIVE_TAGS, tagSensitivity } from './tag-dictionary.js';
import { encodeTlv } from './tlv.js';

/** A READ RECORD answer (template 70) with PAN, track 2 equivalent, cardholder name and PBOC ID number. */
const PAN = '6222021234567890123';
const RECORD = encodeTlv([
  {
    tag: '70',
    children: [
      { tag: '5A', value: Buffer.from(PAN + 'F', 'hex') },
      { tag: '57', value: Buffer.from('6222021234567890123D30122010000000000F', 'hex') },
      { tag: '5F20', value: Buffer.from('ZHANG/SAN', 'ascii') },
      { tag: '9F61', value: Buffer.from('110101199001011234', 'ascii') },
      { tag: '9F62', value: Buffer.from([0x00]) },
      { tag: '5F24', value: Buffer.from('301231', 'hex') },
    ],
  },
])
  .toString('hex')
  .toUpperCase();

describe('emv/tlv-masking', () => {
  it('masks PAN 6/4 and hides track 2, cardholder name and ID in a READ RECORD answer', () => {
    const masked = maskTlvHex(RECORD);
    assert.equal(masked.length, RECORD.length);
    assert.ok(masked.includes('5A0A622202*********0123F'), masked);
    for (const [tag, clear] of [
      ['57', '6222021234567890123D30122010000000000F'],
      ['5F20', Buffer.from('ZHANG/SAN').toString('hex').toUpperCase()],
      ['9F61', Buffer.from('110101199001011234').toString('hex').toUpperCase()],
    ] as const) {
      assert.ok(!masked.includes(clear), `${tag} in clear: ${masked}`);
      assert.ok(
        masked.includes(
          tag + (clear.length / 2).toString(16).toUpperCase().padStart(2, '0') + '*'.repeat(clear.length),
        ),
      );
    }
    assert.ok(masked.includes('9F620100'), 'the ID type is a one-digit code, shown');
    assert.ok(masked.includes('5F2403301231'), 'the expiry date is shown');
  });

  it('gives the same text when masking twice (a second line over a trace masked at the source)', () => {
    const once = maskTlvHex(RECORD);
    assert.equal(maskTlvHex(once), once);
  });

  it('fills with zeros for bytes that must still decode, and hands non-TLV to the fallback', () => {
    const z = maskTlvHex('5A0862220212345678909F0B1B' + '41'.repeat(27), () => 'X', { pan: '0', hide: '0' });
    assert.equal(z, '5A0862220200000078909F0B1B' + '0'.repeat(54));
    assert.equal(
      maskTlvHex('5A0962', () => 'unparsable'),
      'unparsable',
    );
    assert.equal(
      maskTlvHex('5A08<x>', () => 'unparsable'),
      'unparsable',
    );
  });

  it('hides every tag of the dictionary list and nothing of the application identity', () => {
    for (const [tag] of SENSITIVE_TAGS) {
      const hex = encodeTlv([{ tag, value: Buffer.from('6222021234567890', 'hex') }])
        .toString('hex')
        .toUpperCase();
      assert.ok(!maskTlvHex(hex).includes('6222021234567890'), `${tag} shown in clear`);
    }
    const fci = '6F1A840E315041592E5359532E4444463031A5088801015F2D027A68';
    assert.equal(maskTlvHex(fci), fci);
    assert.equal(tagSensitivity('4f'), undefined);
  });
});
