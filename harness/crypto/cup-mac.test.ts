import { strict as assert } from 'node:assert';
import { macCupEcb, macCupEcbField } from './cup-mac.js';
import { KeyLengthError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { tdesEcbEncrypt } from './tdes.js';

describe('crypto/cup-mac (UnionPay POS ECB MAC)', () => {
  // Worked example with every intermediate, github.com/solo123/pgate test/integration/pos_mac_test.rb:
  //   MAB 1234567890ABCDEF ABCDEF1234567890, MAK 2222222222222222
  //   M1 xor M2 = B9F9B96AA4FDB57F → "B9F9B96AA4FDB57F" = 42394639423936414134464442353746
  //   eMAK(first 8) = 9FDE90A34CF73B2E; xor last 8 = DEEAD6E70EC20C68; eMAK = E267B6E21913D339
  //   MAC = E267B6E2
  const mak = fromHex('2222222222222222');
  const mab = fromHex('1234567890ABCDEFABCDEF1234567890');

  it('gives the published MAC E267B6E2', () => {
    assert.equal(macCupEcb(mak, mab), 'E267B6E2');
  });
  it('matches the published intermediates step by step', () => {
    const hex16 = Buffer.from('B9F9B96AA4FDB57F', 'latin1');
    assert.equal(toHex(hex16), '42394639423936414134464442353746');
    const e1 = tdesEcbEncrypt(mak, hex16.subarray(0, 8));
    assert.equal(toHex(e1), '9FDE90A34CF73B2E');
    for (let i = 0; i < 8; i++) e1[i] = (e1[i] as number) ^ (hex16[8 + i] as number);
    assert.equal(toHex(e1), 'DEEAD6E70EC20C68');
    assert.equal(toHex(tdesEcbEncrypt(mak, e1)), 'E267B6E21913D339');
  });
  it('field 64 carries the 8 ASCII characters', () => {
    assert.equal(toHex(macCupEcbField(mak, mab)), '4532363742364532');
  });
  it('pads the last block with zeros: trailing zero bytes up to a block boundary do not change the MAC', () => {
    const short = fromHex('1234567890ABCDEFABCDEF12');
    assert.equal(macCupEcb(mak, short), macCupEcb(mak, fromHex('1234567890ABCDEFABCDEF1200000000')));
    assert.notEqual(macCupEcb(mak, short), macCupEcb(mak, mab));
  });
  it('is an XOR of blocks, not a CBC chain: swapping whole blocks leaves it unchanged (a known weakness)', () => {
    assert.equal(macCupEcb(mak, fromHex('ABCDEF12345678901234567890ABCDEF')), 'E267B6E2');
  });
  it('takes double-length MAKs as TDES, and refuses other lengths', () => {
    // K‖K as a double-length key is the same as single DES K.
    assert.equal(macCupEcb(fromHex('22222222222222222222222222222222'), mab), 'E267B6E2');
    assert.notEqual(macCupEcb(fromHex('2222222222222222FEDCBA9876543210'), mab), 'E267B6E2');
    assert.throws(() => macCupEcb(Buffer.alloc(10), mab), KeyLengthError);
  });
});
