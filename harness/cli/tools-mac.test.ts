import { strict as assert } from 'node:assert';
import { memoryIo } from './command.js';
import { main } from './main.js';

async function mac(...argv: string[]) {
  const io = memoryIo();
  const code = await main(['tools', 'mac', ...argv], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}
const hexOf = (s: string) => Buffer.from(s, 'latin1').toString('hex').toUpperCase();

describe('payhil tools mac', () => {
  it('cup-ecb: published UnionPay example (solo123/pgate pos_mac_test.rb) → 8 characters', async () => {
    const r = await mac(
      '--alg',
      'cup-ecb',
      '--key',
      '2222222222222222',
      '--data',
      '1234567890ABCDEFABCDEF1234567890',
    );
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), { mac: 'E267B6E2' });
  });
  it('x9.9: FIPS 113 example → 16 hex digits', async () => {
    const r = await mac(
      '--alg',
      'x9.9',
      '--key',
      '0123456789ABCDEF',
      '--data',
      hexOf('7654321 Now is the time for '),
    );
    assert.deepEqual(JSON.parse(r.out), { mac: 'F1D30F6849312CA4' });
  });
  it('x9.19: ISO 9797-1 Annex B algorithm 3, padding 1 and 2', async () => {
    const args = [
      '--alg',
      'x9.19',
      '--key',
      '0123456789ABCDEFFEDCBA9876543210',
      '--data',
      hexOf('Now is the time for all '),
    ];
    assert.deepEqual(JSON.parse((await mac(...args)).out), { mac: 'A1C72E74EA3FA9B6' });
    assert.deepEqual(JSON.parse((await mac(...args, '--padding', '2')).out), { mac: 'E9086230CA3BE796' });
  });
  it('iso9797-1-m1: TDES CBC-MAC (psec generate_cbc_mac "hello world")', async () => {
    const args = [
      '--alg',
      'iso9797-1-m1',
      '--key',
      'AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB',
      '--data',
      hexOf('hello world'),
    ];
    assert.deepEqual(JSON.parse((await mac(...args)).out), { mac: '68D9038F23360DF3' });
    assert.deepEqual(JSON.parse((await mac(...args, '--padding', '2')).out), { mac: '32DC341271ACCD00' });
  });
  it('bad arguments name the argument and exit 2', async () => {
    for (const [argv, re] of [
      [
        ['--alg', 'md5', '--key', '0123456789ABCDEF', '--data', '00'],
        /--alg: must be cup-ecb, x9.9, x9.19 or iso9797-1-m1/,
      ],
      [
        ['--alg', 'x9.9', '--key', '0123456789ABCDEFFEDCBA9876543210', '--data', '00'],
        /--key: must be 16 hex digits/,
      ],
      [['--alg', 'x9.19', '--key', '0123456789ABCDEF', '--data', '00'], /--key: must be 32 hex digits/],
      [
        ['--alg', 'cup-ecb', '--key', '0123456789ABCDEF', '--data', '0G'],
        /--data: must be an even number of hex digits/,
      ],
      [
        ['--alg', 'cup-ecb', '--key', '0123456789ABCDEF', '--data', '00', '--padding', '2'],
        /--padding: not used by cup-ecb/,
      ],
      [
        ['--alg', 'x9.19', '--key', '0123456789ABCDEFFEDCBA9876543210', '--data', '00', '--padding', '3'],
        /--padding: must be 1 or 2/,
      ],
      [['--alg', 'x9.9', '--key', '0123456789ABCDEF'], /--data: required/],
    ] as [string[], RegExp][]) {
      const r = await mac(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, re);
    }
  });
});
