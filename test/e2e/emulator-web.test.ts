/**
 * The emulator's web UI in Debian's Chromium, driven by Playwright through the page's data-testid
 * selectors: sign-in, a chip purchase with the PIN typed on the page's keypad against the real host
 * simulator on 127.0.0.1, APPROVED and the receipt on the page. Needs /usr/bin/chromium (.ci/run installs
 * it); shown as pending with what it needs otherwise.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { packagePath } from '../../harness/common/project-root.js';
import { createTerminal, TerminalEvents, type EmulatedTerminal } from '../../harness/emulator/index.js';
import { EcrTerminalAdapter } from '../../harness/emulator/ecr-terminal-adapter.js';
import { startWebUi, WEB_SELECTORS, type WebUiHandle } from '../../harness/emulator/web/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';

const CHROMIUM = '/usr/bin/chromium';
const FULL_PAN = '6222021000000000017';
const MASKED_PAN = '622202*********0017';
const PIN = '123456'; // cup-debit fixture's test PIN

describe('e2e: emulator web UI in Chromium (Playwright)', function () {
  this.timeout(40000);
  let host: HostHandle;
  let terminal: EmulatedTerminal;
  let ui: WebUiHandle;
  let browser: Browser | undefined;
  let page: Page;
  const id = (name: string) => page.getByTestId(name);

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip(); // pending: needs Debian's chromium
    host = await startHost({ dialect: 'cup' });
    const events = new TerminalEvents();
    terminal = await createTerminal({ profile: 'cup-pos-ci', host: host.address, events });
    const adapter = new EcrTerminalAdapter({ terminal });
    ui = await startWebUi({ adapter, events });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(ui.url);
    await page.locator(`[data-testid="${WEB_SELECTORS.statusLink}"][data-connected="yes"]`).waitFor();
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
    await terminal?.close();
    await host?.close();
  });

  it('shows the terminal before sign-in', async () => {
    assert.equal(await id('display-line-0').textContent(), 'PLEASE SIGN IN');
    assert.equal(await id(WEB_SELECTORS.statusSignedIn).textContent(), 'no');
    assert.equal(await id(WEB_SELECTORS.statusProfile).textContent(), 'cup-pos-ci');
    const cards = await id(WEB_SELECTORS.cardPicker).locator('option').allTextContents();
    assert.ok(cards.includes('cup-debit') && cards.includes('phone-wallet'), cards.join(','));
  });

  it('signs in, then buys 12.34 by chip with the PIN typed on the page keypad: APPROVED and a receipt', async () => {
    await id('tx-signIn').click();
    await page.locator('[data-testid="status-signed-in"]:text-is("yes")').waitFor();
    assert.equal(await id('display-line-0').textContent(), 'WELCOME');

    await id(WEB_SELECTORS.amount).fill('12.34');
    await id('tx-purchase').click();
    await page.locator('[data-testid="terminal"][data-state="waitingForCard"]').waitFor();
    await id(WEB_SELECTORS.cardPicker).selectOption('cup-debit');
    await id(WEB_SELECTORS.cardInsert).click();
    await page.locator('[data-testid="terminal"][data-state="cardholderVerification"]').waitFor();
    await page.locator('[data-testid="display"]:has-text("PLEASE ENTER PIN")').waitFor();
    for (const d of PIN) await id(`key-${d}`).click();
    // PIN entry shows '*' only, never the digits.
    assert.equal(await id(WEB_SELECTORS.pinMask).textContent(), '******');
    assert.ok(!(await page.content()).includes(PIN), 'no PIN digits in the page');
    await page.screenshot({ path: screenshotPath('emulator-web-pin.png') });
    await id('key-enter').click();

    const result = page.locator('[data-testid="result"][data-transaction="purchase"]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-outcome'), 'approved');
    assert.equal(await result.getAttribute('data-response-code'), '00');
    assert.equal(await result.textContent(), 'APPROVED');
    await page.locator('[data-testid="receipt"]:has-text("622202")').waitFor();
    const receipt = (await id(WEB_SELECTORS.receipt).textContent()) ?? '';
    assert.ok(receipt.includes(MASKED_PAN), receipt);
    assert.ok(receipt.includes('12.34'), receipt);
    const html = await page.content();
    assert.ok(!html.includes(FULL_PAN), 'no full PAN in the page');
    assert.equal(await id('card-slot').getAttribute('data-occupied'), 'yes');
    await page.screenshot({ path: screenshotPath('emulator-web-approved.png') });

    // The host saw a chip purchase with an online PIN: field 22 = 051, a PIN block in field 52.
    const req = host.journal.entries((e) => e.direction === 'in' && e.mti === '0200').at(-1);
    assert.ok(req, 'a 0200 reached the host');
    const fields = req.fields ?? {};
    assert.equal(fields['22']?.slice(0, 3), '051');
    assert.ok(fields['52'], 'PIN block present');

    await id(WEB_SELECTORS.cardRemove).click();
    await page.locator('[data-testid="terminal"][data-state="idle"]').waitFor();
    assert.equal(await id('card-slot').getAttribute('data-occupied'), 'no');
  });

  it('CANCEL on the keypad cancels a purchase waiting for a card', async () => {
    await id(WEB_SELECTORS.amount).fill('5.00');
    await id('tx-purchase').click();
    await page.locator('[data-testid="terminal"][data-state="waitingForCard"]').waitFor();
    await id('key-cancel').click();
    await page.locator('[data-testid="result"][data-outcome="cancelled"]').waitFor();
    assert.equal(await id('result').textContent(), 'CANCELLED');
  });

  it('shows a refusal: void without an original reference', async () => {
    await id(WEB_SELECTORS.originalReference).fill('');
    await id('tx-void').click();
    await page.locator('[data-testid="error"]:has-text("originalReference")').waitFor();
  });

  it('shows a Chinese-language profile in Chinese (iso87-pos, language zh)', async () => {
    const events = new TerminalEvents();
    const zh = await createTerminal({ profile: 'iso87-pos', host: host.address, events });
    const zhUi = await startWebUi({ adapter: new EcrTerminalAdapter({ terminal: zh }), events });
    const p2 = await (browser as Browser).newPage({ viewport: { width: 1000, height: 700 } });
    try {
      await p2.goto(zhUi.url);
      await p2.locator('[data-testid="status-link"][data-connected="yes"]').waitFor();
      assert.equal(await p2.getByTestId('display-line-0').textContent(), '请先签到');
      assert.equal(await p2.locator('html').getAttribute('lang'), 'zh-CN');
      await p2.screenshot({ path: screenshotPath('emulator-web-zh.png') });
    } finally {
      await p2.close();
      await zhUi.close();
      await zh.close();
    }
  });

  it('refuses bad requests over HTTP without touching the terminal', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(new URL('api/request', ui.url), { method: 'POST', headers: { 'content-type': type }, body });
    assert.equal((await post('{"op":"explode"}')).status, 400);
    assert.equal((await post('not json')).status, 400);
    assert.equal((await post('{"op":"card","action":"insert","card":"/etc/passwd"}')).status, 400);
    assert.equal((await post('{"op":"key","keys":["X"]}')).status, 400);
    assert.equal((await post('{"op":"status"}', 'text/plain')).status, 415);
    assert.equal((await fetch(new URL('nowhere', ui.url))).status, 404);
    const ok = await post('{"op":"status"}');
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { result: { state: string; signedIn: boolean } };
    assert.equal(body.result.signedIn, true);
  });
});

function screenshotPath(name: string): string {
  const dir = packagePath('reports', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
