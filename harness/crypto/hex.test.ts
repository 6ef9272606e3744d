import { strict as assert } from 'node:assert';
import { DataLengthError, HexError } from './errors.js';
import { fromHex, isHex, toHex, xor } from './hex.js';

describe('crypto/hex', () => {
  it('round-trips and writes upper case', () => {
    assert.equal(toHex(fromHex('0a1bFf')), '0A1BFF');
    assert.deepEqual([...fromHex('00ff10')], [0x00, 0xff, 0x10]);
    assert.equal(toHex(fromHex('')), '');
  });
  it('refuses odd lengths and non-hex characters with the offset', () => {
    assert.throws(
      () => fromHex('ABC'),
      (e: unknown) => e instanceof HexError && e.offset === 3,
    );
    // Buffer.from('12G4', 'hex') would silently give one byte; fromHex must refuse it.
    assert.throws(
      () => fromHex('12G4'),
      (e: unknown) => e instanceof HexError && e.offset === 2,
    );
    assert.equal(isHex('12G4'), false);
    assert.equal(isHex('0A'), true);
  });
  it('xors equal-length buffers and refuses different lengths', () => {
    assert.equal(toHex(xor(fromHex('F0F0'), fromHex('0FF0'))), 'FF00');
    assert.throws(() => xor(fromHex('00'), fromHex('0000')), DataLengthError);
  });
  it('converts a subarray view without its neighbours', () => {
    const b = fromHex('00112233');
    assert.equal(toHex(b.subarray(1, 3)), '1122');
  });
});
