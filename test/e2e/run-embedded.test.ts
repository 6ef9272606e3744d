/**
 * `payhil run` end to end on the embedded bench (emulated terminal, virtual cards, fault proxy and host
 * simulator on 127.0.0.1): bundled scenarios pass, a deliberately wrong scenario fails with a clear
 * difference, a bench whose host is unreachable is broken, and the CLI writes Allure and JUnit results.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { createEmbeddedBench } from '../../harness/bench/index.js';
import { memoryIo } from '../../harness/cli/command.js';
import { runCommand } from '../../harness/cli/run-command.js';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { AllureWriter, JunitWriter } from '../../harness/report/index.js';
import { runScenarios } from '../../harness/runner/index.js';
import { loadDialect, decodeFrame, FrameParser, type DecodedFrame } from '../../harness/iso8583/index.js';
import { readPcap } from '../../harness/net/index.js';
import { loadScenarios } from '../../harness/scenario/index.js';

// Bundled scenarios that pass on the embedded bench and run fast.
const BUNDLED_FILES = ['scenarios/account/risk-control.yaml', 'scenarios/card/card-side-failures.yaml'];
const BUNDLED_IDS = ['account/risk-control', 'card/unsupported-aid', 'card/damaged-chip-fallback'];

/** PAN of fixtures/cards/cup-debit.yaml, the card of the scenario below. */
const TEST_PAN =
  /pan: '(\d+)'/.exec(readFileSync(packagePath('fixtures', 'cards', 'cup-debit.yaml'), 'utf8'))?.[1] ?? '';

/** A digit string packed as BCD from its first digit and from its second (both nibble alignments). */
function bcdForms(digits: string): Buffer[] {
  const even = (x: string): string => x.slice(0, x.length - (x.length % 2));
  return [Buffer.from(even(digits), 'hex'), Buffer.from(even(digits.slice(1)), 'hex')];
}

/** Every ISO 8583 frame of every TCP direction of a capture, decoded with the CUP dialect. */
function isoFrames(pcap: Buffer): DecodedFrame[] {
  const cup = loadDialect('cup');
  const parsers = new Map<string, FrameParser>();
  const out: DecodedFrame[] = [];
  for (const p of readPcap(pcap).packets) {
    const t = p.tcp;
    if (!t || t.payloadLength === 0) continue;
    const key = `${t.srcIp}:${t.srcPort}>${t.dstIp}:${t.dstPort}`;
    let parser = parsers.get(key);
    if (!parser) parsers.set(key, (parser = new FrameParser(cup)));
    for (const f of parser.push(pcap.subarray(t.payloadOffset, t.payloadOffset + t.payloadLength)))
      out.push(decodeFrame(cup, f));
  }
  return out;
}

const WRONG = `title: Approval expected on an empty account (deliberately wrong)
cards:
  card: cup-debit
host:
  accounts:
    card: { balance: 0 }
steps:
  - signIn:
  - expect: { terminal: { state: signedIn }, within: 5s }
  - purchase: { amount: '10.00' }
  - insert: { card: card }
  - enterPin: { pin: '123456' }
  - expect:
      host:
        request: { mti: '0200' }
        response: { '39': '00' }
      within: 3s
finally:
  - remove:
`;

describe('payhil run on the embedded bench', function () {
  this.timeout(60000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-run-'));
    writeFileSync(join(dir, 'empty-account.yaml'), WRONG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function bundled(): ReturnType<typeof loadScenarios> {
    const files = BUNDLED_FILES.map((f) => packagePath(...f.split('/')));
    return loadScenarios(files, { root: packageRoot() }).filter((s) => BUNDLED_IDS.includes(s.id));
  }

  it('runs bundled scenarios through mocha, all passed, with Allure and JUnit results', async () => {
    const scenarios = bundled();
    assert.ok(scenarios.length >= 3);
    const results = join(dir, 'allure-a');
    const junit = join(dir, 'a.xml');
    const summary = await runScenarios(scenarios, {
      bench: createEmbeddedBench(),
      reporters: [new AllureWriter({ resultsDir: results }), new JunitWriter(junit)],
    });
    for (const r of summary.runs) assert.equal(r.status, 'passed', `${r.scenario.id}: ${r.message ?? ''}`);
    assert.equal(summary.counts.passed, scenarios.length);
    assert.equal(readdirSync(results).filter((f) => f.endsWith('-result.json')).length, scenarios.length);
    assert.ok(existsSync(join(results, 'environment.properties')));
    assert.match(
      readFileSync(junit, 'utf8'),
      new RegExp(`tests="${scenarios.length}" failures="0" errors="0"`),
    );
    // The timeline holds what the bench saw: host messages, displays, APDUs.
    const kinds = new Set(summary.runs[0]?.timeline.entries().map((e) => e.kind));
    for (const k of ['host', 'display', 'apdu', 'step', 'result'])
      assert.ok(kinds.has(k as never), `timeline has ${k}`);
  });

  it('reports the deliberately wrong scenario failed, with the closest exchange and the difference; no clear PAN in any report, a masked pcap attached', async () => {
    const scenarios = loadScenarios([join(dir, 'empty-account.yaml')], { root: dir });
    const results = join(dir, 'allure-wrong');
    const junit = join(results, 'junit.xml');
    const summary = await runScenarios(scenarios, {
      bench: createEmbeddedBench(),
      reporters: [new AllureWriter({ resultsDir: results }), new JunitWriter(junit)],
    });
    const run = summary.runs[0];
    assert.equal(run?.status, 'failed');
    assert.equal(run?.category, 'product');
    assert.match(run?.message ?? '', /response\.39: expected = 00, got 51/);
    assert.match(run?.message ?? '', /closest exchange/);
    assert.ok(!(run?.message ?? '').includes(TEST_PAN), 'no PAN in clear');
    // Masked by field: the merchant id is shown as sent, not as a PAN.
    assert.match(run?.message ?? '', / 42=\d{15} /);

    // The Allure result carries the scenario's traffic as a masked pcap…
    const resultFile = readdirSync(results).find((f) => f.endsWith('-result.json')) as string;
    const result = JSON.parse(readFileSync(join(results, resultFile), 'utf8')) as {
      statusDetails: { message: string };
      attachments: { name: string; type: string; source: string }[];
    };
    const pcap = result.attachments.find((a) => a.type === 'application/vnd.tcpdump.pcap');
    assert.ok(pcap, `a pcap attachment in ${JSON.stringify(result.attachments)}`);
    assert.equal(pcap.name, 'host traffic (masked).pcap');
    assert.match(result.statusDetails.message, / 42=\d{15} /);
    const frames = isoFrames(readFileSync(join(results, pcap.source)));
    assert.ok(
      frames.some((f) => f.mti === '0200'),
      'the purchase is in the capture',
    );
    assert.match(TEST_PAN, /^\d{13,19}$/);
    assert.ok(
      frames.some((f) => f.fields[2] !== undefined),
      'the capture carries field 2',
    );
    for (const f of frames.filter((x) => x.fields[2] !== undefined))
      assert.equal(
        f.fields[2],
        `${TEST_PAN.slice(0, 6)}${'0'.repeat(TEST_PAN.length - 10)}${TEST_PAN.slice(-4)}`,
      );

    // The APDU trace shows the application (the SELECT's AID) but not the cardholder (name 5F20).
    const trace = result.attachments.find((a) => a.name === 'APDU trace');
    assert.ok(trace, `an APDU trace in ${JSON.stringify(result.attachments)}`);
    const traceText = readFileSync(join(results, trace.source), 'utf8');
    assert.match(traceText, /C: 00A4040008A00000033301010100/, 'the SELECT of the AID in clear');
    assert.ok(!traceText.includes(Buffer.from('PAYHIL/TEST DEBIT').toString('hex').toUpperCase()), 'no name');
    assert.match(traceText, /5F2011\*{34}/, 'the cardholder name hidden, its length kept');

    // …and the clear test PAN appears nowhere in the results folder, in ASCII or in BCD.
    const forms = [Buffer.from(TEST_PAN), ...bcdForms(TEST_PAN)];
    for (const f of readdirSync(results)) {
      const bytes = readFileSync(join(results, f));
      for (const form of forms)
        assert.ok(!bytes.includes(form), `${f} holds the clear PAN (${form.toString('hex')})`);
    }
  });

  it('reports a bench whose host is unreachable as broken, not failed', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const scenarios = bundled().slice(0, 1);
    const summary = await runScenarios(scenarios, {
      bench: createEmbeddedBench({ externalHost: { host: '127.0.0.1', port } }),
    });
    const run = summary.runs[0];
    assert.equal(run?.status, 'broken');
    assert.equal(run?.category, 'lab');
    assert.equal(run?.errorCode, 'E_BENCH_HOST_UNREACHABLE');
    assert.match(run?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${port} is unreachable`));
  });

  it('CLI: exit 0 when all pass, 1 when one fails, 2 for usage errors', async () => {
    const io = memoryIo(dir);
    const ok = await runCommand.run(
      [
        packagePath('scenarios', 'account', 'risk-control.yaml'),
        '--root',
        packageRoot(),
        '--results-dir',
        'r1',
        '--junit',
        'r1.xml',
      ],
      io,
    );
    assert.equal(ok, 0, io.stderr.join('\n'));
    assert.ok(
      io.stdout.some((l) => /^PASS +\d+ ms {2}account\/risk-control$/.test(l)),
      io.stdout.join('\n'),
    );
    assert.ok(existsSync(join(dir, 'r1.xml')));
    const io2 = memoryIo(dir);
    assert.equal(await runCommand.run(['empty-account.yaml', '--results-dir', 'r2'], io2), 1);
    assert.ok(io2.stdout.some((l) => /^FAIL /.test(l)));
    await assert.rejects(runCommand.run(['--retries', 'many'], memoryIo(dir)), /--retries must be 0\.\.10/);
    await assert.rejects(
      runCommand.run(['--bogus'], memoryIo(dir)),
      (e: unknown) => (e as { verdict?: string }).verdict === 'usage',
    );
  });
});
