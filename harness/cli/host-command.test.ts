import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryIo } from './command.js';
import { hostCommand, runHost } from './host-command.js';
import { TEST_PANS, TEST_TERMINAL, TEST_TMK, TestTerminal } from '../testing/index.js';

describe('cli/host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payhil-host-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves until stopped, prints its address and writes a masked JSONL journal', async () => {
    const io = memoryIo();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const journal = join(dir, 'j.jsonl');
    const running = runHost(
      ['--dialect', 'cup', '--listen', '127.0.0.1:0', '--journal', journal],
      io,
      stopped,
    );
    for (let i = 0; i < 100 && io.stdout.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(io.stdout[0] ?? '');
    assert.ok(m, io.stdout.join('\n') + io.stderr.join('\n'));
    const t = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: Number(m[1]),
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
    });
    assert.equal((await t.signIn()).fields[39], '00');
    const { answer } = await t.transact('balance', { card: { pan: TEST_PANS.debit }, pin: '123456' });
    assert.ok(answer.fields[39]);
    await t.close();
    stop();
    assert.equal(await running, 0);
    const lines = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { direction: string; mti?: string });
    assert.ok(lines.some((l) => l.direction === 'in' && l.mti === '0200'));
    assert.ok(!readFileSync(journal, 'utf8').includes(TEST_PANS.debit), 'clear PAN in the journal');
  });

  it('rejects missing or bad arguments as usage errors', async () => {
    const never = new Promise<void>(() => undefined);
    await assert.rejects(runHost(['--listen', '127.0.0.1:0'], memoryIo(), never), { code: 'E_USAGE' });
    await assert.rejects(runHost(['--dialect', 'cup'], memoryIo(), never), { code: 'E_USAGE' });
    await assert.rejects(runHost(['--dialect', 'cup', '--listen', 'nowhere'], memoryIo(), never), {
      code: 'E_USAGE',
    });
    await assert.rejects(
      runHost(['--dialect', 'cup', '--listen', '127.0.0.1:0', '--bogus'], memoryIo(), never),
      { code: 'E_USAGE' },
    );
    assert.equal(hostCommand.name, 'host');
  });

  it('stops cleanly on SIGTERM as a process (exit 0)', async function () {
    const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'host', '--dialect', 'cup', '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.match(out, /stopped/);
  });
});
