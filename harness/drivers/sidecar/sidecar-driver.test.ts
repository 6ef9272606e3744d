import { strict as assert } from 'node:assert';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Observation } from '../../capabilities/index.js';
import { DriverError } from '../errors.js';
import { JsonLinesPeer, TcpChannel } from '../kit/index.js';
import { SidecarDriver, SidecarDriverError, SidecarDriverUnsupportedError } from './index.js';

type Reply = (line: string) => void;
/** What the fake sidecar does with a request: write raw lines through `reply`. */
type Script = (
  id: number,
  method: string,
  params: Record<string, unknown>,
  reply: Reply,
  socket: Socket,
) => void;

const HELLO = (id: number): string =>
  JSON.stringify({ id, result: { protocol: 1, name: 'fake', offers: ['signIn', 'purchase', 'settle'] } });

/** A scripted sidecar on TCP: hello answered unless the script answers it. */
async function fakeSidecar(script: Script): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    const reply: Reply = (line) => void socket.write(line + '\n');
    new JsonLinesPeer(new TcpChannel(socket), {
      onRequest: (id, method, params) => script(id, method, params, reply, socket),
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Runs a purchase against a fake sidecar that accepts it and then does `then`; returns the faults. */
async function purchaseThen(then: (reply: Reply, socket: Socket) => void): Promise<{
  faults: SidecarDriverError[];
  seen: Observation[];
  d: SidecarDriver;
  close: () => Promise<void>;
}> {
  const { server, port } = await fakeSidecar((id, method, _p, reply, socket) => {
    if (method === 'hello') reply(HELLO(id));
    else if (method === 'start') {
      reply(JSON.stringify({ id, result: {} }));
      then(reply, socket);
    }
  });
  const faults: SidecarDriverError[] = [];
  const seen: Observation[] = [];
  const d = new SidecarDriver(
    { host: '127.0.0.1', port },
    { onFault: (e) => faults.push(e), requestTimeoutMs: 500 },
  );
  d.observe((o) => seen.push(o));
  await d.activate();
  await d.terminal.start('purchase', { amount: 100 });
  await d.terminal.idle(5000);
  return {
    faults,
    seen,
    d,
    close: async () => {
      await d.deactivate();
      server.close();
    },
  };
}

describe('sidecar driver: bad input from the sidecar is a broken DriverError, never a hang', function () {
  this.timeout(10000);

  const cases: [string, (reply: Reply) => void, RegExp, string][] = [
    [
      'a garbage line',
      (r) => r('%%% not json'),
      /line 3: not JSON .*%%% not json/,
      'E_DRIVER_SIDECAR_BAD_INPUT',
    ],
    [
      'an overlong line',
      (r) => r(`{"event":"note","data":{"text":"${'x'.repeat(70_000)}"}}`),
      /line 3: line of 70\d{3} bytes, longer than 65536/,
      'E_DRIVER_SIDECAR_BAD_INPUT',
    ],
    [
      'an answer to an unknown id',
      (r) => r('{"id":42,"result":{}}'),
      /line 3: answer to unknown request id 42/,
      'E_DRIVER_SIDECAR_BAD_INPUT',
    ],
    [
      'a result event without an outcome',
      (r) => r('{"event":"result","data":{"result":{"transaction":"purchase"}}}'),
      /result\.transaction and result\.outcome must be strings/,
      'E_DRIVER_SIDECAR_BAD_INPUT',
    ],
  ];
  for (const [what, send, message, code] of cases)
    it(`${what}: fault (broken, located), the transaction ends, the driver keeps its link`, async () => {
      const r = await purchaseThen((reply) => send(reply));
      try {
        assert.equal(r.faults.length, 1, r.faults.map((f) => f.message).join('; '));
        const f = r.faults[0] as SidecarDriverError;
        assert.ok(f instanceof DriverError);
        assert.equal(f.verdict, 'broken');
        assert.equal(f.code, code);
        assert.equal(f.operation, 'purchase');
        assert.match(f.message, message);
        assert.equal(r.d.busy, false);
        assert.ok(
          r.seen.some((o) => o.kind === 'note' && message.test(String(o.data.text))),
          'noted on the timeline',
        );
      } finally {
        await r.close();
      }
    });

  it('the sidecar dies mid-transaction: fault E_DRIVER_SIDECAR_GONE; the next start rejects; beginScenario reconnects', async () => {
    const r = await purchaseThen((_reply, socket) => socket.destroy());
    try {
      assert.equal(r.faults[0]?.code, 'E_DRIVER_SIDECAR_GONE');
      assert.match(String(r.faults[0]?.message), /the sidecar went away \(the connection closed\)/);
      await assert.rejects(
        r.d.terminal.start('purchase', { amount: 1 }),
        (e: unknown) => e instanceof DriverError && e.verdict === 'broken',
      );
      await r.d.beginScenario();
      assert.equal(r.d.active, true);
    } finally {
      await r.close();
    }
  });

  it('no result within the transaction bound: fault E_DRIVER_SIDECAR_SILENT', async () => {
    const { server, port } = await fakeSidecar((id, method, _p, reply) => {
      reply(method === 'hello' ? HELLO(id) : JSON.stringify({ id, result: {} }));
    });
    const faults: SidecarDriverError[] = [];
    const d = new SidecarDriver(
      { host: '127.0.0.1', port },
      { transactionTimeoutMs: 150, onFault: (e) => faults.push(e) },
    );
    try {
      await d.activate();
      await d.terminal.start('purchase', { amount: 1 });
      await d.terminal.idle(5000);
      assert.equal(faults[0]?.code, 'E_DRIVER_SIDECAR_SILENT');
      assert.match(String(faults[0]?.message), /purchase: no result within 150 ms/);
    } finally {
      await d.deactivate();
      server.close();
    }
  });

  it('a transaction the sidecar does not offer is refused (unsupported), a BUSY answer is a refusal', async () => {
    const { server, port } = await fakeSidecar((id, method, _p, reply) => {
      reply(
        method === 'hello'
          ? HELLO(id)
          : JSON.stringify({ id, error: { code: 'BUSY', message: 'the DLL is busy' } }),
      );
    });
    const d = new SidecarDriver({ host: '127.0.0.1', port });
    try {
      await d.activate();
      await assert.rejects(
        d.terminal.start('void', { of: 'last' }),
        (e: unknown) =>
          e instanceof SidecarDriverUnsupportedError && /offers: signIn, purchase, settle/.test(e.message),
      );
      await assert.rejects(
        d.terminal.start('purchase', { amount: 1 }),
        (e: unknown) =>
          e instanceof SidecarDriverError && e.code === 'E_DRIVER_REFUSED' && /BUSY/.test(e.message),
      );
      assert.equal(d.busy, false);
    } finally {
      await d.deactivate();
      server.close();
    }
  });

  it('activate: a wrong protocol version, a silent sidecar, a refused port: broken, bounded', async () => {
    const wrong = await fakeSidecar((id, _m, _p, reply) =>
      reply(JSON.stringify({ id, result: { protocol: 2, name: 'x', offers: [] } })),
    );
    const silent = await fakeSidecar(() => undefined);
    try {
      await assert.rejects(
        new SidecarDriver({ host: '127.0.0.1', port: wrong.port }).activate(),
        /protocol 2 \(payhil speaks 1\)/,
      );
      await assert.rejects(
        new SidecarDriver({ host: '127.0.0.1', port: silent.port }, { requestTimeoutMs: 100 }).activate(),
        (e: unknown) => e instanceof SidecarDriverError && e.causeCode === 'E_KIT_TIMEOUT',
      );
    } finally {
      wrong.server.close();
      silent.server.close();
    }
    const gone = wrong.port;
    await assert.rejects(
      new SidecarDriver({ host: '127.0.0.1', port: gone }).activate(),
      (e: unknown) => e instanceof DriverError && e.verdict === 'broken',
    );
  });

  it('a sidecar command: missing → E_KIT_PROCESS; one that exits at once → the exit and its stderr in the message', async () => {
    await assert.rejects(
      new SidecarDriver({ command: '/nonexistent/payhil-sidecar' }).activate(),
      (e: unknown) =>
        e instanceof SidecarDriverError && e.causeCode === 'E_KIT_PROCESS' && /ENOENT/.test(e.message),
    );
    const d = new SidecarDriver(
      {
        command: process.execPath,
        args: ['-e', 'process.stderr.write("vendor.dll not found\\n"); process.exit(3)'],
      },
      { requestTimeoutMs: 5000 },
    );
    const seen: Observation[] = [];
    d.observe((o) => seen.push(o));
    await assert.rejects(
      d.activate(),
      (e: unknown) => e instanceof SidecarDriverError && e.verdict === 'broken' && /closed/.test(e.message),
    );
    const until = Date.now() + 3000;
    while (
      !seen.some((o) => /exit code 3; stderr: vendor\.dll not found/.test(String(o.data.text))) &&
      Date.now() < until
    )
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(
      seen.some((o) => /exit code 3; stderr: vendor\.dll not found/.test(String(o.data.text))),
      JSON.stringify(seen.map((o) => o.data.text)),
    );
  });
});
