/**
 * `payhil run` of the WHOLE bundled catalogue on the self-contained lab benches of
 * fixtures/labs/emulator-process.yaml: the emulator as its own process reached over a socat pty pair
 * (ecr-serial) and through its web UI in Debian's Chromium (web), with the host simulator behind the
 * fault proxy. The ATM scenarios run on the same way into an emulator started as an ATM (ecr-serial-atm,
 * web-atm; every scenario that needs an ATM, by its tag `atm`). Every scenario passes, except those the
 * embedded bench skips too, for the same reason (they need an operator); the scenarios that read the card
 * dialogue (`expect apdu`) pass too, from the emulator's card-reader trace on its ECR test-mode channel. The
 * benches are named with --bench alone (found inside the multi-bench lab file).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { createEmbeddedBench } from '../../harness/bench/index.js';
import { runPayhil } from './payhil-cli.test-helper.js';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { findYamlFiles } from '../../harness/scenario/find-files.js';
import { loadScenarioFiles } from '../../harness/scenario/loader.js';

interface Verdicts {
  /** scenario id → passed | failed | broken | skipped */
  status: Map<string, string>;
  /** scenario id → why it was skipped (or the failure message) */
  detail: Map<string, string>;
}

const unescapeXml = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Verdicts per scenario from a JUnit file of `payhil run`. */
function readJunit(file: string): Verdicts {
  const xml = readFileSync(file, 'utf8');
  const v: Verdicts = { status: new Map(), detail: new Map() };
  for (const m of xml.matchAll(/<testcase [^>]*?\sname="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const id = unescapeXml(m[1] as string);
    const body = m[2] as string;
    const tag = /<(skipped|failure|error)\b(?:[^>]*?\bmessage="([^"]*)")?/.exec(body);
    const status = !tag
      ? 'passed'
      : tag[1] === 'skipped'
        ? 'skipped'
        : tag[1] === 'failure'
          ? 'failed'
          : 'broken';
    v.status.set(id, status);
    if (tag?.[2] !== undefined) v.detail.set(id, unescapeXml(tag[2]));
  }
  return v;
}

describe('payhil run: the whole catalogue on lab benches with the emulator as its own process', function () {
  let dir: string;
  /** Every scenario id of the bundled catalogue. */
  let catalogue: string[];
  /** The ids the embedded bench skips, and what they lack there. */
  const embeddedSkips = new Map<string, string[]>();
  /** The ids that read the card dialogue (`apdu`): they run on these benches too (not skipped). */
  const apduIds = new Set<string>();
  /** The ids that need an ATM (all tagged `atm`): run on the ATM bench. */
  const atmIds = new Set<string>();
  /**
   * The ids these benches skip besides: a terminal that signs in daily (profile `signIn.daily`), which the
   * bench's terminal (it runs its own profile) is not.
   */
  const labOnlySkips = new Set<string>();

  before(function () {
    this.timeout(30_000);
    dir = mkdtempSync(join(tmpdir(), 'payhil-run-lab-'));
    const { files } = findYamlFiles([packagePath('scenarios')], packageRoot());
    const { scenarios } = loadScenarioFiles(files, { root: packageRoot() });
    catalogue = scenarios.map((s) => s.id);
    const embedded = createEmbeddedBench();
    for (const s of scenarios) {
      const missing = embedded.missing(s.requires);
      if (missing.length) embeddedSkips.set(s.id, missing);
      else if (s.requires.includes('apdu')) apduIds.add(s.id);
      if (s.requires.includes('atm')) {
        assert.ok(s.tags.includes('atm'), `${s.id} needs an ATM: tag it atm`);
        atmIds.add(s.id);
      }
      if (s.bench.terminal === 'cup-pos-ci-daily-sign-in') labOnlySkips.add(s.id);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the embedded bench skips only scenarios that need an operator', () => {
    assert.ok(catalogue.length >= 50, `${catalogue.length} scenarios`);
    assert.ok(embeddedSkips.size > 0);
    for (const [id, missing] of embeddedSkips) assert.deepEqual(missing, ['operator'], id);
  });

  /** Runs `paths` on `bench` (named with --bench alone): exit code, console lines, verdicts from JUnit. */
  async function run(
    bench: string,
    paths: string[],
    killAfterMs: number,
    extra: string[] = [],
  ): Promise<Verdicts & { code: number | null; out: string }> {
    const results = join(dir, `${bench}-results`);
    const junit = join(dir, `${bench}.xml`);
    const { code, out } = await runPayhil(
      [
        'run',
        ...paths,
        '--root',
        packageRoot(),
        '--bench',
        bench,
        '--results-dir',
        results,
        '--junit',
        junit,
        ...extra,
      ],
      dir,
      killAfterMs,
    );
    assert.match(out, new RegExp(`scenarios? on bench '${bench}'`), out);
    const env = readFileSync(join(results, 'environment.properties'), 'utf8');
    assert.match(env, /payhil emulator as its own process/);
    return { ...readJunit(junit), code, out };
  }

  /** What a run printed besides the PASS lines (the summary table, failures and their differences). */
  const notPassLines = (out: string): string =>
    out
      .split('\n')
      .filter((l) => !/^PASS /.test(l))
      .join('\n');

  for (const [pos, atm, timeoutMs] of [
    ['ecr-serial', 'ecr-serial-atm', 5 * 60_000],
    ['web', 'web-atm', 7 * 60_000],
  ] as const) {
    it(`--bench ${pos} (and ${atm} for the ATM scenarios): every scenario passes, apdu ones included; the skips are the embedded bench's`, async function () {
      this.timeout(timeoutMs);
      const started = Date.now();
      const main = await run(pos, [packagePath('scenarios')], timeoutMs - 60_000);
      const atmRun = await run(atm, [packagePath('scenarios')], 90_000, ['--tags', 'atm']);
      const took = `${pos} + ${atm} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
      const printed = `${notPassLines(main.out)}\n${notPassLines(atmRun.out)}`;
      // The ATM scenarios need a terminal started as an ATM: the POS bench skips them (no `atm`).
      const verdict = new Map<string, string>();
      for (const id of catalogue) {
        const v = atmIds.has(id) ? atmRun : main;
        if (atmIds.has(id)) assert.equal(main.status.get(id), 'skipped', `${id} on the POS bench`);
        verdict.set(id, `${v.status.get(id) ?? 'absent'}${v.detail.has(id) ? `: ${v.detail.get(id)}` : ''}`);
      }
      const notPassed = [...verdict].filter(
        ([id, s]) => !s.startsWith('passed') && !embeddedSkips.has(id) && !labOnlySkips.has(id),
      );
      assert.deepEqual(notPassed, [], `${took}\n${printed}`);
      assert.ok(apduIds.size >= 3, `${apduIds.size} scenarios read the card dialogue`);
      for (const id of apduIds) assert.match(verdict.get(id) ?? '', /^passed/, id);
      const skipped = [...verdict].filter(([, s]) => s.startsWith('skipped'));
      assert.deepEqual(
        skipped.map(([id]) => id).sort(),
        [...embeddedSkips.keys(), ...labOnlySkips].sort(),
        "the embedded bench's skips, and the scenarios that sign in daily",
      );
      for (const [id, s] of skipped)
        assert.match(
          s,
          labOnlySkips.has(id)
            ? /cannot serve it: it asks for terminal profile 'cup-pos-ci-daily-sign-in'/
            : /lacks operator$/,
          id,
        );
      assert.equal(main.code, 0, printed);
      assert.equal(atmRun.code, 0, printed);
    });
  }
});
