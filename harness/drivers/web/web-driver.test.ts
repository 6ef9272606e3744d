/**
 * The web driver's test-mode side against the emulator's page in Debian's Chromium: inline cards in the
 * card picker, card state, the status fields the embedded bench reports, `select` on a page without a
 * terminal menu, screenshots; and a plain page without test mode, where those are broken. Pending with
 * what it needs when /usr/bin/chromium is absent.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Observation } from '../../capabilities/index.js';
import { EcrTerminalAdapter } from '../../emulator/ecr-terminal-adapter.js';
import { startRig, type Rig } from '../../emulator/emulator-test-kit.test-helper.js';
import { startWebUi, type WebUiHandle } from '../../emulator/web/index.js';
import { WebDriverUnsupportedError } from './errors.js';
import { PngAttachment } from './page-observer.js';
import { WebDriver } from './web-driver.js';

const CHROMIUM = '/usr/bin/chromium';
const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex'); // PNG spec §5.2

async function until<T>(get: () => T | undefined, what: string, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not seen in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('web driver: test mode of the emulator page (Chromium)', function () {
  this.timeout(40000);
  let rig: Rig;
  let ui: WebUiHandle;
  let d: WebDriver;
  const seen: Observation[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip(); // pending: needs Debian's chromium at /usr/bin/chromium
    rig = await startRig({ signIn: true });
    ui = await startWebUi({
      adapter: new EcrTerminalAdapter({ terminal: rig.terminal }),
      events: rig.terminal.events,
      cards: ['cup-debit', 'ec-debit'],
    });
    d = new WebDriver({ url: ui.url });
    d.observe((o) => seen.push(o));
    await d.activate();
  });
  after(async () => {
    await d?.deactivate();
    await ui?.close();
    await rig?.close();
  });

  it('inline cards go to the picker and to the terminal with their fields; card state reads them', async () => {
    await d.cards.prepare({ low: { extends: 'cup-debit', pinTriesLeft: 2 }, purse: 'ec-debit' });
    // Not presented yet: the first card as its fixture makes it.
    const fresh = await d.cards.state();
    assert.equal(fresh.pinTriesLeft, 2);
    assert.equal(fresh['9F17'], 2);
    assert.equal((await d.cards.state('purse'))['9F79'], 50000);
    const atc = fresh.atc as number;
    const done = seen.length;
    await d.terminal.start('purchase', { amount: 1200 });
    await d.cards.insert('low');
    await d.keypad.enterPin('123456');
    const result = await until(
      () => seen.slice(done).find((o) => o.kind === 'result')?.data.result as Record<string, unknown>,
      'result',
    );
    assert.equal(result.outcome, 'approved', JSON.stringify(result));
    // The inserted card, as the terminal left it: one more ATC, PIN tries as they were.
    const after = await d.cards.state();
    assert.equal(after.atc, atc + 1);
    assert.equal(after.pinTriesLeft, 2);
    assert.equal(JSON.stringify(after).includes('6222021000000000017'), false, 'no PAN');
    await d.terminal.idle(5000);
    await d.cards.remove();
  });

  it('status has what the embedded bench reports: batch, pending reversal, devices, defects', async () => {
    const s = await d.terminal.status();
    assert.equal(s.signedIn, true);
    assert.equal(s.batch, '000001');
    assert.equal(s.pendingReversal, false);
    assert.deepEqual(s.devices, { reader: 'ok', pinpad: 'ok', printer: 'ok', contactless: 'ok' });
    assert.deepEqual(s.defects, []);
  });

  it('select on a page without a terminal menu is a note and starts nothing', async () => {
    const before = seen.length;
    await d.terminal.select('PRE-AUTH');
    assert.ok(seen.slice(before).some((o) => o.kind === 'note' && /PRE-AUTH/.test(String(o.data.text))));
    assert.equal((await d.terminal.status()).busy, false);
    await d.terminal.start('preAuth', { amount: 100 });
    await d.keypad.cancel();
    await d.terminal.idle(5000);
  });

  it('screenshots at display changes are PNGs of the terminal', async () => {
    const shot = await until(
      () => seen.find((o) => o.kind === 'screenshot')?.data.attachment as PngAttachment | undefined,
      'screenshot',
    );
    assert.deepEqual(shot.body.subarray(0, 8), PNG_SIGNATURE);
  });
});

describe('web driver: a page without test mode (Chromium)', function () {
  this.timeout(30000);
  let server: Server;
  let d: WebDriver;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip(); // pending: needs Debian's chromium at /usr/bin/chromium
    const page = `<!doctype html><html><body><div data-testid="terminal" data-state="idle">
      <div data-testid="display"><div data-testid="display-line-0">WELCOME</div></div></div>
      <select data-testid="card-picker"><option value="cup-debit">cup-debit</option></select></body></html>`;
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    d = new WebDriver({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      actionEndpoint: null,
      screenshots: false,
    });
    await d.activate();
  });
  after(async () => {
    await d?.deactivate();
    await new Promise((r) => server?.close(r));
  });

  it('inline cards and card state are broken with what is missing', async () => {
    await assert.rejects(
      d.cards.prepare({ odd: { extends: 'cup-debit', pin: '1111' } }),
      (e: unknown) => e instanceof WebDriverUnsupportedError && /no test mode/.test(e.message),
    );
    await d.cards.prepare({ mine: 'cup-debit' });
    await assert.rejects(
      d.cards.state('mine'),
      (e: unknown) => e instanceof WebDriverUnsupportedError && e.verdict === 'broken',
    );
    assert.equal(await d.display.text(), 'WELCOME');
  });
});
