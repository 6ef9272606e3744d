import { strict as assert } from 'node:assert';
import { KeyLengthError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { macIso9797Alg1, macIso9797Alg3, macX919, macX99, padIso9797 } from './iso9797-mac.js';

const ascii = (s: string) => Buffer.from(s, 'latin1');
// ISO/IEC 9797-1:1999 Annex B data strings and keys K = 0123456789ABCDEF, K' = FEDCBA9876543210.
const STRING1 = ascii('Now is the time for all '); // 24 bytes
const STRING2 = ascii('Now is the time for it'); // 22 bytes
const K = fromHex('0123456789ABCDEF');
const K_KPRIME = fromHex('0123456789ABCDEFFEDCBA9876543210');

describe('crypto/iso9797-mac', () => {
  it('padding methods 1 and 2 (psec tests/test_mac.py pad_iso_1/pad_iso_2, pyemv test_mac.py)', () => {
    assert.equal(toHex(padIso9797(fromHex('1234'), 1)), '1234000000000000');
    assert.equal(toHex(padIso9797(fromHex('1234567890123456'), 1)), '1234567890123456');
    assert.equal(toHex(padIso9797(Buffer.alloc(0), 1)), '0000000000000000');
    assert.equal(toHex(padIso9797(fromHex('1234'), 2)), '1234800000000000');
    assert.equal(toHex(padIso9797(fromHex('12345678901234'), 2)), '1234567890123480');
    assert.equal(toHex(padIso9797(fromHex('1234567890123456'), 2)), '12345678901234568000000000000000');
    assert.equal(toHex(padIso9797(Buffer.alloc(0), 2)), '8000000000000000');
  });

  describe('algorithm 1 / ANSI X9.9 (single DES)', () => {
    it('FIPS 113 example: "7654321 Now is the time for " under 0123456789ABCDEF → F1D30F6849312CA4', () => {
      assert.equal(toHex(macX99(K, ascii('7654321 Now is the time for '))), 'F1D30F6849312CA4');
    });
    it('ISO 9797-1 Annex B, algorithm 1: string 1 → 70A30640CC76DD8B (padding 1), 10E1F0F1… (padding 2)', () => {
      assert.equal(toHex(macIso9797Alg1(K, STRING1, 1)), '70A30640CC76DD8B');
      assert.equal(toHex(macIso9797Alg1(K, STRING1, 2)).slice(0, 8), '10E1F0F1');
    });
    it('ISO 9797-1 Annex B, algorithm 1: string 2 → E45B3AD2… (padding 1), A924C721… (padding 2)', () => {
      // The annex prints 4-byte MACs for these cases.
      assert.equal(toHex(macIso9797Alg1(K, STRING2, 1)).slice(0, 8), 'E45B3AD2');
      assert.equal(toHex(macIso9797Alg1(K, STRING2, 2)).slice(0, 8), 'A924C721');
      assert.equal(toHex(macX99(K, STRING2)), toHex(macIso9797Alg1(K, STRING2, 1)));
    });
  });

  it('algorithm 1 with a TDES key (psec generate_cbc_mac, key AAAA…BBBB, "hello world")', () => {
    const key = fromHex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
    assert.equal(toHex(macIso9797Alg1(key, ascii('hello world'), 1)), '68D9038F23360DF3');
    assert.equal(toHex(macIso9797Alg1(key, ascii('hello world'), 2)), '32DC341271ACCD00');
  });

  describe('algorithm 3 / ANSI X9.19', () => {
    it('ISO 9797-1 Annex B, algorithm 3 (= X9.19 published example): string 1', () => {
      assert.equal(toHex(macX919(K_KPRIME, STRING1)), 'A1C72E74EA3FA9B6');
      assert.equal(toHex(macIso9797Alg3(K_KPRIME, STRING1, 2)), 'E9086230CA3BE796');
    });
    it('ISO 9797-1 Annex B, algorithm 3: string 2', () => {
      assert.equal(toHex(macIso9797Alg3(K_KPRIME, STRING2, 1)), '2E2B1428CC78254F');
      assert.equal(toHex(macX919(K_KPRIME, STRING2, 2)), '5A692CE64F404145');
    });
    it('pyemv tests/test_mac.py: keys AAAA…/BBBB…, "hello world"', () => {
      const key = fromHex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
      assert.equal(toHex(macIso9797Alg3(key, ascii('hello world'), 1)), '78DA3D3DEB48FD4D');
      assert.equal(toHex(macIso9797Alg3(key, ascii('hello world'), 2)), '2BC2D9EDE0CF31F6');
    });
    it('one block of data (no CBC chaining before the final TDES step)', () => {
      // With a single block, algorithm 3 is exactly one two-key TDES encryption of that block:
      // E_K(D_K'(E_K(x))) — the Botan TDES vector 0123456789ABCDE7 → 7F1D0A77826B8AFF.
      assert.equal(toHex(macX919(K_KPRIME, fromHex('0123456789ABCDE7'))), '7F1D0A77826B8AFF');
    });
  });

  it('refuses keys of the wrong length for each algorithm', () => {
    assert.throws(() => macX99(K_KPRIME, STRING1), KeyLengthError);
    assert.throws(() => macX919(K, STRING1), KeyLengthError);
    assert.throws(() => macIso9797Alg3(Buffer.alloc(24), STRING1), KeyLengthError);
    assert.throws(() => macIso9797Alg1(Buffer.alloc(12), STRING1), KeyLengthError);
  });
});
