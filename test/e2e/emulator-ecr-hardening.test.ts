/**
 * `payhil emulator` as its own process against hostile or careless cash registers on its ECR TCP port:
 * clients that connect and never read or ACK while an honest one presses keys (the silent ones are
 * dropped with an event, memory stays bounded, SIGTERM still ends the process), and card requests that
 * name a file (refused without reading it or saying whether it exists). No host needed: nothing here
 * reaches the acquirer.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcrClient, EcrRemoteError, type EcrRequestBody } from '../../harness/emulator/ecr/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-process.test-helper.js';

/** Resident memory of a process (MB), from /proc. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The refusal message of a request the terminal must refuse BAD_REQUEST. */
async function refusal(client: EcrClient, body: EcrRequestBody): Promise<string> {
  try {
    await client.request(body as never, { timeoutMs: 5000 });
  } catch (e) {
    assert.ok(e instanceof EcrRemoteError, String(e));
    assert.equal(e.remoteCode, 'BAD_REQUEST', e.message);
    return e.detail;
  }
  assert.fail(`${JSON.stringify(body)} was accepted`);
}

describe('e2e: payhil emulator hardening of the ECR TCP port', function () {
  this.timeout(60_000);

  describe('seven silent clients and an honest one (eight: the default connection limit)', () => {
    let emu: EmulatorProcess;
    const silent: Socket[] = [];
    let honest: EcrClient | undefined;
    after(async () => {
      for (const s of silent) s.destroy();
      await honest?.close().catch(() => undefined);
      await emu?.stop(2000);
    });

    it('drops the silent ones with an event each, keeps memory bounded and stops on SIGTERM', async () => {
      emu = await startEmulatorProcess([
        '--profile',
        'cup-pos-ci',
        '--host',
        '127.0.0.1:9',
        '--ecr',
        'tcp:127.0.0.1:0',
      ]);
      const { port } = emu.ecrTcp!;
      for (let i = 0; i < 7; i++) {
        const s = connect({ host: '127.0.0.1', port });
        s.on('connect', () => s.pause()); // never reads, never ACKs
        s.on('error', () => undefined);
        silent.push(s);
      }
      honest = await EcrClient.connectTcp('127.0.0.1', port);
      const closedLines = () => emu.stdout().match(/ECR tcp:\S+ closed: .*/g) ?? [];
      // Each press of four keys that only beep is four events to every cash register.
      for (let presses = 0; presses < 3000 && closedLines().length < 7; presses++)
        await honest.request({ op: 'key', keys: ['F1', 'F2', 'MENU', 'UP'] }, { timeoutMs: 5000 });
      const rss = rssMb(emu.child.pid!);
      const closed = closedLines();
      const status = await honest.request({ op: 'status' }, { timeoutMs: 5000 });

      emu.child.kill('SIGTERM');
      const exit = await Promise.race([
        new Promise<number | null>((resolve) => emu.child.once('exit', (code) => resolve(code))),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref()),
      ]);
      assert.equal(closed.length, 7, `every silent client dropped:\n${emu.stdout()}`);
      for (const line of closed) assert.match(line, /frame\(s\) already waiting for the peer to ACK/);
      assert.ok(rss < 250, `emulator RSS ${rss.toFixed(0)} MB`);
      assert.equal(status.busy, false, 'the honest cash register is still served');
      assert.equal(exit, 0, 'SIGTERM ends the emulator (exit 0) with silent clients still connected');
    });
  });

  describe('cards named over the wire', () => {
    let emu: EmulatorProcess;
    let client: EcrClient;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'payhil-card-dir-'));
      writeFileSync(join(dir, 'lab-card.yaml'), 'name: lab-card\nextends: ec-debit\nec: { balance: 4200 }\n');
      writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET-LINE\n');
      emu = await startEmulatorProcess([
        '--profile',
        'cup-pos-ci',
        '--host',
        '127.0.0.1:9',
        '--ecr',
        'tcp:127.0.0.1:0',
      ]);
      client = await EcrClient.connectTcp(emu.ecrTcp!.host, emu.ecrTcp!.port);
    });
    after(async () => {
      await client?.close();
      await emu?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a path in card and cardState without echoing the file or telling whether it exists', async () => {
      const paths = ['/etc/passwd', join(dir, 'secret.txt'), join(dir, 'lab-card.yaml'), '../../etc/passwd'];
      const missing = [
        '/etc/no-such-file-payhil',
        join(dir, 'missing.txt'),
        join(dir, 'missing.yaml'),
        '../../no/such',
      ];
      for (const [i, path] of paths.entries()) {
        const other = missing[i] as string;
        for (const ask of [
          (card: string): EcrRequestBody => ({ op: 'card', action: 'insert', card }),
          (card: string): EcrRequestBody => ({ op: 'cardState', card }),
          (card: string): EcrRequestBody => ({
            op: 'card',
            action: 'tap',
            card: 'x',
            fixture: { extends: card },
          }),
        ]) {
          const there = await refusal(client, ask(path));
          const notThere = await refusal(client, ask(other));
          assert.doesNotMatch(there, /root:|TOP-SECRET|balance|4200/, there);
          assert.equal(
            there.replaceAll(JSON.stringify(path), 'PATH').replaceAll(path, 'PATH'),
            notThere.replaceAll(JSON.stringify(other), 'PATH').replaceAll(other, 'PATH'),
            'the same answer whether the path exists or not',
          );
        }
      }
    });
  });

  describe('cards of --card-dir', () => {
    let emu: EmulatorProcess;
    let client: EcrClient;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'payhil-card-dir-'));
      writeFileSync(join(dir, 'lab-card.yaml'), 'name: lab-card\nextends: ec-debit\nec: { balance: 4200 }\n');
      emu = await startEmulatorProcess([
        '--profile',
        'cup-pos-ci',
        '--host',
        '127.0.0.1:9',
        '--ecr',
        'tcp:127.0.0.1:0',
        '--card-dir',
        dir,
      ]);
      client = await EcrClient.connectTcp(emu.ecrTcp!.host, emu.ecrTcp!.port);
    });
    after(async () => {
      await client?.close();
      await emu?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('serves bundled cards and those of --card-dir by name, plain and inline', async () => {
      const lab = await client.request({ op: 'cardState', card: 'lab-card', options: { reset: true } });
      assert.equal(lab.card, 'lab-card');
      assert.equal(lab.state.ecBalance, 4200);
      const inline = await client.request({
        op: 'cardState',
        card: 'lab-low',
        fixture: { extends: 'lab-card', ec: { balance: 7 } },
      });
      assert.equal(inline.state.ecBalance, 7);
      const bundled = await client.request({ op: 'cardState', card: 'cup-debit' });
      assert.equal(bundled.card, 'cup-debit');
      assert.match(
        await refusal(client, { op: 'cardState', card: 'no-such-card' }),
        /unknown card "no-such-card"/,
      );
    });
  });
});
