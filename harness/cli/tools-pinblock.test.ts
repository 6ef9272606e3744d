import { strict as assert } from 'node:assert';
import { memoryIo } from './command.js';
import { main } from './main.js';

async function tool(...argv: string[]) {
  const io = memoryIo();
  const code = await main(['tools', 'pinblock', ...argv], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('payhil tools pinblock', () => {
  it('format 0 with a key: the DOMAIN.md clear block and its TDES-ECB encryption', async () => {
    const r = await tool(
      '--format',
      '0',
      '--pin',
      '1234',
      '--pan',
      '43219876543210987',
      '--key',
      '0123456789ABCDEFFEDCBA9876543210',
    );
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out) as { clear: string; encrypted: string };
    assert.equal(json.clear, '0412AC89ABCDEF67');
    assert.match(json.encrypted, /^[0-9A-F]{16}$/);
    assert.notEqual(json.encrypted, json.clear);
    // Decrypting with `tools key decrypt` (same TDES-ECB) under the same key gives the clear block back.
    const io = memoryIo();
    await main(
      ['tools', 'key', 'decrypt', '--kek', '0123456789ABCDEFFEDCBA9876543210', '--data', json.encrypted],
      io,
    );
    assert.equal((JSON.parse(io.stdout.join('')) as { key: string }).key, '0412AC89ABCDEF67');
  });
  it('without --key prints only the clear block; format 1 needs no PAN; format 3 fill is A–F', async () => {
    assert.deepEqual(
      JSON.parse((await tool('--format', '0', '--pin', '1234', '--pan', '43219876543210987')).out),
      {
        clear: '0412AC89ABCDEF67',
      },
    );
    const f1 = JSON.parse((await tool('--format', '1', '--pin', '1234')).out) as { clear: string };
    assert.match(f1.clear, /^141234[0-9A-F]{10}$/);
    const f3 = JSON.parse(
      (await tool('--format', '3', '--pin', '123456', '--pan', '43219876543210987')).out,
    ) as {
      clear: string;
    };
    assert.match(f3.clear, /^3612AC20[0-9A-F]{8}$/);
  });
  it('bad arguments name the argument and exit 2', async () => {
    for (const [argv, re] of [
      [['--format', '2', '--pin', '1234', '--pan', '43219876543210987'], /--format: must be 0, 1 or 3/],
      [['--format', '0', '--pin', '12a4', '--pan', '43219876543210987'], /--pin: must be 4 to 12 digits/],
      [['--format', '0', '--pin', '1234'], /--pan: required for format 0/],
      [['--format', '3', '--pin', '1234', '--pan', '4321-9876'], /--pan: must be 8 to 19 digits/],
      [['--format', '0', '--pin', '1234', '--pan', '43219876543210987', '--key', 'ABCD'], /--key: must be/],
    ] as [string[], RegExp][]) {
      const r = await tool(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, re);
      assert.doesNotMatch(r.err, /12a4/); // never echoes the PIN
    }
  });
});
