import { strict as assert } from 'node:assert';
import { PayhilError } from '../common/payhil-error.js';
import { CryptoParameterError, DataLengthError } from './errors.js';
import { xor } from './hex.js';
import { padIso9797, type MacPadding } from './iso9797-mac.js';

describe('crypto/errors: every refusal is a typed PayhilError with a stable code', () => {
  it('xor of operands of different lengths: E_DATA_LENGTH, usage', () => {
    assert.throws(
      () => xor(Buffer.alloc(8), Buffer.alloc(7)),
      (e: unknown) =>
        e instanceof DataLengthError &&
        e instanceof PayhilError &&
        e.code === 'E_DATA_LENGTH' &&
        e.verdict === 'usage' &&
        /xor: needs 8 bytes as the first operand, got 7 bytes/.test(e.message),
    );
  });

  it('an ISO 9797-1 padding method other than 1 or 2: E_CRYPTO_PARAMETER, usage', () => {
    assert.throws(
      () => padIso9797(Buffer.alloc(3), 3 as MacPadding),
      (e: unknown) =>
        e instanceof CryptoParameterError &&
        e.code === 'E_CRYPTO_PARAMETER' &&
        e.verdict === 'usage' &&
        e.message === 'ISO 9797-1 padding method: must be 1 or 2, got 3',
    );
  });
});
