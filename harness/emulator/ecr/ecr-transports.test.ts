import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { EcrClient } from './ecr-client.js';
import { EcrConnectError, EcrPortBusyError, EcrPortNotFoundError } from './errors.js';
import { createFakeTerminal, exerciseFlow, type FakeTerminal } from './fake-terminal.test-helper.js';
import { startPtyPair, type PtyPair } from './pty-pair.js';
import { SerialChannel } from './serial-channel.js';

const deepEqual = (a: unknown, b: unknown, m?: string) => assert.deepEqual(a, b, m);
const LINK = { ackTimeoutMs: 300, maxRetransmissions: 3 };

describe('ECR link over TCP on 127.0.0.1', () => {
  let terminal: FakeTerminal;
  let client: EcrClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await terminal?.server.close();
  });

  it('carries the request/response/event flow', async () => {
    terminal = createFakeTerminal(LINK);
    const { host, port } = await terminal.server.listenTcp({ host: '127.0.0.1', port: 0 });
    assert.equal(host, '127.0.0.1');
    client = await EcrClient.connectTcp(host, port, LINK);
    await exerciseFlow(client, deepEqual);
    assert.equal(client.link.stats.retransmissions, 0);
    assert.match(client.link.description, /^tcp:127\.0\.0\.1:\d+$/);
  });

  it('serves two cash registers at once and rejects pending requests when the server closes', async () => {
    terminal = createFakeTerminal(LINK);
    const { host, port } = await terminal.server.listenTcp();
    client = await EcrClient.connectTcp(host, port, LINK);
    const other = await EcrClient.connectTcp(host, port, LINK);
    assert.equal((await other.request({ op: 'status' })).state, 'idle');
    const pending = client.request({ op: 'purchase', amount: 100 });
    await client.waitForEvent((e) => e.event === 'display');
    assert.equal(terminal.server.connections, 2);
    const rejected = assert.rejects(pending, { code: 'E_ECR_LINK_CLOSED', verdict: 'broken' });
    await terminal.server.close();
    await rejected;
    await other.close();
  });

  it('reports a refused connection as EcrConnectError (broken)', async () => {
    // A port that was free a moment ago: listen, note it, close.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(EcrClient.connectTcp('127.0.0.1', port), (e: unknown) => {
      assert.ok(e instanceof EcrConnectError);
      assert.equal(e.verdict, 'broken');
      assert.match(e.message, /ECONNREFUSED/);
      return true;
    });
  });
});

describe('ECR link over a socat pty pair (serialport)', function () {
  this.timeout(20_000);
  let pty: PtyPair;
  let terminal: FakeTerminal;
  let client: EcrClient | undefined;
  before(async () => {
    pty = await startPtyPair();
  });
  after(async () => {
    await pty?.close();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await terminal?.server.close();
  });

  it('carries the request/response/event flow', async () => {
    terminal = createFakeTerminal(LINK);
    const link = await terminal.server.openSerial(pty.a, { baudRate: 115200 });
    assert.equal(link.description, `serial:${pty.a}`);
    client = await EcrClient.openSerial(pty.b, { ...LINK, baudRate: 115200 });
    await exerciseFlow(client, deepEqual);
    assert.equal(terminal.calls.purchase, 2);
  });

  it('reports a missing port as EcrPortNotFoundError and a locked one as EcrPortBusyError (broken)', async () => {
    await assert.rejects(SerialChannel.open(`${pty.a}-missing`), (e: unknown) => {
      assert.ok(e instanceof EcrPortNotFoundError);
      assert.equal(e.verdict, 'broken');
      assert.equal(e.path, `${pty.a}-missing`);
      return true;
    });
    const holder = await SerialChannel.open(pty.a);
    try {
      await assert.rejects(SerialChannel.open(pty.a), (e: unknown) => {
        assert.ok(e instanceof EcrPortBusyError);
        assert.equal(e.code, 'E_ECR_PORT_BUSY');
        assert.equal(e.verdict, 'broken');
        return true;
      });
    } finally {
      await holder.close();
    }
  });
});

describe('socat pty pair lifetime', function () {
  this.timeout(20_000);
  it('stops socat when the process that started it ends without closing the pair', async () => {
    const ptyPair = new URL('./pty-pair.js', import.meta.url).href;
    const script = `const m = await import(${JSON.stringify(ptyPair)}); const p = await m.startPtyPair(); console.log(p.a); process.exit(0);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    const link = out.trim();
    assert.ok(link, 'the child printed its pty link');
    // socat removes its links when it ends; bounded wait for that.
    const until = Date.now() + 5000;
    while (existsSync(link) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(link), false, 'socat is gone with the process that started it');
  });
});
