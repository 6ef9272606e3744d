/**
 * `payhil run` of the bundled catalogue on the ZVT benches of fixtures/labs/zvt-benches.yaml: the
 * emulator as its own process speaking ZVT (PA00P015), driven by the zvt driver over TCP (`zvt`) and a
 * socat pty pair (`zvt-serial`); cards and keys through the emulator's ECR test-mode channel. Every
 * scenario passes but those that need an ATM or an operator (skipped, the reason on the console line).
 * Wireshark's own ZVT dissector (tshark) decodes the ZVT traffic of a run, and a terminal that falls
 * silent mid-payment makes the scenario broken, not a hang.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { ZvtApduParser, ack, completion } from '../../harness/zvt/index.js';
import { runPayhil } from './payhil-cli.test-helper.js';

/** scenario id → passed | failed | broken | skipped (with the message) from a JUnit file. */
function readJunit(file: string): Map<string, string> {
  const xml = readFileSync(file, 'utf8');
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<testcase [^>]*?\sname="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const tag = /<(skipped|failure|error)\b(?:[^>]*?\bmessage="([^"]*)")?/.exec(m[2] as string);
    const status = !tag
      ? 'passed'
      : tag[1] === 'skipped'
        ? 'skipped'
        : tag[1] === 'failure'
          ? 'failed'
          : 'broken';
    out.set((m[1] as string).replace(/&amp;/g, '&'), tag?.[2] ? `${status}: ${tag[2]}` : status);
  }
  return out;
}

describe('payhil run on the ZVT benches (emulator as its own process, ZVT + test-mode channel)', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-run-zvt-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[], name: string, killAfterMs: number) {
    const junit = join(dir, `${name}.xml`);
    const { code, out } = await runPayhil(
      [
        'run',
        ...args,
        '--root',
        packageRoot(),
        '--results-dir',
        join(dir, `${name}-results`),
        '--junit',
        junit,
      ],
      dir,
      killAfterMs,
    );
    return { code, out, verdicts: existsSync(junit) ? readJunit(junit) : new Map<string, string>() };
  }

  it('--bench zvt: the catalogue passes; ATM and operator scenarios are skipped with the reason on their line', async function () {
    this.timeout(6 * 60_000);
    const started = Date.now();
    const r = await run([packagePath('scenarios'), '--bench', 'zvt'], 'zvt', 5 * 60_000);
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const v = [...r.verdicts];
    const skipped = v.filter(([, s]) => s.startsWith('skipped'));
    const passed = v.filter(([, s]) => s === 'passed');
    const other = v.filter(([, s]) => s !== 'passed' && !s.startsWith('skipped'));
    assert.deepEqual(
      other,
      [],
      `${took}\n${r.out
        .split('\n')
        .filter((l) => !l.startsWith('PASS'))
        .join('\n')}`,
    );
    assert.ok(passed.length >= 50, `${passed.length} passed`);
    // ZVT carries neither device conditions nor the card dialogue; the bench is a POS.
    for (const [id, s] of skipped) assert.match(s, /lacks (atm|operator|devices|apdu|maintenance|clock)/, id);
    // The console line of a skipped scenario says why.
    assert.match(r.out, /^SKIP .* atm\/\S+ — the bench 'zvt' lacks atm/m);
    assert.equal(r.code, 0, r.out.slice(-2000));
    // For the report: run / skipped and why.
    process.stdout.write(
      `      zvt: ${passed.length} passed, ${skipped.length} skipped (ATM, device-condition and card-dialogue scenarios), ${took}\n`,
    );
  });

  it('--bench zvt-serial: the purchase, sign-in and settlement folders pass over DLE STX … DLE ETX CRC frames', async function () {
    this.timeout(3 * 60_000);
    const paths = ['purchase', 'sign-in', 'settlement'].map((f) => packagePath('scenarios', f));
    const r = await run([...paths, '--bench', 'zvt-serial'], 'zvt-serial', 2 * 60_000);
    const v = [...r.verdicts];
    assert.ok(v.length >= 15, `${v.length} scenarios`);
    assert.deepEqual(
      v.filter(([, s]) => s !== 'passed' && !/^skipped: .*lacks (devices|clock)/.test(s)),
      [],
      r.out.slice(-3000),
    );
  });

  it("tshark's ZVT dissector decodes the run's ZVT traffic: Registration and Authorisation found", async function () {
    this.timeout(2 * 60_000);
    const pcap = join(dir, 'zvt.pcap');
    const lab = join(dir, 'zvt-capture.yaml');
    writeFileSync(
      lab,
      [
        'name: zvt-capture',
        'terminal: { driver: zvt-tcp, profile: cup-pos-ci, spawn: { listen: 127.0.0.1:0 }, pcapFile: ' +
          JSON.stringify(pcap) +
          ' }',
        'card: { presenter: test-mode }',
        'network: { proxy: true, listen: 127.0.0.1:0 }',
        'host: { mode: simulator, profile: default }',
        'dialect: cup',
      ].join('\n'),
    );
    const r = await run(
      [packagePath('scenarios', 'purchase', 'chip-pin-approved.yaml'), '--lab', lab],
      'capture',
      90_000,
    );
    assert.equal(r.code, 0, r.out);
    const port = execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'tcp.dstport', '-c', '1'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const decoded = execFileSync('tshark', ['-r', pcap, '-d', `tcp.port==${port},zvt`, '-V'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 << 20,
    });
    assert.match(decoded, /Control-field: Registration \(0x0600\)/);
    assert.match(decoded, /Control-field: Authorisation \(0x0601\)/);
    assert.match(decoded, /Control-field: Status Information \(0x040f\)/);
    assert.match(decoded, /Amount: 1250/);
    assert.doesNotMatch(decoded, /Malformed/i);
  });

  describe('a ZVT terminal that falls silent mid-payment', () => {
    let silent: Server;
    let port: number;
    before(async () => {
      // Completes Registration and Diagnosis, ACKs an Authorisation, then says nothing.
      silent = createServer((s) => {
        const p = new ZvtApduParser();
        s.on('data', (d) => {
          for (const a of p.push(d)) {
            if (a.cls === 0x06 && (a.ins === 0x00 || a.ins === 0x70))
              s.write(Buffer.concat([ack(), completion()]));
            else if (a.cls === 0x06) s.write(ack());
          }
        });
        s.on('error', () => undefined);
      });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      port = (silent.address() as AddressInfo).port;
    });
    after(() => silent.close());

    it('makes the scenario broken with a clear error within the bound, never a hang', async function () {
      this.timeout(60_000);
      const lab = join(dir, 'zvt-silent.yaml');
      writeFileSync(
        lab,
        [
          'name: zvt-silent',
          `terminal: { driver: zvt-tcp, address: '127.0.0.1:${port}', zvtSilenceTimeout: 1s }`,
          'card: { presenter: operator }',
          'network: { proxy: true, listen: 127.0.0.1:0 }',
          'host: { mode: simulator, profile: default }',
          'dialect: cup',
        ].join('\n'),
      );
      const scenario = join(dir, 'silent.yaml');
      writeFileSync(
        scenario,
        [
          'title: A payment the terminal never finishes',
          'steps:',
          "  - purchase: { amount: '1.00' }",
          '  - expect:',
          '      display: /NEVER SHOWN/',
          '      within: 30s',
        ].join('\n'),
      );
      const started = Date.now();
      const r = await run([scenario, '--lab', lab], 'silent', 45_000);
      const v = [...r.verdicts];
      assert.equal(v.length, 1, r.out);
      assert.match(
        v[0]?.[1] ?? '',
        /^broken: .*no answer within 1000 ms while waiting for the terminal's next message during purchase/,
        r.out,
      );
      assert.ok(Date.now() - started < 30_000, 'stopped by the fault, not by the 30 s window');
    });
  });
});
