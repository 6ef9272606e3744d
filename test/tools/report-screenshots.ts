/**
 * Regenerates the screenshots of the Allure report in docs/img/ (shown in docs/reports.md):
 *
 *   npm run build && node dist/test/tools/report-screenshots.js [OUT_DIR]
 *
 * Two runs of the card and purchase scenarios on the embedded bench (a clean one, then one with the
 * emulator defect `accepts-expired-card`, so the second has a product failure and a trend), the HTML
 * report generated with allure-commandline (needs Java), served on 127.0.0.1, and photographed with
 * headless Chromium (playwright-core, /usr/bin/chromium): the overview, the failed scenario with its
 * steps, and its decoded ISO 8583 frames. Everything happens in a temporary folder, removed at the end.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium } from 'playwright-core';
import { memoryIo } from '../../harness/cli/command.js';
import { main } from '../../harness/cli/main.js';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';

const CHROMIUM = process.env.PAYHIL_CHROMIUM ?? '/usr/bin/chromium';
const FAILING_TITLE = /expired card is refused/i;
/** The scenario whose ISO 8583 frames are shown: a chip purchase (0800/0810, 0200/0210 with field 55). */
const FRAMES_TITLE = /^Chip purchase with online PIN approved/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** A static file server for the report folder on 127.0.0.1 (the report loads its data by XHR). */
function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      r({ server, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

async function run(work: string, ...extra: string[]): Promise<void> {
  const io = memoryIo(packageRoot());
  await main(
    [
      'run',
      'scenarios/card',
      'scenarios/purchase',
      '--results-dir',
      join(work, 'allure-results'),
      '--history-dir',
      join(work, 'history'),
      '--report',
      ...extra,
    ],
    io,
  );
  const out = io.stdout.join('\n');
  if (!/^report: /m.test(out)) throw new Error(`no report generated:\n${out}\n${io.stderr.join('\n')}`);
}

async function shots(): Promise<void> {
  const out = resolve(process.argv[2] ?? packagePath('docs', 'img'));
  mkdirSync(out, { recursive: true });
  // PAYHIL_REPORT_WORK=DIR: reuse the runs already in DIR (DIR/allure-report), kept afterwards.
  const reuse = process.env.PAYHIL_REPORT_WORK;
  const work = reuse ?? mkdtempSync(join(tmpdir(), 'payhil-report-shots-'));
  try {
    if (!reuse) {
      await run(work);
      await run(work, '--defect', 'accepts-expired-card');
    }
    const report = join(work, 'allure-report');
    const cases = join(report, 'data', 'test-cases');
    const all = readdirSync(cases).map(
      (f) =>
        JSON.parse(readFileSync(join(cases, f), 'utf8')) as { uid: string; name: string; status: string },
    );
    const failed = all.find((c) => c.status === 'failed' && FAILING_TITLE.test(c.name));
    const purchase = all.find((c) => c.status === 'passed' && FRAMES_TITLE.test(c.name));
    if (!failed || !purchase)
      throw new Error('the failed scenario or the chip purchase is not in the report');
    const { server, url } = await serve(report);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(url, { waitUntil: 'networkidle' });
      await page.waitForSelector('.widget', { timeout: 15_000 });
      await page.screenshot({ path: join(out, 'report-overview.png') });

      await page.goto(`${url}#testresult/${failed.uid}`, { waitUntil: 'networkidle' });
      await page.waitForSelector('.test-result__name, .pane__title', { timeout: 15_000 });
      // The steps (under "Test body", open by default) and the failing step's file:line parameter.
      await page.waitForSelector('.attachment-row', { state: 'visible', timeout: 15_000 });
      for (const step of await page.locator('.step__content .step__title_hasContent').all())
        await step.click().catch(() => undefined);
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(out, 'report-failed-scenario.png'), fullPage: true });

      // The decoded ISO 8583 frames of a chip purchase, opened in place (an HTML attachment in a frame).
      await page.goto(`${url}#testresult/${purchase.uid}`, { waitUntil: 'networkidle' });
      const frames = page.locator('.attachment-row:visible', { hasText: 'ISO 8583 frames' }).first();
      await frames.click();
      await page.waitForTimeout(1500);
      await frames.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: join(out, 'report-iso8583-frames.png') });

      // The same attachment on its own (the 0200 with the tags of field 55), as "open in a new tab" shows it.
      const data = JSON.parse(readFileSync(join(cases, `${purchase.uid}.json`), 'utf8')) as {
        testStage?: { attachments?: { name: string; source: string }[] };
      };
      const source = data.testStage?.attachments?.find((a) => a.name.startsWith('ISO 8583 frames'))?.source;
      if (!source) throw new Error('no ISO 8583 frames attachment on the chip purchase');
      await page.goto(`${url}data/attachments/${source}`, { waitUntil: 'load' });
      const h2 = page.locator('h2', { hasText: 'request 0200' }).first();
      await h2.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: join(out, 'report-iso8583-0200.png') });
    } finally {
      await browser.close();
      server.close();
    }
    process.stdout.write(`screenshots in ${out}\n`);
  } finally {
    if (!reuse) rmSync(work, { recursive: true, force: true });
  }
}

await shots();
