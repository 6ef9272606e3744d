import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { loadDialect } from '../../harness/iso8583/dialect-loader.js';
import { encodeFrame } from '../../harness/iso8583/message-codec.js';
import { connectClient, startEchoServer, timed, type TestServer } from '../../harness/net/test-kit.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

// `payhil proxy` as a process: starts, is driven through its Toxiproxy-compatible API, stops on SIGTERM.
describe('e2e: payhil proxy command', function () {
  this.timeout(30_000);
  let echo: TestServer;
  let child: ChildProcess | undefined;
  let dir: string;

  before(async () => {
    echo = await startEchoServer();
    dir = mkdtempSync(join(tmpdir(), 'payhil-proxy-'));
  });
  after(async () => {
    child?.kill('SIGKILL');
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('proxies, takes toxics through the API, and stops cleanly on SIGTERM', async () => {
    const journal = join(dir, 'run.jsonl');
    const pcap = join(dir, 'run.pcap');
    child = spawn(
      process.execPath,
      [
        BIN,
        'proxy',
        '--upstream',
        `127.0.0.1:${echo.port}`,
        '--api',
        '127.0.0.1:0',
        '--dialect',
        'cup',
        '--journal',
        journal,
        '--pcap',
        pcap,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    for (let i = 0; i < 200 && !/control API on (\S+)/.test(out); i++)
      await new Promise((r) => setTimeout(r, 25));
    const listen = /listening on \S+:(\d+)/.exec(out);
    const apiUrl = /control API on (\S+)/.exec(out);
    assert.ok(listen && apiUrl, out);
    const port = Number(listen[1]);

    const toxiproxy = new Toxiproxy(apiUrl[1] as string);
    const proxy = await toxiproxy.get('payhil');
    await proxy.addToxic({ type: 'latency', attributes: { latency: 200, jitter: 0 } } as never);

    const cup = loadDialect('cup');
    const frame = encodeFrame(cup, { mti: '0800', fields: { 11: '000001', 41: 'TERM0001' } });
    const c = await connectClient(port);
    const { ms } = await timed(async () => {
      c.socket.write(frame);
      await c.waitFor(frame.length);
    });
    assert.ok(ms >= 190, `echo through the latency toxic took ${ms} ms`);
    c.socket.end();
    await c.closed;

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /stopped/);
    assert.ok(!/at .*\.js:\d+/.test(out), 'no stack trace');
    const lines = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; mti?: string });
    assert.ok(lines.some((l) => l.kind === 'frame' && l.mti === '0800'));
    assert.ok(lines.some((l) => l.kind === 'toxic'));
    assert.ok(existsSync(pcap) && readFileSync(pcap).readUInt32LE(0) === 0xa1b2c3d4);
  });

  it('exits 2 with one line when --upstream is missing', async () => {
    const p = spawn(process.execPath, [BIN, 'proxy', '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stderr?.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /--upstream/);
  });
});
