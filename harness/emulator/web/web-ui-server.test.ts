import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { EcrTerminalAdapter } from '../ecr-terminal-adapter.js';
import { startRig, type Rig } from '../emulator-test-kit.test-helper.js';
import { renderTerminalPage } from './terminal-page.js';
import { startWebUi, type WebUiHandle } from './web-ui-server.js';
import { WEB_SELECTORS } from './web-selectors.js';

type Msg = Record<string, unknown> & { type: string };

/** One HTTP request with the headers given as they are (fetch does not let a script set Host). */
function rawRequest(
  url: string,
  options: { method?: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Reads Server-Sent Events `data:` messages from a fetch response. */
class SseReader {
  private buf = '';
  private readonly queue: Msg[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  ended = false;
  constructor(res: Response) {
    assert.ok(res.body);
    this.reader = res.body.getReader();
  }
  /** The next message matching `pred` (others are skipped); rejects after `timeoutMs`. */
  async next(pred: (m: Msg) => boolean = () => true, timeoutMs = 5000): Promise<Msg> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex(pred);
      if (i >= 0) return this.queue.splice(0, i + 1).at(-1) as Msg;
      this.queue.length = 0;
      const left = until - Date.now();
      if (left <= 0) throw new Error('no matching SSE message in time');
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        this.reader.read(),
        new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), left))),
      ]);
      clearTimeout(timer);
      if (r === 'timeout') continue;
      if (r.done) {
        this.ended = true;
        throw new Error('stream ended');
      }
      this.buf += this.decoder.decode(r.value, { stream: true });
      let cut: number;
      while ((cut = this.buf.indexOf('\n\n')) >= 0) {
        const block = this.buf.slice(0, cut);
        this.buf = this.buf.slice(cut + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data) this.queue.push(JSON.parse(data) as Msg);
      }
    }
  }
  cancel(): Promise<void> {
    return this.reader.cancel().catch(() => undefined);
  }
}

describe('emulator web UI server', function () {
  this.timeout(15000);
  let rig: Rig;
  let ui: WebUiHandle;
  const url = (p: string) => new URL(p, ui.url);
  const post = (body: unknown, type = 'application/json') =>
    fetch(url('api/request'), {
      method: 'POST',
      headers: { 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  before(async () => {
    rig = await startRig({ signIn: false });
    ui = await startWebUi({
      adapter: new EcrTerminalAdapter({ terminal: rig.terminal }),
      events: rig.terminal.events,
      cards: ['cup-debit', 'magstripe-only'],
    });
  });
  after(async () => {
    await ui.close();
    await rig.close();
  });

  it('listens on 127.0.0.1, port chosen by the system', () => {
    assert.equal(ui.address.host, '127.0.0.1');
    assert.ok(ui.address.port > 0);
    assert.equal(ui.url, `http://127.0.0.1:${ui.address.port}/`);
  });

  it('serves one self-contained page carrying every documented selector', async () => {
    const res = await fetch(ui.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await res.text();
    assert.equal(html, renderTerminalPage('payhil · cup-pos-ci'));
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external resources');
    for (const [name, id] of Object.entries(WEB_SELECTORS)) {
      if (id === '' || id.endsWith('-')) continue; // none on this page; prefixes, checked below
      if (name === 'displayLine' || name === 'pinMask') continue; // drawn by the script
      assert.ok(html.includes(`data-testid="${id}"`), id);
    }
    for (const k of ['0', '9', '00', 'enter', 'cancel', 'clear', 'f1', 'f4'])
      assert.ok(html.includes(`data-testid="key-${k}"`), k);
    for (const t of ['signIn', 'purchase', 'balance', 'void', 'refund', 'settle', 'preAuth', 'withdraw'])
      assert.ok(html.includes(`data-testid="tx-${t}"`), t);
    assert.ok(html.includes('data-testid="led-green"') && html.includes('data-testid="led-red"'));
  });

  it('streams a snapshot first, then the terminal live; transactions answer 202 and report by event', async () => {
    const res = await fetch(url('events'));
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const sse = new SseReader(res);
    try {
      const snap = await sse.next();
      assert.equal(snap.type, 'snapshot');
      assert.deepEqual(snap.display, { lines: ['PLEASE SIGN IN'], key: 'notSignedIn' });
      assert.deepEqual(snap.cards, ['cup-debit', 'magstripe-only']);
      assert.equal((snap.profile as { currencyExponent: number }).currencyExponent, 2);
      assert.equal((snap.status as { signedIn: boolean }).signedIn, false);
      assert.equal(snap.lastResult, null);
      assert.equal(ui.clients, 1);

      const r = await post({ op: 'signIn' });
      assert.equal(r.status, 202);
      const result = await sse.next((m) => m.type === 'result');
      assert.equal((result.result as { outcome: string }).outcome, 'approved');
      assert.equal((result.status as { signedIn: boolean }).signedIn, true);
      const shown = await fetch(url('api/state')).then((x) => x.json() as Promise<Msg>);
      assert.deepEqual((shown.display as { lines: string[] }).lines, ['WELCOME']);
      assert.equal((shown.lastResult as { transaction: string }).transaction, 'signIn');

      // A key that does nothing but beep, and a swipe of a magstripe card in a running purchase.
      assert.equal((await post({ op: 'key', keys: ['F2'] })).status, 200);
      assert.equal((await sse.next((m) => m.type === 'indicator')).beep, 1);
      assert.equal((await post({ op: 'purchase', amount: 250 })).status, 202);
      await sse.next((m) => m.type === 'state' && m.state === 'waitingForCard');
      assert.equal((await post({ op: 'purchase', amount: 250 })).status, 202);
      const busy = await sse.next((m) => m.type === 'error');
      assert.equal(busy.code, 'BUSY');
      assert.equal((await post({ op: 'cancel' })).status, 200);
      const cancelled = await sse.next((m) => m.type === 'result');
      assert.equal((cancelled.result as { outcome: string }).outcome, 'cancelled');
      const nothing = await post({ op: 'cancel' });
      assert.equal(nothing.status, 409);
      assert.equal(((await nothing.json()) as { error: { code: string } }).error.code, 'NO_TRANSACTION');
      // A refund with its original's date (MMDD, the page's optional field) is taken like any other.
      const refund = { op: 'refund', amount: 100, originalReference: '000000000001', originalDate: '1120' };
      assert.equal((await post(refund)).status, 202);
      await sse.next((m) => m.type === 'state' && m.state === 'waitingForCard');
      assert.equal((await post({ op: 'cancel' })).status, 200);
      assert.equal(
        ((await sse.next((m) => m.type === 'result')).result as { outcome: string }).outcome,
        'cancelled',
      );
    } finally {
      await sse.cancel();
    }
  });

  it('refuses bad input with a status and a code, never touching the terminal', async () => {
    const cases: [unknown, number, string?][] = [
      ['nope', 400],
      [[1, 2], 400],
      [{ op: 'bogus' }, 400],
      [{ op: 'purchase', amount: -1 }, 400],
      [{ op: 'purchase', amount: 1.5 }, 400],
      [{ op: 'void' }, 400],
      [{ op: 'refund', amount: 100, originalReference: '000000000001', originalDate: '1332' }, 400],
      [{ op: 'void', originalReference: '000000000001', originalDate: '0101' }, 400],
      [{ op: 'key', keys: [] }, 400],
      [{ op: 'key', keys: ['1', 'DROP TABLE'] }, 400],
      [{ op: 'card', action: 'eat' }, 400],
      [{ op: 'card', action: 'insert', card: 'cup-credit' }, 400], // not offered on this page
      [{ op: 'card', action: 'tap', card: 'cup-debit', holdMs: -5 }, 400],
      // inline cards extend only an offered card, and their name is no path
      [{ op: 'card', action: 'insert', card: 'x', fixture: { extends: 'cup-credit' } }, 400],
      [{ op: 'card', action: 'insert', card: 'x', fixture: { extends: '../../etc/card' } }, 400],
      [{ op: 'card', action: 'insert', card: '/tmp/x.yaml', fixture: { extends: 'cup-debit' } }, 400],
      [{ op: 'card', action: 'insert', card: 'x', fixture: 'cup-debit' }, 400],
      [{ op: 'cardState', card: 'cup-credit' }, 400],
      [{ op: 'cardState', card: 'cup-debit', options: 'reset' }, 400],
    ];
    for (const [body, status] of cases) {
      const r = await post(body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'BAD_REQUEST');
    }
    assert.equal((await post('{"op":"status"}', 'text/plain')).status, 415);
    assert.equal((await post('x'.repeat(20000))).status, 413);
    assert.equal((await fetch(url('api/request'))).status, 405);
    assert.equal((await fetch(url('secret'))).status, 404);
    assert.equal(rig.terminal.status().busy, false);
  });

  it('test mode: inline cards and card state through api/request; status with batch and reversal', async () => {
    const inline = { extends: 'cup-debit', pinTriesLeft: 1 };
    const r = await post({ op: 'cardState', card: 'inline:low', fixture: inline, options: { reset: true } });
    assert.equal(r.status, 200);
    const body = (await r.json()) as {
      ok: boolean;
      result: { card: string; state: Record<string, unknown> };
    };
    assert.equal(body.result.card, 'cup-debit');
    assert.equal(body.result.state.pinTriesLeft, 1);
    assert.equal(body.result.state['9F17'], 1);
    assert.equal(JSON.stringify(body).includes('6222021000000000017'), false, 'no PAN');
    const bad = await post({
      op: 'cardState',
      card: 'inline:bad',
      fixture: { extends: 'cup-debit', pin: 7 },
    });
    assert.equal(bad.status, 400);
    const state = (await fetch(url('api/state')).then((x) => x.json())) as {
      status: Record<string, unknown>;
    };
    assert.equal(state.status.pendingReversal, false);
    assert.equal(state.status.batch, '000001');
    assert.deepEqual(state.status.defects, []);
  });

  it('the page offers its test mode (window.payhilTest) and shows batch, reversal, devices, defects', () => {
    const html = renderTerminalPage();
    assert.match(html, /window\.payhilTest = \{/);
    for (const id of ['status-batch', 'status-pending-reversal', 'status-devices', 'status-defects'])
      assert.ok(html.includes(`data-testid="${id}"`), id);
  });

  it('answers only to its own Host and Origin (DNS rebinding), and to names allowed', async () => {
    const other = await startWebUi({
      adapter: new EcrTerminalAdapter({ terminal: rig.terminal }),
      events: rig.terminal.events,
      allowedHosts: ['Bench-7.lab'],
    });
    try {
      const port = other.address.port;
      const purchase = JSON.stringify({ op: 'purchase', amount: 100 });
      const ask = (headers: Record<string, string>, path = 'api/request', method = 'POST') =>
        rawRequest(new URL(path, other.url).href, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          ...(method === 'POST' ? { body: purchase } : {}),
        });
      const forbidden: Record<string, string>[] = [
        { host: `evil.example:${port}` },
        { host: `evil.example:${port}`, origin: `http://evil.example:${port}` },
        { host: `127.0.0.1:${port}`, origin: `http://evil.example:${port}` },
        { host: `127.0.0.1:${port}`, origin: 'null' },
        { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port + 1}` },
      ];
      for (const headers of forbidden) {
        for (const [path, method] of [
          ['api/request', 'POST'],
          ['api/state', 'GET'],
          ['events', 'GET'],
          ['', 'GET'],
        ] as const) {
          const r = await ask(headers, path, method);
          assert.equal(r.status, 403, `${method} /${path} ${JSON.stringify(headers)}`);
          assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'FORBIDDEN');
        }
      }
      assert.equal(rig.terminal.status().busy, false, 'no purchase was started');
      for (const name of [`localhost:${port}`, `127.0.0.1:${port}`, `bench-7.lab:${port}`]) {
        const r = await ask({ host: name, origin: `http://${name}` }, 'api/state', 'GET');
        assert.equal(r.status, 200, name);
      }
      const key = await rawRequest(new URL('api/request', other.url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/json', host: `bench-7.lab:${port}` },
        body: JSON.stringify({ op: 'key', keys: ['F1'] }),
      });
      assert.equal(key.status, 200, key.body);
    } finally {
      await other.close();
    }
  });

  it('refuses a card path alike whether the file exists or not, never showing its content', async () => {
    const other = await startWebUi({
      adapter: new EcrTerminalAdapter({ terminal: rig.terminal }),
      events: rig.terminal.events,
    });
    try {
      const answer = async (card: string, inline: boolean) => {
        const body = inline
          ? { op: 'cardState', card: 'x', fixture: { extends: card } }
          : { op: 'card', action: 'insert', card };
        const r = await fetch(new URL('api/request', other.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.equal(r.status, 400);
        return (await r.text()).replaceAll(card, 'PATH');
      };
      for (const inline of [false, true]) {
        const there = await answer('/etc/passwd', inline);
        assert.doesNotMatch(there, /root:/);
        assert.equal(there, await answer('/etc/no-such-file-payhil', inline));
      }
      assert.equal(rig.terminal.cardSlot.occupied, false);
    } finally {
      await other.close();
    }
  });

  it('closes its event streams on close()', async () => {
    const other = await startWebUi({
      adapter: new EcrTerminalAdapter({ terminal: rig.terminal }),
      events: rig.terminal.events,
    });
    const sse = new SseReader(await fetch(new URL('events', other.url)));
    const snap = await sse.next();
    assert.ok((snap.cards as string[]).includes('cup-debit'), 'bundled cards by default');
    await other.close();
    await assert.rejects(
      sse.next(() => false, 3000),
      /stream ended/,
    );
  });
});
