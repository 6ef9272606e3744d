import assert from 'node:assert/strict';
import { PayhilError } from '../common/payhil-error.js';
import { cryptogramKeyFor, cryptogramPadding, type CryptogramVersion } from './cryptogram.js';
import { BitFieldLengthError, CryptogramVersionError } from './errors.js';
import { TVR } from './tvr.js';

describe('emv/errors: every refusal is a typed PayhilError with a stable code', () => {
  it('a cryptogram version other than 10 or 18: E_EMV_CVN, usage', () => {
    const cvn = 17 as CryptogramVersion;
    for (const f of [() => cryptogramPadding(cvn), () => cryptogramKeyFor(Buffer.alloc(16, 1), cvn)])
      assert.throws(
        f,
        (e: unknown) =>
          e instanceof CryptogramVersionError &&
          e instanceof PayhilError &&
          e.code === 'E_EMV_CVN' &&
          e.verdict === 'usage' &&
          e.message === 'unsupported cryptogram version 17 (10 or 18)',
      );
  });

  it('setting a bit of a byte the value does not have: E_EMV_BIT_FIELD_LENGTH', () => {
    const short = Buffer.alloc(3);
    assert.throws(
      () => TVR.set(short, 'defaultTdolUsed'),
      (e: unknown) =>
        e instanceof BitFieldLengthError &&
        e.code === 'E_EMV_BIT_FIELD_LENGTH' &&
        e.byte === 5 &&
        e.length === 3,
    );
  });
});
