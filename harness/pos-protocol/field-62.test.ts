import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { adjustOddParity, fromHex, kcv, tdesEcbEncrypt, toHex } from '../crypto/index.js';
import { loadDialect } from '../iso8583/index.js';
import { WorkingKeyError } from './errors.js';
import {
  decodeWorkingKeys,
  encodeWorkingKeys,
  parseWorkingKeys,
  workingKeyFieldBytes,
  workingKeyFieldValue,
  workingKeyLengths,
  WORKING_KEY_FIELD_BYTES,
  type KeyScheme,
  type SessionKeys,
} from './field-62.js';

const TMK = fromHex('0123456789ABCDEFFEDCBA9876543210');

function freshKeys(scheme: KeyScheme): SessionKeys {
  const l = workingKeyLengths(scheme);
  const keys: SessionKeys = {
    pik: adjustOddParity(randomBytes(l.pik)),
    mak: adjustOddParity(randomBytes(l.mak)),
  };
  if (l.tdk !== undefined) keys.tdk = adjustOddParity(randomBytes(l.tdk));
  return keys;
}

describe('pos-protocol/field-62 (working keys of the sign-in answer)', () => {
  it('check values are the first 4 bytes of E(key, 0000000000000000) (DOMAIN.md vector: 08D7B4FB…)', () => {
    // Vector from the payment domain brief: 3DES key 0123456789ABCDEFFEDCBA9876543210 → KCV 08D7B4FB629D0885.
    assert.equal(toHex(kcv(TMK, 8)), '08D7B4FB629D0885');
    assert.equal(toHex(kcv(TMK, 4)), '08D7B4FB');
  });

  for (const scheme of ['001', '003', '004'] as const) {
    it(`writer → parser round trip (${scheme}): the terminal recovers the host's clear keys and check values`, () => {
      const keys = freshKeys(scheme);
      const f62 = encodeWorkingKeys(TMK, keys, scheme);
      assert.equal(f62.length, WORKING_KEY_FIELD_BYTES[scheme]);
      const back = decodeWorkingKeys(TMK, f62, scheme);
      assert.ok(back.pik.equals(keys.pik) && back.mak.equals(keys.mak));
      assert.equal(back.tdk?.toString('hex'), keys.tdk?.toString('hex'));
      // The layout, spelt out: each key under the TMK, each check value of the clear key.
      const pikLen = scheme === '001' ? 8 : 16;
      assert.equal(toHex(f62.subarray(0, pikLen)), toHex(tdesEcbEncrypt(TMK, keys.pik)));
      assert.equal(toHex(f62.subarray(pikLen, pikLen + 4)), toHex(kcv(keys.pik, 4)));
      const makAt = pikLen + 4;
      assert.equal(toHex(f62.subarray(makAt, makAt + 8)), toHex(tdesEcbEncrypt(TMK, keys.mak)));
      const makCv = scheme === '001' ? 20 : 36;
      assert.equal(toHex(f62.subarray(makCv, makCv + 4)), toHex(kcv(keys.mak, 4)));
      if (scheme !== '001') assert.equal(toHex(f62.subarray(28, 36)), '0000000000000000');
      if (scheme === '004') {
        assert.equal(toHex(f62.subarray(40, 56)), toHex(tdesEcbEncrypt(TMK, keys.tdk as Buffer)));
        assert.equal(toHex(f62.subarray(56, 60)), toHex(kcv(keys.tdk as Buffer, 4)));
      }
    });
  }

  for (const [key, at] of [
    ['PIK', 16],
    ['MAK', 36],
    ['TDK', 56],
  ] as const) {
    it(`refuses a wrong ${key} check value with a typed error naming the key, not its value`, () => {
      const f62 = encodeWorkingKeys(TMK, freshKeys('004'), '004');
      f62[at] = f62[at]! ^ 0xff;
      assert.throws(
        () => decodeWorkingKeys(TMK, f62, '004'),
        (e: unknown) =>
          e instanceof WorkingKeyError &&
          e.code === 'E_POS_WORKING_KEYS' &&
          e.verdict === 'failed' &&
          e.reason === 'check-value' &&
          e.key === key &&
          !e.message.includes(toHex(f62.subarray(at, at + 4))),
      );
      // A terminal that skips the check (a defect to emulate) takes the keys anyway.
      assert.doesNotThrow(() => decodeWorkingKeys(TMK, f62, '004', { verifyCheckValues: false }));
    });
  }

  it('refuses keys sent under another TMK (every check value fails)', () => {
    const f62 = encodeWorkingKeys(fromHex('1111111111111111FEDCBA9876543210'), freshKeys('003'), '003');
    assert.throws(() => decodeWorkingKeys(TMK, f62, '003'), { code: 'E_POS_WORKING_KEYS', key: 'PIK' });
  });

  it('refuses a field of the wrong size for the scheme', () => {
    const f62 = encodeWorkingKeys(TMK, freshKeys('004'), '004');
    assert.throws(() => decodeWorkingKeys(TMK, f62, '003'), { reason: 'length', scheme: '003' });
    assert.throws(() => decodeWorkingKeys(TMK, f62.subarray(0, 59), '004'), { reason: 'length' });
  });

  it('the writer refuses keys the scheme does not carry (a missing TDK, a double-length MAK)', () => {
    const keys = freshKeys('003');
    assert.throws(() => encodeWorkingKeys(TMK, keys, '004'), { code: 'E_POS_REQUEST', field: 62 });
    assert.throws(() => encodeWorkingKeys(TMK, { ...keys, mak: randomBytes(16) }, '003'), { field: 62 });
  });

  it('reads the field as each dialect decodes it: hex for a binary field, hex text or raw bytes otherwise', () => {
    const keys = freshKeys('004');
    const value = workingKeyFieldValue(TMK, keys, '004');
    const cup = loadDialect('cup');
    const ascii = loadDialect('iso87-ascii');
    assert.ok(parseWorkingKeys(cup, value, TMK, '004').mak.equals(keys.mak));
    assert.ok(parseWorkingKeys(ascii, value, TMK, '004').mak.equals(keys.mak));
    const raw = Buffer.from(value, 'hex').toString('latin1');
    assert.ok(workingKeyFieldBytes(ascii, raw).equals(Buffer.from(value, 'hex')));
    assert.throws(() => parseWorkingKeys(cup, undefined, TMK, '004'), { reason: 'length' });
    assert.throws(() => parseWorkingKeys(cup, value.slice(1), TMK, '004'), { reason: 'encoding' });
  });
});
