import { strict as assert } from 'node:assert';
import { memoryIo } from './command.js';
import { main } from './main.js';

async function tool(...argv: string[]) {
  const io = memoryIo();
  const code = await main(['tools', 'kcv', ...argv], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('payhil tools kcv', () => {
  it('prints the DOMAIN.md check value, 3 bytes by default', async () => {
    const r = await tool('--key', '0123456789ABCDEFFEDCBA9876543210');
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), { kcv: '08D7B4' });
  });
  it('--length N gives N bytes, upper case even for lower-case input', async () => {
    const r = await tool('--key', '0123456789abcdeffedcba9876543210', '--length', '8');
    assert.deepEqual(JSON.parse(r.out), { kcv: '08D7B4FB629D0885' });
  });
  it('bad arguments: one line naming the argument, exit 2', async () => {
    for (const [argv, re] of [
      [['--key', '0123'], /--key: must be 16, 32 or 48 hex digits/],
      [['--key', 'XYZ0123456789ABC'], /--key: must be an even number of hex digits/],
      [[], /--key: required/],
      [['--key', '0123456789ABCDEF', '--length', '9'], /--length: must be from 1 to 8/],
      [['--key', '0123456789ABCDEF', '--frob'], /--frob: unknown option/],
    ] as [string[], RegExp][]) {
      const r = await tool(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, re);
      assert.equal(r.err.split('\n').length, 1);
    }
  });
});
