import { strict as assert } from 'node:assert';
import { createCipheriv, randomBytes } from 'node:crypto';
import { desCryptBlock, desSchedule } from './des-core.js';
import { fromHex, toHex } from './hex.js';

function desEncrypt(key: string, block: string): string {
  const out = Buffer.alloc(8);
  desCryptBlock([desSchedule(fromHex(key)).enc], fromHex(block), 0, out, 0);
  return toHex(out);
}

function desDecrypt(key: string, block: string): string {
  const out = Buffer.alloc(8);
  desCryptBlock([desSchedule(fromHex(key)).dec], fromHex(block), 0, out, 0);
  return toHex(out);
}

describe('crypto/des-core (DES in JavaScript, FIPS 46-3)', () => {
  // Published known answers:
  //  - FIPS PUB 81 (DES modes of operation), ECB example: key 0123456789ABCDEF, "Now is t";
  //  - J. Orlin Grabbe, "The DES Algorithm Illustrated": key 133457799BBCDFF1;
  //  - NIST SP 800-17, table 1 (variable plaintext, key 0101010101010101: parity bits only) and
  //    table 3 (variable key, plaintext zero).
  const vectors: [string, string, string][] = [
    ['0123456789ABCDEF', '4E6F772069732074', '3FA40E8A984D4815'],
    ['133457799BBCDFF1', '0123456789ABCDEF', '85E813540F0AB405'],
    ['0101010101010101', '8000000000000000', '95F8A5E5DD31D900'],
    ['0101010101010101', '4000000000000000', 'DD7F121CA5015619'],
    ['0101010101010101', '2000000000000000', '2E8653104F3834EA'],
    ['0101010101010101', '0000000000000001', '166B40B44ABA4BD6'],
    ['8001010101010101', '0000000000000000', '95A8D72813DAA94D'],
  ];
  for (const [key, plain, cipher] of vectors) {
    it(`key ${key}: ${plain} ⇄ ${cipher}`, () => {
      assert.equal(desEncrypt(key, plain), cipher);
      assert.equal(desDecrypt(key, cipher), plain);
    });
  }

  it('ignores the parity bits of the key', () => {
    assert.equal(desEncrypt('0000000000000000', '8000000000000000'), '95F8A5E5DD31D900');
  });

  it('agrees with node:crypto (single DES as EDE with K‖K, and 3-key EDE) over 500 random keys and blocks', () => {
    for (let i = 0; i < 500; i++) {
      const key = randomBytes(24);
      const block = randomBytes(8);
      const k1 = desSchedule(key, 0);
      const k2 = desSchedule(key, 8);
      const k3 = desSchedule(key, 16);
      const single = createCipheriv(
        'des-ede-ecb',
        Buffer.concat([key.subarray(0, 8), key.subarray(0, 8)]),
        null,
      );
      const triple = createCipheriv('des-ede3-ecb', key, null);
      const out = Buffer.alloc(8);
      desCryptBlock([k1.enc], block, 0, out, 0);
      assert.equal(toHex(out), toHex(single.update(block)));
      desCryptBlock([k1.enc, k2.dec, k3.enc], block, 0, out, 0);
      assert.equal(toHex(out), toHex(triple.update(block)));
      desCryptBlock([k3.dec, k2.enc, k1.dec], out, 0, out, 0);
      assert.equal(toHex(out), toHex(block), 'decryption in place gives the block back');
    }
  });

  it('reads and writes at offsets, leaving the bytes around alone', () => {
    const k = desSchedule(fromHex('0123456789ABCDEF'));
    const buf = Buffer.concat([Buffer.from('abc'), fromHex('4E6F772069732074'), Buffer.from('xyz')]);
    desCryptBlock([k.enc], buf, 3, buf, 3);
    assert.equal(
      toHex(buf),
      toHex(Buffer.concat([Buffer.from('abc'), fromHex('3FA40E8A984D4815'), Buffer.from('xyz')])),
    );
  });
});
