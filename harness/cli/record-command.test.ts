import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost } from '../host/index.js';
import { TEST_PANS, TEST_TERMINAL, TEST_TMK, TestTerminal, testHostConfig } from '../testing/index.js';
import { memoryIo } from './command.js';
import { runRecord } from './record-command.js';

describe('cli/record', function () {
  this.timeout(20000);
  const dir = mkdtempSync(join(tmpdir(), 'payhil-record-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const never = new Promise<void>(() => undefined);

  it('stops by itself after --count answered exchanges and writes both files', async () => {
    const host = await startHost({ dialect: 'cup', config: testHostConfig() });
    const io = memoryIo(dir);
    const running = runRecord(
      ['--upstream', `127.0.0.1:${host.address.port}`, '-o', 'rec', '--count', '2', '--id', 'recorded/count'],
      io,
      never,
    );
    try {
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
      assert.equal(answer.fields[39], '00');
      await t.close();
      // The test terminal keys the PAN in (field 22 = 011): no card step presents that, so the balance
      // inquiry is left out of the scenario (and kept in the replay fixture).
      assert.equal(await running, 0, io.stderr.join('\n'));
    } finally {
      await host.close();
    }
    assert.match(io.stdout.join('\n'), /2 exchanges \(2 answered\)/);
    assert.match(
      io.stderr.join('\n'),
      /left out of the scenario: #2 0200 310000 card 622202\*+0017: entry mode '011' is not an insert, tap or swipe/,
    );
    const replay = readFileSync(join(dir, 'rec', 'replay-host.yaml'), 'utf8');
    assert.match(replay, /processingCode: "310000"/);
    assert.ok(!replay.includes(TEST_PANS.debit));
  });

  it('refuses bad usage with a clear message', async () => {
    await assert.rejects(runRecord(['-o', 'x'], memoryIo(dir), never), /--upstream HOST:PORT is required/);
    await assert.rejects(
      runRecord(['--upstream', '127.0.0.1:1'], memoryIo(dir), never),
      /-o DIR is required/,
    );
    await assert.rejects(
      runRecord(['--upstream', '127.0.0.1:1', '-o', 'x', '--count', '0'], memoryIo(dir), never),
      /--count takes a whole number above 0/,
    );
    await assert.rejects(
      runRecord(['--upstream', '127.0.0.1:1', '-o', 'x', '--id', 'bad id'], memoryIo(dir), never),
      /--id 'bad id' must be/,
    );
    await assert.rejects(
      runRecord(['--upstream', '127.0.0.1:1', '-o', 'x', '--within', 'soon'], memoryIo(dir), never),
      /--within: 'soon' is not a duration/,
    );
    writeFileSync(join(dir, 'a-file'), '');
    await assert.rejects(
      runRecord(['--upstream', '127.0.0.1:1', '-o', 'a-file/rec'], memoryIo(dir), never),
      /-o: cannot write to .*a-file\/rec/,
    );
  });
});
