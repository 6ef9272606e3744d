import assert from 'node:assert/strict';
import { decodeCid, encodeCid } from './cid.js';

describe('emv/cid', () => {
  it('decodes the cryptogram type (EMV Book 3 Table 14)', () => {
    // 9F27 = 80 in the Barclays GENERATE AC response (python-emv test_structures.py): ARQC
    assert.equal(decodeCid(0x80).type, 'ARQC');
    assert.equal(decodeCid(Buffer.from([0x40])).type, 'TC');
    assert.equal(decodeCid(0x00).type, 'AAC');
    assert.equal(decodeCid(0xc0).type, 'RFU');
  });

  it('decodes advice and reason codes', () => {
    assert.deepEqual(decodeCid(0x0a), {
      type: 'AAC',
      adviceRequired: true,
      reason: 'pinTryLimitExceeded',
      paymentSystemBits: 0,
    });
    assert.equal(decodeCid(0x01).reason, 'serviceNotAllowed');
    assert.equal(decodeCid(0x03).reason, 'issuerAuthenticationFailed');
    assert.equal(decodeCid(0x05).reason, 'rfu');
    assert.equal(decodeCid(0x30).paymentSystemBits, 3);
  });

  it('encodes', () => {
    assert.equal(encodeCid('ARQC'), 0x80);
    assert.equal(encodeCid('TC'), 0x40);
    assert.equal(encodeCid('AAC', { adviceRequired: true, reason: 'pinTryLimitExceeded' }), 0x0a);
  });
});
