import { strict as assert } from 'node:assert';
import { memoryIo } from './command.js';
import { main } from './main.js';

async function key(...argv: string[]) {
  const io = memoryIo();
  const code = await main(['tools', 'key', ...argv], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

// Published sign-in example (blog.csdn.net/zhu244912654/article/details/80005341):
// TMK 70F2A84CCBC2AE8625CBB0F2C22AB923, TAK encrypted 96D605EA176B7E9E, clear C24A8FB57AA20123.
const TMK = '70F2A84CCBC2AE8625CBB0F2C22AB923';

describe('payhil tools key', () => {
  it('decrypt: clear key and its 4-byte check value', async () => {
    const r = await key('decrypt', '--kek', TMK, '--data', '96D605EA176B7E9E');
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out) as { key: string; kcv: string };
    assert.equal(json.key, 'C24A8FB57AA20123');
    const io = memoryIo();
    assert.equal(await main(['tools', 'kcv', '--key', 'C24A8FB57AA20123', '--length', '4'], io), 0);
    assert.equal(json.kcv, (JSON.parse(io.stdout.join('')) as { kcv: string }).kcv);
    assert.match(json.kcv, /^[0-9A-F]{8}$/);
  });
  it('encrypt: the inverse, with the clear key check value (DOMAIN.md key → 08D7B4FB)', async () => {
    const r = await key('encrypt', '--kek', TMK, '--data', 'C24A8FB57AA20123');
    assert.equal((JSON.parse(r.out) as { key: string }).key, '96D605EA176B7E9E');
    const d = await key(
      'encrypt',
      '--kek',
      TMK,
      '--data',
      '0123456789ABCDEFFEDCBA9876543210',
      '--length',
      '3',
    );
    assert.equal((JSON.parse(d.out) as { kcv: string }).kcv, '08D7B4');
  });
  it('decrypt --kcv: a matching check value passes, a wrong one exits 1 (product fault)', async () => {
    const enc = JSON.parse(
      (await key('encrypt', '--kek', TMK, '--data', '0123456789ABCDEFFEDCBA9876543210')).out,
    ) as {
      key: string;
    };
    const ok = await key('decrypt', '--kek', TMK, '--data', enc.key, '--kcv', '08D7B4FB');
    assert.equal(ok.code, 0);
    assert.deepEqual(JSON.parse(ok.out), { key: '0123456789ABCDEFFEDCBA9876543210', kcv: '08D7B4FB' });
    const bad = await key('decrypt', '--kek', TMK, '--data', enc.key, '--kcv', '08D7B4FC');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /key check value mismatch: expected 08D7B4FC/);
  });
  it('bad arguments name the argument and exit 2', async () => {
    for (const [argv, re] of [
      [['--kek', TMK, '--data', '00'], /decrypt\|encrypt: required/],
      [['wrap', '--kek', TMK, '--data', '00'], /'wrap': must be decrypt or encrypt/],
      [['decrypt', '--kek', '00', '--data', '96D605EA176B7E9E'], /--kek: must be 16, 32 or 48 hex digits/],
      [['decrypt', '--kek', TMK, '--data', '96D605EA'], /--data: must be 16, 32 or 48 hex digits/],
      [
        ['encrypt', '--kek', TMK, '--data', '96D605EA176B7E9E', '--kcv', '00'],
        /--kcv: only used with decrypt/,
      ],
      [['decrypt', 'extra', '--kek', TMK, '--data', '96D605EA176B7E9E'], /'extra': unexpected argument/],
    ] as [string[], RegExp][]) {
      const r = await key(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, re);
    }
  });
});
