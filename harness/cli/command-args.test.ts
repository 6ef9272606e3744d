import { strict as assert } from 'node:assert';
import { parseCommandArgs } from './command-args.js';
import { UsageError } from './usage-error.js';

describe('cli/command-args', () => {
  const config = (args: string[]) =>
    ({ args, strict: true, allowPositionals: false, options: { root: { type: 'string' } } }) as const;

  it('parses as node:util parseArgs does', () => {
    assert.equal(parseCommandArgs('run', config(['--root', 'x'])).values.root, 'x');
  });

  it('turns what parseArgs refuses into a usage error prefixed with the command', () => {
    for (const argv of [['--rot', 'x'], ['--root'], ['stray']]) {
      assert.throws(
        () => parseCommandArgs('run', config(argv)),
        (e: unknown) => e instanceof UsageError && e.verdict === 'usage' && /^run: \S/.test(e.message),
      );
    }
  });
});
