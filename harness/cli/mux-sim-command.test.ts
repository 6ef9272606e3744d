import { strict as assert } from 'node:assert';
import { describe, it } from 'mocha';
import { memoryIo } from './command.js';
import { muxSimCommand } from './mux-sim-command.js';
import { UsageError } from './usage-error.js';

describe('cli/mux-sim-command', () => {
  it('prints its usage with the fault switches', async () => {
    const io = memoryIo();
    assert.equal(await muxSimCommand.run(['--help'], io), 0);
    const text = io.stdout.join('\n');
    for (const w of [
      '--slots',
      '--serial',
      '--listen',
      '--robot',
      '--keys-to',
      '--silent',
      '--wrong-card',
      '--jam',
    ])
      assert.ok(text.includes(w), w);
  });

  it('refuses bad arguments with a located usage error before touching vpcd', async () => {
    const cases: [string[], RegExp][] = [
      [['--listen', '127.0.0.1:0'], /--slots is required/],
      [['--slots', '1=cup-debit'], /give --serial PATH or --listen HOST:PORT/],
      [
        ['--slots', '0=cup-debit', '--listen', '127.0.0.1:0'],
        /--slots wants N=CARD with N in 1-16, got '0=cup-debit'/,
      ],
      [['--slots', '1=no-such-card', '--listen', '127.0.0.1:0'], /--slots slot 1: /],
      [['--slots', '1=cup-debit', '--listen', 'nowhere'], /--listen must be HOST:PORT, got 'nowhere'/],
      [
        ['--slots', '1=cup-debit', '--listen', '127.0.0.1:0', '--wrong-card', '2'],
        /--wrong-card wants N=CARD/,
      ],
      [
        ['--slots', '1=cup-debit', '--listen', '127.0.0.1:0', '--vpcd-port', 'x'],
        /--vpcd-port must be a port number/,
      ],
      [['--slots', '1=cup-debit', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, why] of cases)
      await assert.rejects(
        muxSimCommand.run(argv, memoryIo()),
        (e: unknown) => e instanceof UsageError && why.test(e.message),
        argv.join(' '),
      );
  });
});
