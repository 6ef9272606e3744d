import { strict as assert } from 'node:assert';
import { TrackDataError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { tdesEcbEncrypt } from './tdes.js';
import { decryptTrack, encryptTrack } from './track-encryption.js';

// Worked example of the UnionPay POS track encryption algorithm (磁道加密算法, section 4.4.2 of the
// acquirer POS API guide at doc.xrtinfo.com/docs/ss_api): track 2 1234567890123456789=0508201781999168302
// is 12 34 56 78 90 12 34 56 78 9D 05 08 20 17 81 99 91 68 30 20 and TDB2 = 08 20 17 81 99 91 68 30;
// track 3 991234567890123456789=1560000…=000000000003=0000000000 gives TDB3 = 00 00 00 3D 00 00 00 00.
const TDK = fromHex('0123456789ABCDEFFEDCBA9876543210');
const TRACK2 = '1234567890123456789=0508201781999168302';
const TRACK3 =
  '991234567890123456789=1560000000000000000003781999216000005080000000000000' +
  '00000000=000000000003=0000000000';

describe('crypto/track-encryption (UnionPay TDK)', () => {
  it('encrypts exactly TDB2 of the published track 2 example, leaving the rest clear', () => {
    const enc = encryptTrack(TDK, TRACK2);
    assert.equal(enc.length, TRACK2.length);
    // Bytes 0–10 (22 nibbles) and the last byte (nibble 38, "2") stay clear.
    assert.equal(enc.slice(0, 22), '1234567890123456789D05');
    assert.equal(enc.slice(22, 38), toHex(tdesEcbEncrypt(TDK, fromHex('0820178199916830'))));
    assert.equal(enc.slice(38), '2');
    assert.equal(decryptTrack(TDK, enc), TRACK2.replace('=', 'D'));
  });
  it('encrypts exactly TDB3 of the published track 3 example', () => {
    assert.equal(TRACK3.length, 106);
    const enc = encryptTrack(TDK, TRACK3);
    const bcd = TRACK3.replace(/=/g, 'D');
    // 53 bytes: TDB3 is bytes 44–51 (nibbles 88–103), byte 52 stays clear.
    assert.equal(bcd.slice(88, 104), '0000003D00000000');
    assert.equal(enc.slice(0, 88), bcd.slice(0, 88));
    assert.equal(enc.slice(88, 104), toHex(tdesEcbEncrypt(TDK, fromHex('0000003D00000000'))));
    assert.equal(enc.slice(104), bcd.slice(104));
    assert.equal(decryptTrack(TDK, enc).replace(/D/g, '='), TRACK3);
  });
  it('accepts the track as BCD nibbles with D as the separator', () => {
    assert.equal(encryptTrack(TDK, TRACK2.replace('=', 'D')), encryptTrack(TDK, TRACK2));
    assert.equal(decryptTrack(TDK, encryptTrack(TDK, TRACK2).toLowerCase()), TRACK2.replace('=', 'D'));
  });
  it('refuses tracks too short for a TDB, and characters a track cannot hold', () => {
    assert.throws(() => encryptTrack(TDK, '6222021234=2512'), TrackDataError);
    assert.throws(() => encryptTrack(TDK, '622202123456789012=2512A01'), TrackDataError);
    assert.throws(() => decryptTrack(TDK, 'XYZ' + '0'.repeat(20)), TrackDataError);
  });
});
