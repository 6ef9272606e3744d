/**
 * `payhil run` on the nexo lab bench (fixtures/labs/nexo.yaml): the whole bundled catalogue against the
 * emulator as its own process, driven over nexo Retailer (Sale-to-POI JSON, HTTP POST /nexo), cards and
 * keys through the emulator's ECR test channel. Every scenario the bench can serve passes; the others are
 * skipped with the reason (ATM scenarios: the bench has no `atm`; pre-authorisation: nexo carries no
 * preAuth step payhil maps). And a nexo terminal that stops answering mid-payment ends the scenario
 * broken, with the reason, within the driver's recovery bound.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { encodeNexo, nexoResponse, nexoStatus, parseNexo } from '../../harness/nexo/index.js';
import { findYamlFiles } from '../../harness/scenario/find-files.js';
import { loadScenarioFiles } from '../../harness/scenario/loader.js';
import { runPayhil } from './payhil-cli.test-helper.js';

/** scenario id → [status, message] from a JUnit file. */
function readJunit(file: string): Map<string, [string, string]> {
  const xml = readFileSync(file, 'utf8');
  const out = new Map<string, [string, string]>();
  const un = (s: string): string =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  for (const m of xml.matchAll(/<testcase [^>]*?\sname="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const tag = /<(skipped|failure|error)\b(?:[^>]*?\bmessage="([^"]*)")?/.exec(m[2] as string);
    const status = !tag
      ? 'passed'
      : tag[1] === 'skipped'
        ? 'skipped'
        : tag[1] === 'failure'
          ? 'failed'
          : 'broken';
    out.set(un(m[1] as string), [status, un(tag?.[2] ?? '')]);
  }
  return out;
}

describe('payhil run on the nexo bench', function () {
  let dir: string;
  let catalogue: { id: string; lacks: string[]; preAuth: boolean }[];

  before(function () {
    this.timeout(30_000);
    dir = mkdtempSync(join(tmpdir(), 'payhil-run-nexo-'));
    const { files } = findYamlFiles([packagePath('scenarios')], packageRoot());
    const { scenarios } = loadScenarioFiles(files, { root: packageRoot() });
    catalogue = scenarios.map((s) => ({
      id: s.id,
      // What the nexo bench does not offer: an ATM, an operator, device conditions, the card dialogue.
      lacks: s.requires.filter((w) =>
        ['atm', 'operator', 'devices', 'apdu', 'maintenance', 'clock'].includes(w),
      ),
      preAuth: JSON.stringify(s.steps).includes('"action":"preAuth"'),
    }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--bench nexo: the catalogue passes where nexo can carry it; the rest is skipped with the reason', async function () {
    this.timeout(8 * 60_000);
    const junit = join(dir, 'nexo.xml');
    const { code, out } = await runPayhil(
      [
        'run',
        packagePath('scenarios'),
        '--root',
        packageRoot(),
        '--bench',
        'nexo',
        '--results-dir',
        join(dir, 'results'),
        '--junit',
        junit,
      ],
      dir,
      7 * 60_000,
    );
    const printed = out
      .split('\n')
      .filter((l) => !/^PASS /.test(l))
      .join('\n');
    const v = readJunit(junit);
    const counts = { run: 0, passed: 0, skipped: 0, lacking: 0, preAuth: 0 };
    for (const s of catalogue) {
      const [status, message] = v.get(s.id) ?? ['absent', ''];
      if (s.lacks.length > 0) {
        assert.equal(status, 'skipped', s.id);
        assert.match(message, new RegExp(`the bench 'nexo' lacks ${s.lacks.join(', ')}`), s.id);
        counts.lacking++;
      } else if (s.preAuth) {
        assert.equal(status, 'skipped', s.id);
        assert.match(
          message,
          /cannot serve it: its step 'preAuth' \(line \d+\) is a transaction payhil does not map onto nexo/,
        );
        counts.preAuth++;
      } else {
        assert.equal(status, 'passed', `${s.id}: ${message}\n${printed}`);
        counts.run++;
      }
      if (status === 'passed') counts.passed++;
      if (status === 'skipped') counts.skipped++;
    }
    // The console line of a skipped scenario says why.
    assert.match(out, /SKIP .* purchase\/pre-auth — the bench 'nexo' cannot serve it: its step 'preAuth'/);
    assert.equal(code, 0, printed);
    assert.ok(counts.run >= 50, JSON.stringify(counts));
    assert.equal(counts.skipped, counts.lacking + counts.preAuth);
    // Figures for the record: how much of the catalogue the nexo bench serves.
    this.test!.title += ` (${counts.passed} passed, ${counts.skipped} skipped: ${counts.lacking} need atm, an operator, devices or apdu, ${counts.preAuth} need preAuth)`;
  });

  it('a nexo terminal that stops answering mid-payment: the scenario is broken with the reason, never a hang', async function () {
    this.timeout(90_000);
    // A stub terminal: it answers Diagnosis, drops every Payment and TransactionStatus connection.
    const categories: string[] = [];
    const server: Server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        if (req.url !== '/nexo') return res.writeHead(404).end();
        const m = parseNexo(text);
        categories.push(m.header.MessageCategory);
        if (m.header.MessageCategory !== 'Diagnosis') return req.socket.destroy();
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            encodeNexo(
              nexoResponse(m.header, { Response: nexoStatus(true), POIStatus: { GlobalStatus: 'OK' } }),
            ),
          );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      writeFileSync(
        join(dir, 'silent.yaml'),
        `name: silent\nterminal: { driver: nexo, url: 'http://127.0.0.1:${port}/nexo', profile: cup-pos-ci }\n` +
          `card: { presenter: in-process }\nnetwork: { proxy: true, listen: '127.0.0.1:0' }\nhost: { mode: simulator }\n` +
          `capabilities: [nexo, host, network]\ntimeouts: { scenario: 60s, step: 30s }\n`,
      );
      writeFileSync(
        join(dir, 'pay.yaml'),
        `title: a payment the terminal never answers\nrequires: [host]\nsteps:\n  - purchase: { amount: '1.00' }\n` +
          `  - expect:\n      display: /APPROVED/i\n      within: 40s\n`,
      );
      const junit = join(dir, 'silent.xml');
      const started = Date.now();
      const { out } = await runPayhil(
        [
          'run',
          join(dir, 'pay.yaml'),
          '--root',
          dir,
          '--lab',
          join(dir, 'silent.yaml'),
          '--results-dir',
          join(dir, 'silent-results'),
          '--junit',
          junit,
        ],
        dir,
        80_000,
      );
      const took = Date.now() - started;
      assert.ok(out.includes('payhil run: 1 scenario'), out);
      const [[, [status, message]] = ['', ['absent', '']]] = [...readJunit(junit)];
      assert.equal(status, 'broken', out);
      assert.match(
        message,
        /stopped answering service \d+ \(Payment\).*could not be recovered within 15000 ms/,
        message,
      );
      assert.ok(categories.includes('TransactionStatus'), categories.join(' '));
      // Bounded by the recovery bound (15 s) and start-up, far below the 40 s the expectation would wait.
      assert.ok(took < 40_000, `${took} ms`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
