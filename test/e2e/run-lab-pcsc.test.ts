/**
 * `payhil run --lab fixtures/labs/emulator-process.yaml --bench pcsc`: the emulator as its own process
 * (ECR on TCP) reads its cards through pcscd from the vsmartcard reader, and the bench's `pcsc` card
 * presenter puts the scenario's virtual cards there (vpcd on 127.0.0.1:35963, the one port vpcd's
 * protocol fixes). Catalogue scenarios that insert and tap cards pass, `expect card` included (the cards
 * live in the runner's process), and the reports show that every APDU went through pcscd.
 * Needs pcscd and vsmartcard-vpcd (.ci/run installs them); pcscd is started when it is not running.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { loadCardFixture } from '../../harness/cards/index.js';
import { escapeRegExp, runPayhil } from './payhil-cli.test-helper.js';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { ensurePcscd, missingVpcdStack } from '../../harness/drivers/pcsc/index.js';
import type { VpcdLock } from '../../harness/drivers/pcsc/index.js';
import { holdVpcd, VPCD_WAIT_BUDGET_MS } from './vpcd-lock.test-helper.js';

const LAB = packagePath('fixtures', 'labs', 'emulator-process.yaml');
const READER = 'Virtual PCD 00 00';

/**
 * Inserted (contact ATR) and tapped (contactless ATR) through the reader: an offline EC tap and an
 * online QuickPass tap with `expect card`, a PIN-blocked card with `expect card`, chip purchases with
 * online PIN (debit) and offline PIN verified by the chip (an inline credit card), a decline (51), and a
 * mute chip seen by pcscd that falls back to a swipe (handed to the ECR link's test-mode swipe), and a
 * tapped card that leaves the reader mid-read (PLEASE TAP AGAIN, not CARD NOT SUPPORTED); and `expect
 * apdu` / `none: {apdu}` on the card dialogue the bench's presenter sees (a PIN-blocked card: GET DATA 9F17
 * answered 00, no VERIFY, GENERATE AC asking for an ARQC).
 */
const IDS = [
  'contactless/ec-offline-approval',
  'contactless/quickpass-no-cvm[amount=8.00]',
  'card/pin-blocked-card',
  'purchase/chip-pin-approved[card=debit,amount=12.50]',
  'purchase/chip-pin-approved[card=credit,amount=12.50]',
  'account/insufficient-funds',
  'card/damaged-chip-fallback',
  'contactless/card-moved-away[holdMs=20]',
  'contactless/card-moved-away[holdMs=80]',
  'card/dialogue-pin-blocked-no-verify',
];

interface AllureResult {
  fullName: string;
  status: string;
  attachments: { name: string; source: string }[];
}

/** The Allure results of a run, with each attachment's text. */
function results(dir: string): { result: AllureResult; text: (name: string) => string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => {
      const result = JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResult;
      const text = (name: string): string => {
        const a = result.attachments.find((x) => x.name === name);
        return a ? readFileSync(join(dir, a.source), 'utf8') : '';
      };
      return { result, text };
    });
}

describe('payhil run on the pcsc bench: virtual cards through pcscd + vpcd', function () {
  this.timeout(90_000);
  let dir: string;

  let vpcd: VpcdLock | undefined;

  before(async function () {
    // Shown as pending with what it needs (DESIGN: hardware tests without their environment).
    if (missingVpcdStack()) this.skip();
    ensurePcscd();
    // The runs below (children) work under this file's hold on vpcd.
    this.timeout(VPCD_WAIT_BUDGET_MS);
    vpcd = await holdVpcd('run-lab-pcsc');
    dir = mkdtempSync(join(tmpdir(), 'payhil-run-lab-pcsc-'));
  });
  after(() => {
    vpcd?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('inserted and tapped cards pass, expect card included; the APDUs went through the reader', async () => {
    const res = join(dir, 'results');
    const junit = join(dir, 'junit.xml');
    const { code, out } = await runPayhil(
      [
        'run',
        packagePath('scenarios'),
        '--root',
        packageRoot(),
        '--lab',
        LAB,
        '--bench',
        'pcsc',
        '--grep',
        `^(${IDS.map(escapeRegExp).join('|')})$`,
        '--results-dir',
        res,
        '--junit',
        junit,
      ],
      dir,
      80_000,
    );
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`${IDS.length} scenarios on bench 'pcsc'`));
    for (const id of IDS)
      assert.match(
        out,
        new RegExp(`^PASS +[\\d.]+ m?s {2}${escapeRegExp(id)}$`, 'm'),
        `${id} passed\n${out}`,
      );
    assert.match(readFileSync(junit, 'utf8'), new RegExp(`tests="${IDS.length}" failures="0" errors="0"`));
    const env = readFileSync(join(res, 'environment.properties'), 'utf8');
    assert.match(
      env,
      /card\.presenter = pcsc \(virtual cards through vpcd 127\.0\.0\.1:35963, PC\/SC reader 'Virtual PCD 00 00'\)/,
    );
    assert.match(env, /terminal\.reader = Virtual PCD 00 00/);

    const runs = results(res);
    assert.equal(runs.length, IDS.length);
    const of = (id: string) => {
      const r = runs.find((x) => x.result.fullName === id);
      assert.ok(r, `result of ${id}`);
      assert.equal(r.result.status, 'passed');
      return r;
    };
    // The card sits only behind vpcd: every APDU it answered came from the emulator through pcscd.
    const ec = of('contactless/ec-offline-approval');
    const ecTrace = ec.text('APDU trace');
    assert.match(
      ecTrace,
      /contactless {2}SELECT[^\n]*\n {2}C: 00A404000E325041592E5359532E444446303100/,
      'SELECT PPSE',
    );
    assert.match(ecTrace, /C: 80A80000/, 'GET PROCESSING OPTIONS');
    assert.match(
      ec.text('timeline'),
      new RegExp(
        `card 'card' moved away from PC/SC reader '${escapeRegExp(READER)}' .* after \\d+ APDUs through pcscd`,
      ),
    );
    const credit = of('purchase/chip-pin-approved[card=credit,amount=12.50]');
    const creditTrace = credit.text('APDU trace');
    assert.match(
      creditTrace,
      /^ {2}C: 0020008008<PIN block redacted>$/m,
      'offline PIN VERIFY, block redacted',
    );
    assert.match(
      credit.text('timeline'),
      new RegExp(`card 'credit' taken out of PC/SC reader '${escapeRegExp(READER)}' \\(removed\\)`),
    );
    // The card dialogue as the presenter saw it, each exchange once (the emulator's own trace is not asked
    // for on this bench): GET DATA of the PIN try counter, no VERIFY.
    const blocked = of('card/dialogue-pin-blocked-no-verify').text('APDU trace');
    assert.equal(blocked.match(/C: 80CA9F17/g)?.length, 1, blocked);
    assert.doesNotMatch(blocked, /C: 0020/, 'no VERIFY');
    // A mute chip: pcscd reports it, the terminal gets no answer and asks for the stripe.
    const mute = of('card/damaged-chip-fallback').text('timeline');
    const inserted = mute.search(/CARD +insert card /);
    assert.ok(inserted >= 0, 'the mute chip was inserted into the reader');
    assert.match(mute.slice(inserted), /DISPLAY +.*SWIPE/);

    // PANs masked everywhere (APDU responses carry 5A and 57).
    const pans = ['cup-debit', 'cup-credit', 'ec-debit', 'pin-blocked'].map((c) => loadCardFixture(c).pan);
    for (const f of readdirSync(res).filter((x) => x.endsWith('.txt') || x.endsWith('.json'))) {
      const text = readFileSync(join(res, f), 'utf8');
      for (const pan of pans) assert.ok(!text.includes(pan), `${f} holds a PAN in clear`);
    }
  });

  it('a bench whose reader pcscd does not have is broken, naming the reader and vpcd', async () => {
    const lab = join(dir, 'no-reader.yaml');
    writeFileSync(
      lab,
      [
        'name: no-reader',
        'terminal: { driver: ecr-tcp, spawn: {} }',
        "card: { presenter: pcsc, reader: 'Payhil No Such Reader' }",
        'host: { mode: simulator }',
        '',
      ].join('\n'),
    );
    const { code, out } = await runPayhil(
      [
        'run',
        packagePath('scenarios'),
        '--root',
        packageRoot(),
        '--lab',
        lab,
        '--grep',
        '^account/insufficient-funds$',
        '--results-dir',
        join(dir, 'broken-results'),
      ],
      dir,
      80_000,
    );
    assert.equal(code, 1, out);
    assert.match(
      out,
      /^BROKEN +\d+ m?s {2}account\/insufficient-funds — bench 'no-reader' could not start: /m,
    );
    assert.match(
      out,
      /pcsc card presenter: pcscd runs but has no reader 'Payhil No Such Reader' \(readers: Virtual PCD 00 00, Virtual PCD 00 01\): name one of vpcd's readers/,
    );
  });
});
