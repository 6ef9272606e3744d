/**
 * The web driver against the emulator's web UI in Debian's Chromium (playwright-core): an in-process
 * terminal with the host simulator on 127.0.0.1, the web UI on port 0. Sign-in, a chip purchase with the
 * PIN typed on the page's keypad, observations (display, state, result, receipt, PNG screenshots), and
 * the lab faults (browser missing, page unreachable) as broken. Pending with what it needs when
 * /usr/bin/chromium is absent.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { CapabilityMap, Driver, Observation } from '../../harness/capabilities/index.js';
import {
  PngAttachment,
  WebActionRefusedError,
  WebBrowserLaunchError,
  WebDriver,
  WebDriverError,
  WebDriverUnsupportedError,
} from '../../harness/drivers/web/index.js';
import { EcrTerminalAdapter } from '../../harness/emulator/ecr-terminal-adapter.js';
import { createTerminal, TerminalEvents, type EmulatedTerminal } from '../../harness/emulator/index.js';
import { startWebUi, type WebUiHandle } from '../../harness/emulator/web/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';

const CHROMIUM = '/usr/bin/chromium';
const FULL_PAN = '6222021000000000017'; // cup-debit fixture (test card)
const PIN = '123456'; // cup-debit fixture's test PIN
const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex'); // PNG spec §5.2

describe('e2e: web driver against the emulator web UI in Chromium', function () {
  this.timeout(60000);
  let host: HostHandle;
  let terminal: EmulatedTerminal;
  let ui: WebUiHandle;
  let adapter: EcrTerminalAdapter;
  let d: WebDriver | undefined;
  const seen: Observation[] = [];

  const waitFor = async (pred: (o: Observation) => boolean, ms = 15000): Promise<Observation> => {
    const end = Date.now() + ms;
    for (;;) {
      const o = seen.find(pred);
      if (o) return o;
      if (Date.now() > end)
        throw new Error(`no matching observation; saw ${seen.map((x) => x.kind).join(' ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const results = (): Record<string, unknown>[] =>
    seen.filter((o) => o.kind === 'result').map((o) => o.data.result as Record<string, unknown>);

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip(); // pending: needs Debian's chromium at /usr/bin/chromium
    host = await startHost({ dialect: 'cup' });
    const events = new TerminalEvents();
    terminal = await createTerminal({ profile: 'cup-pos-ci', host: host.address, events });
    adapter = new EcrTerminalAdapter({ terminal });
    ui = await startWebUi({ adapter, events, cards: ['cup-debit', 'magstripe-only'] });
    // One selector overridden by a profile-style CSS selector (the same element).
    d = new WebDriver({ url: ui.url, selectors: { display: 'css=div.screen' } });
    d.observe((o) => seen.push(o));
    // The bench's shapes, checked by the compiler.
    const asDriver: Driver = d;
    const caps: Partial<CapabilityMap> = {
      terminal: d.terminal,
      keypad: d.keypad,
      display: d.display,
      cards: d.cards,
    };
    assert.equal(Object.keys(caps).length, 4);
    await asDriver.activate();
  });
  after(async () => {
    await d?.deactivate();
    await ui?.close();
    await terminal?.close();
    await host?.close();
  });

  it('signs in and pays by chip with the PIN typed on the page; outcome, display, receipt, screenshots observed', async () => {
    const web = d as WebDriver;
    await web.terminal.start('signIn');
    await waitFor((o) => o.kind === 'result');
    await web.terminal.idle(10000);
    assert.equal(results()[0]?.outcome, 'approved');
    assert.equal((await web.terminal.status()).signedIn, true);

    // A mute chip left over from "an earlier scenario": prepare makes the card fresh at its next insert.
    adapter.card('cup-debit').injectFault({ kind: 'mute' });
    await web.cards.prepare({ mine: 'cup-debit' });
    await web.terminal.start('purchase', { amount: 1234 });
    assert.equal(
      (await web.terminal.status()).busy,
      true,
      'start resolves once the terminal took the purchase',
    );
    await web.cards.insert('mine');
    await web.keypad.enterPin(PIN);
    await waitFor(() => results().length >= 2);
    await web.terminal.idle(10000);
    const r = results()[1] as Record<string, unknown>;
    assert.equal(r.transaction, 'purchase');
    assert.equal(r.outcome, 'approved');
    assert.equal(r.responseCode, '00');
    assert.match(String(r.reference), /^\d{12}$/);
    assert.equal(r.maskedPan, '622202*********0017');
    await web.cards.remove();

    const purchases = host.journal.entries((e) => e.direction === 'in' && e.mti === '0200');
    assert.equal(purchases.length, 1);
    assert.equal(
      purchases[0]?.fields?.[4],
      '000000001234',
      'amount typed as 12.34 reached the host in minor units',
    );

    const displays = seen
      .filter((o) => o.kind === 'display')
      .map((o) => (o.data.lines as string[]).join(' | '));
    assert.ok(
      displays.some((t) => /INSERT/i.test(t)),
      displays.join(' / '),
    );
    assert.ok(seen.some((o) => o.kind === 'state' && o.data.state === 'cardholderVerification'));
    await waitFor((o) => o.kind === 'receipt');
    const shot = await waitFor((o) => o.kind === 'screenshot' && o.data.attachment instanceof PngAttachment);
    const png = (shot.data.attachment as PngAttachment).body;
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    assert.match(JSON.stringify(shot.data), /"bytes":\d+/, 'the attachment serialises as its size');
    assert.equal(JSON.stringify(seen).includes(FULL_PAN), false, 'no PAN in clear');
    assert.equal(await web.display.text(), (await web.terminal.status()).display);
  });

  it('void of the last purchase through the page (original reference filled in)', async () => {
    const web = d as WebDriver;
    const before = results().length;
    const ref = results()[before - 1]?.reference;
    await web.terminal.start('void', { of: 'last' });
    await web.cards.insert('mine');
    await web.keypad.enterPin(PIN);
    await waitFor(() => results().length > before);
    await web.terminal.idle(10000);
    await web.cards.remove();
    assert.equal(results()[before]?.transaction, 'void');
    // The terminal voids only a transaction of its batch with that reference: approved = the right one.
    assert.equal(results()[before]?.outcome, 'approved');
    assert.ok(ref);
    const voids = host.journal.entries(
      (e) => e.direction === 'in' && e.mti === '0200' && e.fields?.[3] === '200000',
    );
    assert.equal(voids.length, 1);
  });

  it('what the page cannot do is broken: cards it does not list, a refused transaction', async () => {
    const web = d as WebDriver;
    await assert.rejects(
      web.cards.prepare({ odd: { extends: 'no-such-card', pin: '1111' } }),
      (e: unknown) =>
        e instanceof WebDriverUnsupportedError &&
        e.verdict === 'broken' &&
        /not in the page's card list/.test(e.message),
    );
    await assert.rejects(web.cards.prepare({ odd: 'no-such-card' }), /not in the page's card list/);
    // cup-pos-ci is a POS: no withdraw. The page's button is disabled: refused at once.
    await assert.rejects(
      web.terminal.start('withdraw', { amount: 100 }),
      (e: unknown) =>
        e instanceof WebActionRefusedError && e.verdict === 'broken' && /disabled/.test(e.message),
    );
  });

  it('lab faults are broken: no browser, page unreachable', async () => {
    const noBrowser = new WebDriver({ url: ui.url, executablePath: '/nonexistent/chromium' });
    await assert.rejects(
      noBrowser.activate(),
      (e: unknown) =>
        e instanceof WebBrowserLaunchError && e.verdict === 'broken' && /nonexistent/.test(e.message),
    );
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const gone = new WebDriver({ url: `http://127.0.0.1:${port}/` });
    await assert.rejects(
      gone.activate(),
      (e: unknown) => e instanceof WebDriverError && e.verdict === 'broken' && /did not load/.test(e.message),
    );
    assert.throws(
      () => new WebDriver({ url: ui.url, selectors: { dispaly: 'x' } }),
      /unknown selector name\(s\) dispaly/,
    );
  });
});
