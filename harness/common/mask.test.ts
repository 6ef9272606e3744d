import { strict as assert } from 'node:assert';
import { isRedacted, maskPan, maskPanWith, maskPansInText, maskPansInTextWith, redact } from './mask.js';

describe('common/mask', () => {
  it('keeps the first 6 and last 4 digits of a PAN', () => {
    assert.equal(maskPan('6222021234567890123'), '622202*********0123');
    assert.equal(maskPan('4321987654321098'), '432198******1098');
  });
  it('hides short numbers entirely', () => {
    assert.equal(maskPan('1234567890'), '**********');
  });
  it('masks PANs inside text and leaves shorter numbers alone', () => {
    assert.equal(
      maskPansInText('card 6222021234567890123 amt 000000001000'),
      'card 622202*********0123 amt 000000001000',
    );
  });
  it('redacts secrets to their size, and knows its own redactions', () => {
    assert.equal(redact('PIN block', '0412AC89ABCDEF67'), '<PIN block redacted, 16 hex>');
    assert.equal(isRedacted('<PIN block redacted, 16 hex>'), true);
    assert.equal(isRedacted('0412AC89ABCDEF67'), false);
  });
  it('masks with a filler digit where the encoding holds only digits (BCD)', () => {
    assert.equal(maskPanWith('6222021000000000017', '0'), '6222020000000000017');
    assert.equal(maskPanWith('1234567890', '0'), '0000000000');
    assert.equal(maskPansInTextWith('x6224242900000113y', '0'), 'x6224240000000113y');
  });
});
