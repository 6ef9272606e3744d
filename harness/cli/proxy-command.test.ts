import { strict as assert } from 'node:assert';
import { connectClient, startEchoServer, type TestServer } from '../net/test-kit.js';
import { memoryIo } from './command.js';
import { runProxy } from './proxy-command.js';

describe('cli/proxy: the raw journal', () => {
  let echo: TestServer;
  before(async () => {
    echo = await startEchoServer();
  });
  after(() => echo.close());

  /** Runs `payhil proxy ARGS --print`, sends `chunk` through it, stops it; returns what it printed. */
  const printed = async (args: string[], chunk: Buffer): Promise<{ out: string; err: string }> => {
    const io = memoryIo();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = runProxy(['--upstream', `127.0.0.1:${echo.port}`, '--print', ...args], io, stopped);
    let m: RegExpExecArray | null = null;
    for (let i = 0; i < 100 && !m; i++) {
      await new Promise((r) => setTimeout(r, 20));
      m = /listening on 127\.0\.0\.1:(\d+)/.exec(io.stdout.join('\n'));
    }
    assert.ok(m, io.stdout.join('\n') + io.stderr.join('\n'));
    const c = await connectClient(Number(m[1]));
    c.socket.write(chunk);
    await c.waitFor(chunk.length);
    c.socket.destroy();
    await c.closed;
    stop();
    assert.equal(await running, 0);
    return { out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };

  // Track 2 with expiry and service code, then an encrypted PIN block.
  const chunk = Buffer.concat([
    Buffer.from('6222021234567890123=30122201234567', 'latin1'),
    Buffer.from('F1E2D3C4B5A69788', 'hex'),
  ]);
  const tailHex = Buffer.from('=3012220', 'latin1').toString('hex').toUpperCase();

  it('--raw prints each chunk with its length and no content', async () => {
    const { out } = await printed(['--raw'], chunk);
    assert.match(out, new RegExp(`→ ${chunk.length} bytes \\(no dialect, content withheld\\)`));
    assert.doesNotMatch(out, new RegExp(`${tailHex}|F1E2D3C4`));
  });

  it('--raw --unmasked prints the bytes, with a warning on stderr', async () => {
    const { out, err } = await printed(['--raw', '--unmasked'], chunk);
    // As they are, but for PAN-like digit runs (masked 6/4 as everywhere).
    assert.ok(out.includes('F1E2D3C4B5A69788') && out.includes('363232323032'), out);
    assert.match(err, /--unmasked: .*test data only/);
  });

  it('refuses --unmasked without --raw, or with --dialect', async () => {
    const never = new Promise<void>(() => undefined);
    await assert.rejects(runProxy(['--upstream', '127.0.0.1:1', '--unmasked'], memoryIo(), never), {
      message: /--unmasked applies to --raw only/,
    });
    await assert.rejects(
      runProxy(['--upstream', '127.0.0.1:1', '--raw', '--unmasked', '--dialect', 'cup'], memoryIo(), never),
      { message: /--unmasked applies to --raw only/ },
    );
  });
});
