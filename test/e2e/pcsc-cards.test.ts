/**
 * The virtual cards through the real PC/SC stack: pcscd with the vsmartcard vpcd driver, node-pcsclite,
 * `payhil card serve|read`, and the standard tools (pcsc_scan, scriptor). Needs pcscd, vsmartcard-vpcd and
 * pcsc-tools (.ci/run installs them); pcscd is started here when it is not running (as root).
 */
import { strict as assert } from 'node:assert';
import {
  deriveCommonSessionKey,
  deriveIccMasterKeyOptionA,
  generateArpcMethod1,
  generateArqc,
} from '../../harness/emv/index.js';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVirtualCard, serveCardOnVpcd, type VpcdHandle } from '../../harness/cards/index.js';
import {
  PcscDriver,
  ensurePcscd,
  generateAc,
  missingVpcdStack,
  readEmvCard,
} from '../../harness/drivers/pcsc/index.js';
import type { VpcdLock } from '../../harness/drivers/pcsc/index.js';
import { holdVpcd, VPCD_WAIT_BUDGET_MS } from './vpcd-lock.test-helper.js';

const READER = 'Virtual PCD 00 00';
const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

function run(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 20000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function tool(cmd: string, args: string[], timeoutMs = 8000): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (_err, stdout, stderr) => resolve(stdout + stderr));
  });
}

describe('e2e: virtual cards through pcscd + vpcd', function () {
  this.timeout(30000);
  const driver = new PcscDriver();
  let handle: VpcdHandle | undefined;
  let dir: string;

  let vpcd: VpcdLock | undefined;

  before(async function () {
    const missing = missingVpcdStack();
    assert.equal(missing, undefined, `needs ${missing} (.ci/run installs them)`);
    ensurePcscd(); // daemonises; left running for later tests
    this.timeout(VPCD_WAIT_BUDGET_MS);
    vpcd = await holdVpcd('pcsc-cards');
    await driver.activate();
    const readers = await driver.listReaders(5000);
    assert.ok(readers.includes(READER), `vpcd reader present (readers: ${readers.join(', ')})`);
    dir = mkdtempSync(join(tmpdir(), 'payhil-pcsc-'));
  });

  afterEach(async () => {
    if (handle) {
      await handle.close();
      handle = undefined;
      assert.ok(await driver.waitForRemoval(READER, 5000), 'reader empty again');
    }
  });

  after(async () => {
    await driver.deactivate();
    vpcd?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function insert(name: string, via?: 'contact' | 'contactless') {
    const card = createVirtualCard(name);
    handle = await serveCardOnVpcd(card, { via });
    const st = await driver.waitForCard(READER, 5000);
    assert.ok(st, `${name} seen by pcscd`);
    return { card, status: st };
  }

  const expectations: {
    name: string;
    code: number;
    via?: 'contactless';
    check: (id: Record<string, unknown>) => void;
  }[] = [
    { name: 'cup-debit', code: 0, check: (id) => assert.equal(id.maskedPan, '622202*********0017') },
    { name: 'cup-credit', code: 0, check: (id) => assert.equal(id.selectedAid, 'A000000333010102') },
    { name: 'ec-debit', code: 0, check: (id) => assert.equal(id.ecBalance, 50000) },
    { name: 'expired', code: 1, check: (id) => assert.deepEqual(id.problems, ['expired (expiry 2012)']) },
    { name: 'pin-blocked', code: 1, check: (id) => assert.equal(id.pinTriesLeft, 0) },
    { name: 'foreign-aid', code: 0, check: (id) => assert.equal(id.selectedAid, 'A0000000031010') },
    {
      name: 'phone-wallet',
      code: 0,
      via: 'contactless',
      check: (id) => assert.equal(id.interface, 'contactless'),
    },
    {
      name: 'damaged-chip',
      code: 1,
      check: (id) => assert.match(String(id.problems), /no answer from the chip/),
    },
  ];

  for (const e of expectations) {
    it(`payhil card read: ${e.name}`, async () => {
      await insert(e.name, e.via);
      // No --contactless for the wallet: the contactless ATR says it.
      const args = ['card', 'read', '--reader', READER, '--json'];
      const r = await run(args);
      assert.equal(r.code, e.code, r.stderr + r.stdout);
      const id = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(id.reader, READER);
      e.check(id);
      assert.ok(!r.stdout.includes(createVirtualCard(e.name).fixture.pan), 'no PAN in clear');
    });
  }

  it('a full EMV read over pcsclite: select, GPO, records, ARQC verified, ARPC accepted in the second GENERATE AC', async () => {
    const { status } = await insert('cup-debit');
    const conn = await driver.connect(READER);
    try {
      const tx = (a: Buffer) => conn.transmit(a);
      const session = await readEmvCard(tx, { atr: status.atr, terminal: { amount: 8800 } });
      assert.equal(session.identity.usable, true);
      const ac = await generateAc(tx, 'ARQC', session.data.get('8C') as Buffer, session.terminal);
      assert.equal(ac.type, 'ARQC');
      const mk = deriveIccMasterKeyOptionA(
        Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex'),
        '6222021000000000017',
        '01',
      );
      const sk = deriveCommonSessionKey(mk, ac.atc);
      const input = Buffer.concat([
        ac.cdolData.subarray(0, 29),
        session.data.get('82') as Buffer,
        ac.atc,
        ac.iad,
      ]);
      assert.deepEqual(ac.cryptogram, generateArqc(sk, input, 18));
      const arc = Buffer.from('00', 'ascii');
      const arpc = generateArpcMethod1(sk, ac.cryptogram, arc);
      const tc = await generateAc(tx, 'TC', session.data.get('8D') as Buffer, (tag) =>
        tag === '8A' ? arc : tag === '91' ? Buffer.concat([arpc, arc]) : session.terminal(tag),
      );
      assert.equal(tc.type, 'TC');
    } finally {
      await conn.disconnect();
    }
  });

  it('pcsc_scan lists the card and scriptor exchanges APDUs with it (PSE and PPSE)', async () => {
    const { card } = await insert('cup-debit');
    const scan = await tool('pcsc_scan', ['-n', '-t', '1'], 8000);
    assert.match(
      scan,
      new RegExp(
        card
          .atr('contact')
          .toString('hex')
          .toUpperCase()
          .replace(/(..)(?!$)/g, '$1 '),
      ),
    );
    writeFileSync(join(dir, 'pse.script'), 'reset\n00A404000E315041592E5359532E4444463031\n00C000001E\n');
    const out = await tool('scriptor', ['-r', READER, join(dir, 'pse.script')]);
    assert.match(out, /< 61 1E/);
    assert.match(out, /A5 0A 88 01 01 .*\n?.*90 00/);
    await handle?.close();
    handle = undefined;
    await driver.waitForRemoval(READER, 5000);

    await insert('phone-wallet');
    writeFileSync(join(dir, 'ppse.script'), '00A404000E325041592E5359532E444446303100\n');
    const out2 = await tool('scriptor', ['-r', READER, join(dir, 'ppse.script')]);
    assert.match(out2, /6F .* 32 50 41 59/);
    assert.match(out2, /90 00 : Normal processing/);
  });

  it('payhil card serve: inserted until SIGTERM, then removed cleanly', async () => {
    const child = spawn(process.execPath, [BIN, 'card', 'serve', '--card', 'cup-credit'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const st = await driver.waitForCard(READER, 8000);
      assert.ok(st, 'card inserted by the CLI');
      assert.match(out, /card cup-credit \(625800\*{9}0022\) inserted/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.match(out, /removed/);
    assert.ok(await driver.waitForRemoval(READER, 5000));
  });

  it('when pcscd cannot be reached, card read says how to start it and exits 2', async () => {
    const r = await run(['card', 'read'], {
      ...process.env,
      PCSCLITE_CSOCK_NAME: join(dir, 'no-such-socket'),
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /pcscd/);
    assert.match(r.stderr, /start/);
  });
});
