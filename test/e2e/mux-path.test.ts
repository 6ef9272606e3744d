/**
 * The card multiplexer and robot path with real parts: scenario → multiplexer driver → serial line (a
 * socat pty pair) → `payhil mux-sim` → vpcd → pcscd → the emulator (its own process, `--reader vpcd`)
 * reading the card through PC/SC; PIN keys go scenario → HTTP robot driver → mux-sim's robot → the
 * emulator's ECR test-mode channel. Catalogue chip purchases pass; scenarios a mux cannot serve are
 * skipped with the reason; a silent mux, a slot holding the wrong card and a jam make the run broken
 * with what to fix. Needs pcscd, vsmartcard-vpcd and socat (.ci/run installs them).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import {
  acquireVpcdLock,
  ensurePcscd,
  missingVpcdStack,
  type VpcdLock,
} from '../../harness/drivers/pcsc/index.js';
import { startPtyPair, type PtyPair } from '../../harness/emulator/ecr/index.js';
import { escapeRegExp, runPayhil } from './payhil-cli.test-helper.js';
import { holdVpcd, VPCD_WAIT_BUDGET_MS } from './vpcd-lock.test-helper.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));
const SLOTS = '1=cup-debit,2=cup-credit,3=ec-debit';

const PASS_IDS = [
  'purchase/chip-pin-approved[card=debit,amount=12.50]',
  'account/insufficient-funds',
  'contactless/card-moved-away[holdMs=20]',
];
/** Its card (pin-blocked) is in no slot of the lab file. */
const SKIP_ID = 'card/pin-blocked-card';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts `payhil mux-sim ARGS` and resolves once it printed its ready line. */
function startMuxSim(args: string[]): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [BIN, 'mux-sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mux-sim did not start:\n${out}`)), 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (/mux-sim ready/.test(out)) {
        clearTimeout(timer);
        resolve({ child, out: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mux-sim exited ${code}:\n${out}`));
    });
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

describe('the multiplexer path: mux driver → socat pty → mux-sim → vpcd → pcscd → emulator', function () {
  this.timeout(120_000);
  let dir: string;
  let vpcd: VpcdLock | undefined;
  let monitorVpcd: VpcdLock | undefined;
  let pty: PtyPair | undefined;
  let sim: ChildProcess | undefined;
  let ecrPort: number;
  let robotPort: number;

  before(async function () {
    if (missingVpcdStack()) this.skip();
    ensurePcscd();
    this.timeout(VPCD_WAIT_BUDGET_MS);
    vpcd = await holdVpcd('mux-path');
    // The monitor port's reader: vpcd's second slot ('Virtual PCD 00 01').
    monitorVpcd = await acquireVpcdLock({
      port: 35964,
      holder: `payhil test mux-path (pid ${process.pid})`,
      onWait: (m) => process.stderr.write(`      ${m}\n`),
    });
    dir = mkdtempSync(join(tmpdir(), 'payhil-mux-path-'));
    ecrPort = await freePort();
    robotPort = await freePort();
  });
  after(async () => {
    await stop(sim);
    await pty?.close();
    monitorVpcd?.release();
    vpcd?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh pty pair and mux-sim with `faults`; the lab file pointing at them. */
  /** `monitor`: the mux has a monitor port on vpcd's second reader, and the lab file names it. */
  async function bench(
    faults: string[],
    monitor = false,
    cards: 'mux' | 'robot' = 'mux',
    link: 'serial' | 'tcp' = 'serial',
  ): Promise<string> {
    await stop(sim);
    await pty?.close();
    pty = await startPtyPair();
    const s = await startMuxSim([
      ...(link === 'serial' ? ['--serial', pty.b] : ['--listen', '127.0.0.1:0']),
      '--slots',
      SLOTS,
      '--robot',
      `127.0.0.1:${robotPort}`,
      '--keys-to',
      `127.0.0.1:${ecrPort}`,
      ...(monitor ? ['--monitor-vpcd-port', '35964'] : []),
      ...faults,
    ]);
    sim = s.child;
    const tcpPort = /tcp 127\.0\.0\.1:(\d+)/.exec(s.out())?.[1];
    const muxAt = link === 'serial' ? `path: ${pty.a}, baudRate: 9600` : `address: 127.0.0.1:${tcpPort}`;
    const lab = join(dir, `${cards}-${link}-${faults.join('').replace(/\W/g, '') || 'ok'}.yaml`);
    writeFileSync(
      lab,
      `name: mux-e2e
terminal: { driver: ecr-tcp, profile: cup-pos-ci, spawn: { listen: 127.0.0.1:${ecrPort}, reader: vpcd } }
${
  cards === 'robot'
    ? `card: { presenter: robot, url: http://127.0.0.1:${robotPort}, rack: {cup-debit: slot1, cup-credit: slot2} }`
    : `card: { presenter: multiplexer, ${muxAt}, timeout: 2s, slots: {cup-debit: 1, cup-credit: 2}${
        monitor ? ", monitor: { reader: 'Virtual PCD 00 01' }" : ''
      } }`
}
keypad: { source: robot, url: http://127.0.0.1:${robotPort} }
network: { proxy: true, listen: 127.0.0.1:0 }
host: { mode: simulator, profile: default }
capabilities: [chip, contactless, magstripe, pinpad, printer, display, ecr, emulator, host, network, robot]
timeouts: { scenario: 90s, step: 30s }
`,
    );
    return lab;
  }

  async function run(lab: string, ids: string[], name: string) {
    const junit = join(dir, `${name}.xml`);
    const r = await runPayhil(
      [
        'run',
        packagePath('scenarios'),
        '--root',
        packageRoot(),
        '--lab',
        lab,
        '--grep',
        `^(${ids.map(escapeRegExp).join('|')})$`,
        '--results-dir',
        join(dir, `${name}-results`),
        '--junit',
        junit,
      ],
      dir,
      100_000,
    );
    return { ...r, junit: readFileSync(junit, 'utf8') };
  }

  it('catalogue chip purchases pass with cards switched by the mux and PINs pressed by the robot', async () => {
    const lab = await bench([], true);
    const { code, out, junit } = await run(lab, [...PASS_IDS, SKIP_ID], 'pass');
    for (const id of PASS_IDS)
      assert.match(
        out,
        new RegExp(`^PASS +[\\d.]+ m?s {2}${escapeRegExp(id)}$`, 'm'),
        `${id} passed\n${out}`,
      );
    assert.match(
      out,
      new RegExp(
        `^SKIP +[\\d.]+ m?s {2}${escapeRegExp(SKIP_ID)} — .*its card 'card' \\(pin-blocked, line \\d+\\) is not in a multiplexer slot`,
        'm',
      ),
      out,
    );
    assert.equal(code, 0, out);
    assert.match(junit, /tests="4" failures="0" errors="0"/);
    const env = readFileSync(join(dir, 'pass-results', 'environment.properties'), 'utf8');
    assert.match(
      env,
      /card\.presenter = multiplexer \(serial .*, 2 slots checked before the first scenario, read on monitor reader 'Virtual PCD 00 01'\)/,
    );
    assert.match(env, /keypad = robot http:\/\/127\.0\.0\.1:\d+/);
  });

  it('the same mux protocol over TCP: a purchase passes', async () => {
    const lab = await bench([], false, 'mux', 'tcp');
    const { code, out } = await run(lab, [PASS_IDS[0] as string], 'tcp');
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`^PASS +[\\d.]+ m?s {2}${escapeRegExp(PASS_IDS[0] as string)}$`, 'm'), out);
    const env = readFileSync(join(dir, 'tcp-results', 'environment.properties'), 'utf8');
    assert.match(env, /card\.presenter = multiplexer \(tcp 127\.0\.0\.1:\d+, 2 slots/);
  });

  it('a mux that does not answer: broken, saying to check power and cable', async () => {
    const lab = await bench(['--silent']);
    const { code, out, junit } = await run(lab, [PASS_IDS[1] as string], 'silent');
    assert.equal(code, 1, out);
    assert.match(
      out,
      new RegExp(
        `^BROKEN +[\\d.]+ m?s {2}${escapeRegExp(PASS_IDS[1] as string)} — bench 'mux-e2e' could not start: `,
        'm',
      ),
      out,
    );
    assert.match(junit, /no answer within 2000 ms: check the multiplexer is powered and connected/);
  });

  it('a slot that holds the wrong card: broken before the first scenario, saying which card goes where', async () => {
    const lab = await bench(['--wrong-card', '1=ec-debit']);
    const { code, out, junit } = await run(lab, [PASS_IDS[1] as string], 'wrong');
    assert.equal(code, 1, out);
    assert.match(out, /^BROKEN /m, out);
    assert.match(junit, /slot 1 holds 'ec-debit', not 'cup-debit': put 'cup-debit' in slot 1/);
  });

  it('a card the mux reports rightly but is another: the monitor reader reads its PAN, broken', async () => {
    const lab = await bench(['--mislabeled', '2=ec-debit'], true);
    const { code, out, junit } = await run(lab, [PASS_IDS[1] as string], 'mislabeled');
    assert.equal(code, 1, out);
    assert.match(out, /^BROKEN /m, out);
    assert.match(
      junit,
      /slot 2 holds the card with PAN \d{6}\*+\d{4} \(read on the monitor reader\), not 'cup-credit' \(\d{6}\*+\d{4}\): put 'cup-credit' in slot 2/,
    );
  });

  it('the robot as card presenter: the same purchases pass, its rack checked by its own report', async () => {
    const lab = await bench([], false, 'robot');
    const { code, out } = await run(lab, PASS_IDS, 'robot');
    for (const id of PASS_IDS)
      assert.match(
        out,
        new RegExp(`^PASS +[\\d.]+ m?s {2}${escapeRegExp(id)}$`, 'm'),
        `${id} passed\n${out}`,
      );
    assert.equal(code, 0, out);
    const env = readFileSync(join(dir, 'robot-results', 'environment.properties'), 'utf8');
    assert.match(
      env,
      /card\.presenter = robot http:\/\/127\.0\.0\.1:\d+ \(2 rack positions checked before the first scenario\)/,
    );
  });

  it('a robot rack position holding the wrong card: broken, saying which card goes where', async () => {
    const lab = await bench(['--wrong-card', '1=ec-debit'], false, 'robot');
    const { code, out, junit } = await run(lab, [PASS_IDS[1] as string], 'robot-wrong');
    assert.equal(code, 1, out);
    assert.match(out, /^BROKEN /m, out);
    assert.match(junit, /rack position slot1 holds 'ec-debit', not 'cup-debit': put 'cup-debit' there/);
  });

  it('a jammed robot: broken, saying to clear the arm', async () => {
    const lab = await bench(['--jam-robot']);
    const { code, out, junit } = await run(lab, [PASS_IDS[1] as string], 'jam-robot');
    assert.equal(code, 1, out);
    assert.match(out, /^BROKEN /m, out);
    assert.match(
      junit,
      /robot reports a jam \(arm stuck above the card reader\): clear the arm and the card path/,
    );
  });

  it('a jammed mux: broken, saying to clear the jam', async () => {
    const lab = await bench(['--jam']);
    const { code, out, junit } = await run(lab, [PASS_IDS[1] as string], 'jam');
    assert.equal(code, 1, out);
    assert.match(out, /^BROKEN /m, out);
    assert.match(
      junit,
      /the multiplexer refused: ERR JAM switch arm stuck between slots \(the switch is jammed: clear it/,
    );
  });
});
