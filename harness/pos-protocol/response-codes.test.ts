import { strict as assert } from 'node:assert';
import { CARD_RETAIN_CODES, RC, REVERSAL_REASON } from './response-codes.js';

describe('pos-protocol/response-codes', () => {
  it('gives every name one distinct two-character code', () => {
    const codes = Object.values(RC);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of [...codes, ...Object.values(REVERSAL_REASON)]) assert.match(c, /^[0-9A-Z]{2}$/);
  });
  it('keeps the codes of DOMAIN.md and of the CUP table', () => {
    assert.deepEqual(
      [
        RC.APPROVED,
        RC.INSUFFICIENT_FUNDS,
        RC.RESTRICTED,
        RC.DO_NOT_HONOUR,
        RC.AMOUNT_LIMIT,
        RC.FREQUENCY_LIMIT,
      ],
      ['00', '51', '62', '05', '61', '65'],
    );
    assert.deepEqual(
      [RC.WRONG_PIN, RC.PIN_TRIES_EXCEEDED, RC.RISK_DECLINE, RC.BAD_MAC],
      ['55', '75', '59', 'A0'],
    );
    assert.deepEqual([RC.ISSUER_UNAVAILABLE, RC.SYSTEM_ERROR], ['91', '96']);
    assert.deepEqual(Object.values(REVERSAL_REASON), ['98', 'A0', '06']);
    assert.deepEqual([...CARD_RETAIN_CODES].sort(), ['33', '34', '35', '36', '41', '43', '67', '75']);
  });
});
