import { strict as assert } from 'node:assert';
import { PinBlockError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { buildPinBlock, decryptPinBlock, encryptPinBlock, extractPin } from './pin-block.js';
import { tdesEcbEncrypt } from './tdes.js';

/** A random source that returns the given bytes, for deterministic fill. */
const fixed = (bytes: number[]) => (size: number) => Buffer.from(bytes.slice(0, size));

describe('crypto/pin-block', () => {
  describe('format 0', () => {
    it('DOMAIN.md / EFTlab example: PIN 1234, PAN 43219876543210987 → 0412AC89ABCDEF67', () => {
      assert.equal(toHex(buildPinBlock(0, '1234', '43219876543210987')), '0412AC89ABCDEF67');
      assert.equal(extractPin(0, fromHex('0412AC89ABCDEF67'), '43219876543210987'), '1234');
    });
    it('psec tests/test_pinblock.py vectors (PAN 5555555551234567)', () => {
      // github.com/knovichikhin/psec tests/test_pinblock.py
      const pan = '5555555551234567';
      assert.equal(toHex(buildPinBlock(0, '1234', pan)), '041261AAAAEDCBA9');
      assert.equal(toHex(buildPinBlock(0, '123456789012', pan)), '0C1261032D8226A9');
      assert.equal(extractPin(0, fromHex('091261032D8DCBA9'), pan), '123456789');
      assert.equal(extractPin(0, fromHex('0A1261032D82CBA9'), pan), '1234567890');
    });
    it('rejects blocks the terminal built wrong (psec decode error cases) as failed', () => {
      const pan = '5555555551234567';
      const failed = (reason: RegExp) => (e: unknown) =>
        e instanceof PinBlockError && e.verdict === 'failed' && reason.test(e.message);
      assert.throws(() => extractPin(0, fromHex('241261AAAAEDCBA9'), pan), failed(/control field is 2/));
      assert.throws(() => extractPin(0, fromHex('0F1261AAAAEDCBA9'), pan), failed(/length 15/));
      assert.throws(() => extractPin(0, fromHex('021261AAAAEDCBA9'), pan), failed(/length 2/));
      assert.throws(() => extractPin(0, fromHex('041261AAAAEDCBAA'), pan), failed(/fill is not F/));
      assert.throws(() => extractPin(0, fromHex('051261AAAAEDCBA9'), pan), failed(/digit/));
      // The right block checked against another PAN fails too: PAN binding.
      assert.throws(() => extractPin(0, fromHex('041261AAAAEDCBA9'), '5555555551234577'), PinBlockError);
    });
  });

  describe('format 1', () => {
    it('IBM CCA Basic Services 2.54, Appendix E example: PIN 123456, fill 6ABCFDE1 → 161234566ABCFDE1', () => {
      const clear = buildPinBlock(1, '123456', undefined, {
        random: fixed([0x06, 0x0a, 0x0b, 0x0c, 0x0f, 0x0d, 0x0e, 0x01]),
      });
      assert.equal(toHex(clear), '161234566ABCFDE1');
      assert.equal(extractPin(1, clear), '123456');
    });
    it('uses only the low nibble of each random byte and asks for 14 − L bytes', () => {
      const sizes: number[] = [];
      const clear = buildPinBlock(1, '1234', undefined, {
        random: (n) => {
          sizes.push(n);
          return Buffer.alloc(n, 0xf3);
        },
      });
      assert.deepEqual(sizes, [10]);
      assert.equal(toHex(clear), '1412343333333333');
    });
  });

  describe('format 3', () => {
    it('IBM Linux on Z CCA "ISO Format 3" example: IPB 36123456AFBECDDC xor PAN block → 361216759CFA8889', () => {
      // The page gives the PAN block 0000222333444555 directly; a PAN whose 12 digits before the check
      // digit are 222333444555 reproduces it. Fill A F B E C D D C = 0xA + [0,5,1,4,2,3,3,2] mod 6.
      const pan = '1112223334445556';
      const clear = buildPinBlock(3, '123456', pan, { random: fixed([0, 5, 1, 4, 2, 3, 3, 2]) });
      assert.equal(toHex(clear), '361216759CFA8889');
      assert.equal(extractPin(3, clear, pan), '123456');
    });
    it('published example prefix: PIN 123456, PAN 43219876543210987 → 3612AC20… whatever the fill', () => {
      // github.com/theminesec (softpos SDK example) PinBlockUtilUnitTest "test pin to pinblock iso3":
      // expected 3612ac20a322c346 with random fill, compared on its first 2 + PIN-length digits.
      for (let b = 0; b < 256; b += 5) {
        const clear = buildPinBlock(3, '123456', '43219876543210987', { random: (n) => Buffer.alloc(n, b) });
        assert.equal(toHex(clear).slice(0, 8), '3612AC20');
        // extractPin checks every fill nibble is A–F after removing the PAN.
        assert.equal(extractPin(3, clear, '43219876543210987'), '123456');
      }
    });
    it('rejects a fill digit below A', () => {
      const clear = buildPinBlock(0, '1234', '43219876543210987'); // fill F is fine for format 0 …
      clear[0] = 0x34; // … relabelled format 3 it still passes (F is in A–F);
      assert.equal(extractPin(3, clear, '43219876543210987'), '1234');
      clear[7] = (clear[7] as number) ^ 0x0f; // … but a fill nibble of 0 does not.
      assert.throws(() => extractPin(3, clear, '43219876543210987'), /fill is not A to F/);
    });
  });

  it('encrypts and decrypts under the PIK with TDES-ECB', () => {
    const pik = fromHex('0123456789ABCDEFFEDCBA9876543210');
    const clear = fromHex('0412AC89ABCDEF67');
    const enc = encryptPinBlock(pik, clear);
    assert.equal(toHex(enc), toHex(tdesEcbEncrypt(pik, clear)));
    assert.notEqual(toHex(enc), toHex(clear));
    assert.equal(toHex(decryptPinBlock(pik, enc)), '0412AC89ABCDEF67');
    assert.throws(() => encryptPinBlock(pik, Buffer.alloc(7)), /8 bytes/);
  });

  it('refuses PINs and PANs unfit for a block as usage errors, never echoing them', () => {
    const usage = (e: unknown) =>
      e instanceof PinBlockError && e.verdict === 'usage' && !e.message.includes('12a4');
    assert.throws(() => buildPinBlock(0, '123', '43219876543210987'), usage);
    assert.throws(() => buildPinBlock(0, '1234567890123', '43219876543210987'), usage);
    assert.throws(() => buildPinBlock(0, '12a4', '43219876543210987'), usage);
    assert.throws(() => buildPinBlock(0, '1234', '4321'), usage);
    assert.throws(() => buildPinBlock(3, '1234', undefined), usage);
    assert.throws(() => buildPinBlock(2 as 0, '1234', '43219876543210987'), usage);
  });
});
