import { strict as assert } from 'node:assert';
import { fromHex, kcv, toHex } from '../crypto/index.js';
import { loadDialect } from '../iso8583/index.js';
import { applyMac, buildTransaction, macVerifies, readWorkingKeys } from './terminal-messages.js';
import { buildKeyField, newSession } from './terminal-registry.js';

const TMK = fromHex('0123456789ABCDEFFEDCBA9876543210');

describe('host/terminal-messages and key download', () => {
  it('check values are the first 4 bytes of E(key, 0000000000000000) (DOMAIN.md vector: 08D7B4FB…)', () => {
    // Vector from the payment domain brief: 3DES key 0123456789ABCDEFFEDCBA9876543210 → KCV 08D7B4FB629D0885.
    assert.equal(toHex(kcv(TMK, 4)), '08D7B4FB');
  });
  for (const scheme of ['001', '003', '004'] as const) {
    it(`field 62 (${scheme}) round-trips: the terminal recovers the host's clear keys`, () => {
      const s = newSession(scheme);
      const f62 = buildKeyField(TMK, s);
      assert.equal(f62.length, { '001': 24, '003': 40, '004': 60 }[scheme]);
      const keys = readWorkingKeys(TMK, toHex(f62), scheme);
      assert.ok(keys.pik.equals(s.pik) && keys.mak.equals(s.mak));
      assert.equal(keys.tdk?.toString('hex'), s.tdk?.toString('hex'));
      if (scheme !== '001') assert.equal(toHex(f62.subarray(28, 36)), '0000000000000000');
    });
  }
  it('a wrong check value is refused', () => {
    const f62 = buildKeyField(TMK, newSession('004'));
    f62[16] = (f62[16] as number) ^ 0xff;
    assert.throws(() => readWorkingKeys(TMK, toHex(f62), '004'), { code: 'E_HOST_BAD_KCV' });
  });
  it('builds a MACed purchase whose MAC breaks when any covered field changes', () => {
    const d = loadDialect('cup');
    const mak = fromHex('1111111111111111');
    const pik = fromHex('22222222222222223333333333333333');
    const msg = buildTransaction(
      { terminalId: '12345678', merchantId: '123456789012345' },
      'purchase',
      {
        stan: '000001',
        batch: '000001',
        card: { pan: '6222021000000000017', track2: '6222021000000000017=3012' },
        amount: 100,
        pin: '1234',
      },
      { pik, mak },
    );
    assert.deepEqual(
      [msg.mti, msg.fields[3], msg.fields[22], msg.fields[4]],
      ['0200', '000000', '021', '000000000100'],
    );
    assert.match(msg.fields[52] ?? '', /^[0-9A-F]{16}$/);
    applyMac(d, msg, mak);
    assert.equal(macVerifies(d, msg, mak), true);
    msg.fields[4] = '000000000101';
    assert.equal(macVerifies(d, msg, mak), false);
  });
});
