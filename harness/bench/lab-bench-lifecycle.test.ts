/**
 * Lifecycle of a self-contained lab bench with real processes: `payhil emulator` spawned by the bench
 * (ecr-tcp on 127.0.0.1, port 0; ecr-serial over a socat pty pair), stopped by deactivate, and a bench
 * whose emulator cannot start is broken with nothing left running.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { createBenchFromLab } from './lab-bench.js';
import { isPayhilError } from '../common/payhil-error.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('lab bench lifecycle with the emulator as its own process', function () {
  this.timeout(40000);
  const dir = mkdtempSync(join(tmpdir(), 'payhil-lab-life-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ecr-tcp: activate spawns the emulator behind the proxy; status over ECR; deactivate stops it', async () => {
    const f = join(dir, 'tcp.yaml');
    writeFileSync(
      f,
      'name: tcp\nterminal: { driver: ecr-tcp, spawn: { listen: 127.0.0.1:0 } }\ncard: { presenter: in-process }\nhost: { mode: simulator }\n',
    );
    const bench = createBenchFromLab(f);
    await bench.activate();
    let pid: number | undefined;
    try {
      const s = await bench.get('terminal').status();
      assert.equal(s.testMode, true);
      assert.equal(s.signedIn, false);
      // Our own child (other test runs may have emulators with the same arguments).
      const out = execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' });
      const line = out
        .split('\n')
        .find(
          (l) =>
            Number(l.trim().split(/\s+/)[1]) === process.pid &&
            /cli\/bin\.js emulator --profile cup-pos-ci --host 127\.0\.0\.1:\d+ --ecr tcp:127\.0\.0\.1:0/.test(
              l,
            ),
        );
      assert.ok(line, 'the emulator runs as its own process, pointed at the proxy');
      pid = Number(line.trim().split(/\s+/)[0]);
      assert.ok(alive(pid));
    } finally {
      await bench.deactivate();
    }
    assert.equal(alive(pid as number), false, 'the emulator stopped');
    assert.throws(() => bench.get('terminal'), /not active/);
  });

  it('ecr-serial: an emulator that cannot start is broken; socat and the host are stopped too', async () => {
    const f = join(dir, 'serial.yaml');
    writeFileSync(
      f,
      'name: serial\nterminal: { driver: ecr-serial, spawn: { defects: [no-such-defect] } }\ncard: { presenter: in-process }\nhost: { mode: simulator }\n',
    );
    const bench = createBenchFromLab(f);
    const err = await bench.activate().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isPayhilError(err), String(err));
    assert.equal(err.verdict, 'broken');
    assert.equal(err.code, 'E_BENCH_EMULATOR_PROCESS');
    assert.match(err.message, /exited \(code 2\) before it was ready: .*unknown --defect 'no-such-defect'/);
    const children = execFileSync('ps', ['-eo', 'ppid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => Number(l.trim().split(/\s+/)[0]) === process.pid && /socat|emulator/.test(l));
    assert.deepEqual(children, [], 'no socat or emulator left running');
    assert.equal(bench.active, false);
  });
});
