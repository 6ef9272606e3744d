import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, it } from 'mocha';
import { HttpRobotDriver, ROBOT_MAX_BODY } from './http-robot-driver.js';

/** A real local HTTP server playing the robot; `handle` answers each request. */
async function robotServer(
  handle: (req: IncomingMessage, res: ServerResponse, url: URL) => void,
): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    handle(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('HttpRobotDriver against a local HTTP robot', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('moves, presses PIN keys one by one and reads its status', async () => {
    const r = await robotServer((_req, res, url) =>
      url.pathname === '/arm/status'
        ? json(res, 200, { state: 'ready', card: 'rack-3' })
        : json(res, 200, {}),
    );
    servers.push(r.server);
    const d = new HttpRobotDriver({ url: r.url });
    await d.activate();
    await d.robot.insert('rack-3');
    await d.robot.tap('rack 4', 250);
    await d.robot.remove();
    await d.keypad.enterPin('1234');
    await d.keypad.cancel();
    assert.deepEqual(await d.robot.status(), { state: 'ready', card: 'rack-3' });
    assert.deepEqual(r.seen, [
      'GET /arm/status',
      'GET /arm/insert?card=rack-3',
      'GET /arm/tap?card=rack+4&hold=250',
      'GET /arm/remove',
      'GET /arm/press?key=1',
      'GET /arm/press?key=2',
      'GET /arm/press?key=3',
      'GET /arm/press?key=4',
      'GET /arm/press?key=enter',
      'GET /arm/press?key=cancel',
      'GET /arm/status',
    ]);
  });

  it('a jam at activation or on a move is E_ROBOT_JAM saying to clear it', async () => {
    let jammed = false;
    const r = await robotServer((_req, res, url) => {
      const s = jammed ? { state: 'jam', detail: 'card stuck in the reader slot' } : { state: 'ready' };
      if (url.pathname === '/arm/status') return json(res, 200, s);
      jammed = true;
      json(res, 409, { state: 'jam', detail: 'card stuck in the reader slot' });
    });
    servers.push(r.server);
    const d = new HttpRobotDriver({ url: r.url });
    await d.activate();
    await assert.rejects(d.robot.insert('rack-1'), (e: Error & { code: string; verdict: string }) => {
      assert.equal(e.code, 'E_ROBOT_JAM');
      assert.equal(e.verdict, 'broken');
      assert.match(e.message, /jam \(card stuck in the reader slot\): clear the arm/);
      return true;
    });
    await d.deactivate();
    await assert.rejects(d.activate(), { code: 'E_ROBOT_JAM' });
  });

  it('other statuses, garbage, an oversized body and silence are clear broken errors', async () => {
    const r = await robotServer((_req, res, url) => {
      if (url.pathname === '/arm/status') return json(res, 200, { state: 'ready' });
      if (url.pathname === '/arm/insert') return void res.writeHead(503).end('arm homing');
      if (url.pathname === '/arm/remove') return void res.writeHead(200).end('x'.repeat(ROBOT_MAX_BODY * 4));
      if (url.pathname === '/arm/tap') return; // never answers
    });
    servers.push(r.server);
    const d = new HttpRobotDriver({ url: r.url, moveTimeoutMs: 300 });
    await d.activate();
    await assert.rejects(d.robot.insert('a'), (e: Error & { code: string; causeCode: string }) => {
      assert.equal(e.code, 'E_ROBOT_REFUSED');
      assert.equal(e.causeCode, '503');
      assert.match(e.message, /HTTP 503: arm homing/);
      return true;
    });
    await assert.rejects(d.robot.remove(), { code: 'E_ROBOT_GARBAGE' });
    await assert.rejects(d.robot.tap('a'), /no answer within 300 ms/);
    await assert.rejects(d.keypad.press('#'), { code: 'E_ROBOT_KEY' });
    await assert.rejects(d.keypad.enterPin('12'), { code: 'E_ROBOT_KEY' });
    const g = await robotServer((_req, res) => void res.writeHead(200).end('<html>not json</html>'));
    servers.push(g.server);
    await assert.rejects(new HttpRobotDriver({ url: g.url }).activate(), { code: 'E_ROBOT_GARBAGE' });
  });

  it('nobody listening: E_ROBOT_UNREACHABLE naming the URL setting; inactive: E_ROBOT_INACTIVE', async () => {
    const r = await robotServer(() => undefined);
    r.server.close();
    const d = new HttpRobotDriver({ url: r.url });
    await assert.rejects(d.activate(), (e: Error & { code: string }) => {
      assert.equal(e.code, 'E_ROBOT_UNREACHABLE');
      assert.match(e.message, /ECONNREFUSED.*keypad\.url/);
      return true;
    });
    await assert.rejects(d.robot.status(), { code: 'E_ROBOT_INACTIVE' });
  });
});
