import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { TdesKey, buildPinBlock, extractPin } from '../crypto/index.js';
import { NO_PAN, pinBlockHolds, pinField, pinFieldHolds } from './field-52.js';

/** The reference: harness/crypto's extractPin, false where it throws. */
function reference(clear: Uint8Array, pan: string, pin: string): boolean {
  try {
    return extractPin(0, clear, pan) === pin;
  } catch {
    return false;
  }
}

describe('pos-protocol/field-52 (PIN block: format 0 under the PIK)', () => {
  it('accepts the block of the right PIN and PAN (ISO 9564 format 0 example: PIN 1234, PAN 43219876543210987)', () => {
    // Worked example from ISO 9564-1 / ANSI X9.8 descriptions: PIN field 041234FFFFFFFFFF XOR account
    // field 0000987654321098 gives 0412AC89ABCDEF67.
    const clear = Buffer.from('0412AC89ABCDEF67', 'hex');
    assert.equal(pinBlockHolds(clear, '43219876543210987', '1234'), true);
    assert.equal(pinBlockHolds(clear, '43219876543210987', '1235'), false);
    assert.equal(pinBlockHolds(clear, '43219876543210988', '1234'), true); // check digit is not covered
    assert.equal(pinBlockHolds(clear, '53219876543210987', '1234'), true); // nor digits before the 12
    assert.equal(pinBlockHolds(clear, '43219876543211987', '1234'), false);
  });

  it('agrees with extractPin for real blocks, wrong PINs, other PANs and random blocks', () => {
    const digits = (min: number, max: number) =>
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        digits(4, 12),
        digits(4, 12),
        digits(8, 19),
        digits(8, 19),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 15 }),
        (pin, otherPin, pan, otherPan, random, flip) => {
          const block = buildPinBlock(0, pin, pan);
          const flipped = Buffer.from(block);
          flipped[flip >> 1] = flipped[flip >> 1]! ^ (flip & 1 ? 0x01 : 0x10);
          for (const [b, p, n] of [
            [block, pan, pin],
            [block, pan, otherPin],
            [block, otherPan, pin],
            [flipped, pan, pin],
            [random, pan, pin],
          ] as const)
            assert.equal(
              pinBlockHolds(b, p, n),
              reference(b, p, n),
              `${Buffer.from(b).toString('hex')} ${p} ${n}`,
            );
          assert.equal(pinBlockHolds(block, pan, pin), true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses malformed inputs as extractPin does', () => {
    const block = buildPinBlock(0, '1234', '6222021000000000017');
    assert.equal(pinBlockHolds(block.subarray(0, 7), '6222021000000000017', '1234'), false);
    assert.equal(pinBlockHolds(block, '1234567', '1234'), false); // PAN too short
    assert.equal(pinBlockHolds(block, '6222021000000000017', '12a4'), false);
    assert.equal(pinBlockHolds(block, '6222021000000000017', '123'), false);
  });
});

describe('pos-protocol/field-52 (the field: write under the PIK, check on the issuer side)', () => {
  const pik = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
  it('pinField → pinFieldHolds round trip; a wrong PIN, PAN or key does not hold; malformed fields are refused', () => {
    const pan = '6222021000000000017';
    const f52 = pinField(pik, '1234', pan);
    assert.match(f52, /^[0-9A-F]{16}$/);
    const held = new TdesKey(pik);
    assert.equal(pinFieldHolds(held, f52, pan, '1234'), true);
    assert.equal(pinFieldHolds(held, f52.toLowerCase(), pan, '1234', Buffer.alloc(8)), true);
    assert.equal(pinFieldHolds(held, f52, pan, '1235'), false);
    assert.equal(pinFieldHolds(held, f52, '6222021000000001017', '1234'), false);
    assert.equal(pinFieldHolds(new TdesKey(Buffer.alloc(16, 1)), f52, pan, '1234'), false);
    assert.equal(pinFieldHolds(held, f52.slice(1), pan, '1234'), false);
    assert.equal(pinFieldHolds(held, 'G' + f52.slice(1), pan, '1234'), false);
    // A block built without the PAN (field 53.1 = 2) is checked against NO_PAN.
    const noPan = pinField(pik, '1234', NO_PAN);
    assert.equal(pinFieldHolds(held, noPan, NO_PAN, '1234'), true);
  });
});
