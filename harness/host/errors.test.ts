import { strict as assert } from 'node:assert';
import { AccountStore, type AccountSpec } from './account-store.js';
import { arqcInput } from './arqc-input.js';
import { AccountError, ArqcInputError } from './errors.js';
import { verifyArqc } from './issuer-crypto.js';

const PAN = '6222021000000000017';
const spec: AccountSpec = {
  pan: PAN,
  pinTryLimit: 3,
  pinTriesLeft: 3,
  balance: 10000,
  currency: '156',
  status: 'active',
  limits: {},
  risk: [],
};

describe('host/errors: typed errors of the account store and the ARQC input', () => {
  it('an unknown PAN is an AccountError E_HOST_NO_ACCOUNT that keeps only the last 4 digits', () => {
    const s = new AccountStore([spec]);
    assert.throws(
      () => s.setStatus('6222020000000009999', 'frozen'),
      (e: unknown) =>
        e instanceof AccountError &&
        e.code === 'E_HOST_NO_ACCOUNT' &&
        e.verdict === 'usage' &&
        e.panLast4 === '9999' &&
        e.message === 'no account for PAN ending 9999' &&
        !JSON.stringify({ ...e, message: e.message }).includes('6222020000000009999'),
    );
  });

  it('a balance that is not a whole amount >= 0 is an AccountError E_HOST_BAD_BALANCE', () => {
    const s = new AccountStore([spec]);
    for (const bad of [-1, 1.5, Number.NaN]) {
      assert.throws(
        () => s.setBalance(PAN, bad),
        (e: unknown) =>
          e instanceof AccountError &&
          e.code === 'E_HOST_BAD_BALANCE' &&
          e.message === 'balance must be a whole amount >= 0',
      );
    }
    assert.equal(s.get(PAN)?.balance, 10000);
  });

  it('a missing or short IAD is an ArqcInputError E_HOST_ARQC_INPUT (failed) with the CVN', () => {
    assert.throws(
      () => arqcInput(() => undefined, 18),
      (e: unknown) =>
        e instanceof ArqcInputError &&
        e.code === 'E_HOST_ARQC_INPUT' &&
        e.verdict === 'failed' &&
        e.cvn === 18 &&
        e.iadLength === undefined &&
        e.message === 'IAD (9F10) missing',
    );
    const shortIad = (t: string) => (t === '9F10' ? Buffer.from('0601', 'hex') : undefined);
    assert.throws(
      () => arqcInput(shortIad, 10),
      (e: unknown) =>
        e instanceof ArqcInputError &&
        e.cvn === 10 &&
        e.iadLength === 2 &&
        e.message === 'IAD too short for CVN 10',
    );
  });

  it('verifyArqc still reports the IAD problem as its reason', () => {
    const tags = new Map<string, Buffer>([
      ['9F26', Buffer.alloc(8, 1)],
      ['9F36', Buffer.from('0001', 'hex')],
    ]);
    const check = verifyArqc(tags, { imkAc: Buffer.alloc(16, 0x11), pan: PAN, psn: '00', cvn: 18 });
    assert.equal(check.ok, false);
    assert.equal(check.reason, 'IAD (9F10) missing');
  });
});
