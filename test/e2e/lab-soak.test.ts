/**
 * Soak of a lab's three parts as separate processes, as a lab would run them overnight (shortened for CI):
 * `payhil host` ← `payhil proxy` ← `payhil emulator`, under a mixed load for a bounded time:
 *
 * - chip purchases with PIN driven over the emulator's ECR link (TCP), one after the other, one in ten
 *   of the approved ones voided, and a settlement every 150 purchases;
 * - the proxy's toxics switched on and off through its control API: latency beyond the terminal's host
 *   timeout (the terminal gives up and reverses), and a slicer (answers in pieces);
 * - garbage connections to the host, the proxy and the ECR port (random bytes, then gone).
 *
 * Afterwards, with the line clean again, a balance inquiry (which first sends any reversal the terminal
 * still owes) shows exactly the opening balance minus the purchases the terminal reported approved and
 * did not void (and the proxy saw reversals when the terminal gave up on a purchase); the
 * resident memory of every process is flat (no growth beyond a bound after warm-up), no file descriptor
 * leaked (`/proc/PID/fd` back to its warm-up count), and every process stops cleanly on SIGTERM (exit 0).
 *
 * PAYHIL_SOAK_SECONDS sets the load time (default 30; a lab runs it for hours), PAYHIL_SOAK_SEED the draws,
 * PAYHIL_SOAK_REPORT=1 prints the counts and the memory and descriptor figures.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { parse, stringify } from 'yaml';
import { packagePath } from '../../harness/common/project-root.js';
import { seededRandom } from '../../harness/common/seeded-random.js';
import { EcrClient } from '../../harness/emulator/ecr/index.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));
const SECONDS = Number(process.env.PAYHIL_SOAK_SECONDS ?? 30);
const SEED = Number(process.env.PAYHIL_SOAK_SEED ?? Date.now() % 1_000_000);
const CARD = 'cup-debit';
const PIN = ['1', '2', '3', '4', '5', '6', 'ENTER'] as const;
/** Growth of resident memory allowed between warm-up and the end (the heap settles, it does not climb). */
const RSS_SLACK_KB = 48 * 1024;
/** File descriptors a process may hold above its warm-up count at the end (sockets closing, timers). */
const FD_SLACK = 4;
/** Purchases between two settlements. */
const SETTLE_EVERY = 150;

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  /** The first match of `re` in the output (waits for it). */
  match(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

function start(name: string, args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    output: () => out,
    match(re, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = re.exec(out);
          if (!m) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${name}: no ${re} in:\n${out}`));
        }, timeoutMs);
        waiters.add(check);
        check();
        void exited.then(() => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`${name} exited before ${re}:\n${out}`));
        });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Resident memory (kB) and open file descriptors of a process. */
function usage(pid: number): { rssKb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return { rssKb, fds: readdirSync(`/proc/${pid}/fd`).length };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`e2e: lab soak, host + proxy + emulator as processes (${SECONDS} s, seed ${SEED})`, function () {
  this.timeout((SECONDS + 120) * 1000);
  const rnd = seededRandom(SEED);
  let host: Proc;
  let proxy: Proc;
  let emulator: Proc;
  let ecr: EcrClient | undefined;
  let api: string;
  let dir: string;
  const ports: Record<string, number> = {};

  before(async () => {
    // The bundled host configuration, with a card account that no soak exhausts (no daily limit).
    dir = mkdtempSync(join(tmpdir(), 'payhil-lab-soak-'));
    const config = parse(readFileSync(packagePath('fixtures', 'hosts', 'default.yaml'), 'utf8')) as {
      accounts: { card?: string; balance: number; limits?: unknown }[];
      ledgerSize?: number;
      journalSize?: number;
    };
    // Rings that fill within the warm-up: past it, the host's memory has no reason to grow.
    config.ledgerSize = 2000;
    config.journalSize = 1000;
    const account = config.accounts.find((a) => a.card === CARD);
    assert.ok(account, `${CARD} has an account in the default host configuration`);
    account.balance = 100_000_000_000;
    delete account.limits;
    writeFileSync(join(dir, 'host.yaml'), stringify(config));
    host = start('host', [
      'host',
      '--dialect',
      'cup',
      '--listen',
      '127.0.0.1:0',
      '--config',
      join(dir, 'host.yaml'),
    ]);
    const h = await host.match(/listening on 127\.0\.0\.1:(\d+)/);
    ports.host = Number(h[1]);
    proxy = start('proxy', [
      'proxy',
      '--upstream',
      `127.0.0.1:${ports.host}`,
      '--dialect',
      'cup',
      '--api',
      '127.0.0.1:0',
      '--seed',
      String(SEED),
    ]);
    ports.proxy = Number((await proxy.match(/listening on 127\.0\.0\.1:(\d+)/))[1]);
    api = (await proxy.match(/control API on (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
    emulator = start('emulator', [
      'emulator',
      '--profile',
      'cup-pos-ci',
      '--host',
      `127.0.0.1:${ports.proxy}`,
      '--ecr',
      'tcp:127.0.0.1:0',
      '--sign-in',
    ]);
    ports.ecr = Number((await emulator.match(/ECR listening on tcp 127\.0\.0\.1:(\d+)/))[1]);
    await emulator.match(/ready/);
    ecr = await EcrClient.connectTcp('127.0.0.1', ports.ecr);
  });

  after(async () => {
    await ecr?.close().catch(() => undefined);
    for (const p of [emulator, proxy, host]) await p?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** One chip transaction with PIN over the ECR link; the card is taken out afterwards. */
  async function transact(op: 'purchase' | 'balance', amount?: number) {
    const client = ecr as EcrClient;
    const waiting = client.waitForEvent((e) => e.event === 'state' && e.state === 'waitingForCard', 10_000);
    const result = client.request(op === 'purchase' ? { op, amount: amount as number } : { op }, {
      timeoutMs: 30_000,
    });
    result.catch(() => undefined);
    await waiting;
    const pinPrompt = client.waitForEvent(
      (e) => e.event === 'display' && e.lines.includes('PLEASE ENTER PIN'),
      10_000,
    );
    await client.request({ op: 'card', action: 'insert', card: CARD });
    await pinPrompt;
    await client.request({ op: 'key', keys: [...PIN] });
    const r = await result;
    const idle = client.waitForEvent((e) => e.event === 'state' && e.state === 'idle', 10_000);
    await client.request({ op: 'card', action: 'remove' });
    await idle;
    return r;
  }

  /** Settlement over the ECR link. */
  async function settle() {
    return (ecr as EcrClient).request({ op: 'settle' }, { timeoutMs: 30_000 });
  }

  /** Switches a toxic on or off through the proxy's Toxiproxy-compatible API. */
  async function toxic(on: boolean, kind: 'latency' | 'slicer'): Promise<void> {
    const url = `${api}/proxies/payhil/toxics`;
    const res = on
      ? await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            kind === 'latency'
              ? { name: 'soak-latency', type: 'latency', stream: 'downstream', attributes: { latency: 1500 } }
              : {
                  name: 'soak-slicer',
                  type: 'slicer',
                  stream: 'downstream',
                  attributes: { average_size: 8, size_variation: 4, delay: 1000 },
                },
          ),
        })
      : await fetch(`${url}/soak-${kind}`, { method: 'DELETE' });
    assert.ok(res.ok || (!on && res.status === 404), `toxic ${kind} ${on ? 'on' : 'off'}: ${res.status}`);
    await res.arrayBuffer();
  }

  /** Reversal requests (0400 towards the host) in the proxy's journal since the last look. */
  let journalSeq = 0;
  async function reversalsSinceLastLook(): Promise<number> {
    const res = await fetch(`${api}/payhil/proxies/payhil/journal?after=${journalSeq}`);
    const entries = (await res.json()) as { seq: number; kind: string; dir?: string; mti?: string }[];
    for (const e of entries) journalSeq = Math.max(journalSeq, e.seq);
    return entries.filter((e) => e.kind === 'frame' && e.dir === 'upstream' && e.mti === '0400').length;
  }

  /** A connection that sends random bytes and goes. */
  function garbage(port: number): Promise<void> {
    return new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      const done = (): void => {
        s.destroy();
        resolve();
      };
      s.setTimeout(2000, done);
      s.once('error', done);
      s.once('close', done);
      s.once('connect', () => {
        const bytes = Buffer.alloc(1 + Math.floor(rnd() * 300));
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
        s.write(bytes);
        setTimeout(done, Math.floor(rnd() * 200));
      });
    });
  }

  it('keeps the balance exact, memory flat, no descriptor leaked, and every process stops cleanly', async () => {
    const opening = await transact('balance');
    assert.equal(opening.outcome, 'approved', JSON.stringify(opening));
    const openingBalance = Number(opening.balance);
    assert.ok(
      Number.isFinite(openingBalance),
      `balance inquiry answered a balance: ${JSON.stringify(opening)}`,
    );

    const procs = [host, proxy, emulator];
    let warm: { rssKb: number; fds: number }[] | undefined;
    let approvedTotal = 0;
    const outcomes = new Map<string, number>();
    let garbageSent = 0;
    let toxicSwitches = 0;
    let reversals = 0;
    const end = Date.now() + SECONDS * 1000;
    const warmEnd = Date.now() + (SECONDS * 1000) / 3;
    const settlements: string[] = [];
    const voids = new Map<string, number>();
    let stopSide = false;

    // Toxics on and off, and garbage connections, beside the transactions.
    const side = (async () => {
      while (!stopSide) {
        const kind = rnd() < 0.6 ? 'latency' : 'slicer';
        await toxic(true, kind);
        toxicSwitches++;
        await sleep(500 + Math.floor(rnd() * 1500));
        await toxic(false, kind);
        reversals += await reversalsSinceLastLook();
        await sleep(1000 + Math.floor(rnd() * 2000));
      }
    })();
    const noise = (async () => {
      while (!stopSide) {
        const target = [ports.host, ports.proxy, ports.ecr][Math.floor(rnd() * 3)] as number;
        await garbage(target);
        garbageSent++;
        await sleep(100 + Math.floor(rnd() * 300));
      }
    })();

    let n = 0;
    try {
      while (Date.now() < end) {
        const amount = 100 + Math.floor(rnd() * 9900); // 1.00 to 99.99
        const r = await transact('purchase', amount);
        outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
        if (r.outcome === 'approved') {
          approvedTotal += amount;
          // Now and then the cashier voids it (the card's money comes back once the host agrees).
          if (r.reference !== undefined && rnd() < 0.1) {
            const v = await (ecr as EcrClient).request(
              { op: 'void', originalReference: r.reference },
              { timeoutMs: 30_000 },
            );
            voids.set(v.outcome, (voids.get(v.outcome) ?? 0) + 1);
            if (v.outcome === 'approved') approvedTotal -= amount;
          }
        }
        // The day closes now and then, as a shop's does: the terminal's batch starts over.
        if (++n % SETTLE_EVERY === 0) settlements.push((await settle()).outcome);
        // Warm-up is the first third: the reference for memory and descriptors.
        if (!warm && Date.now() >= warmEnd) warm = procs.map((p) => usage(p.child.pid as number));
      }
    } finally {
      stopSide = true;
      await Promise.all([side, noise]);
      await toxic(false, 'latency');
      await toxic(false, 'slicer');
    }
    assert.ok(n > 5, `transactions in ${SECONDS} s: ${n}`);
    assert.ok((outcomes.get('approved') ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.ok(garbageSent > 0 && toxicSwitches > 0);
    assert.ok(warm, 'the run lasted past its warm-up');

    // The line is clean: the inquiry first sends what the terminal still owes (reversals).
    const closing = await transact('balance');
    reversals += await reversalsSinceLastLook();
    // A purchase the terminal gave up on (no answer in time) is reversed, sooner or later.
    if ((outcomes.get('failed') ?? 0) > 0)
      assert.ok(reversals > 0, `no reversal for ${JSON.stringify([...outcomes])}`);
    assert.equal(closing.outcome, 'approved', JSON.stringify(closing));
    assert.equal(
      Number(closing.balance),
      openingBalance - approvedTotal,
      `balance ${closing.balance} = opening ${openingBalance} - approved and not voided ${approvedTotal} (${JSON.stringify([...outcomes])}, voids ${JSON.stringify([...voids])})`,
    );

    await sleep(500); // garbage connections closing on the servers' side
    const last = procs.map((p) => usage(p.child.pid as number));
    procs.forEach((p, i) => {
      const w = (warm as { rssKb: number; fds: number }[])[i] as { rssKb: number; fds: number };
      const l = last[i] as { rssKb: number; fds: number };
      assert.ok(
        l.rssKb <= w.rssKb + RSS_SLACK_KB,
        `${p.name}: RSS ${w.rssKb} kB after warm-up, ${l.rssKb} kB at the end`,
      );
      assert.ok(
        l.fds <= w.fds + FD_SLACK,
        `${p.name}: ${w.fds} descriptors after warm-up, ${l.fds} at the end`,
      );
    });

    if (process.env.PAYHIL_SOAK_REPORT)
      process.stderr.write(
        `soak: ${n} purchases ${JSON.stringify(Object.fromEntries(outcomes))}, voids ${JSON.stringify(Object.fromEntries(voids))}, settlements ${settlements.join(' ')}, ${reversals} reversals, ${garbageSent} garbage connections, ${toxicSwitches} toxics; ` +
          procs
            .map(
              (p, i) =>
                `${p.name} rss ${warm?.[i]?.rssKb}→${last[i]?.rssKb} kB fds ${warm?.[i]?.fds}→${last[i]?.fds}`,
            )
            .join(', ') +
          '\n',
      );
    await ecr?.close();
    ecr = undefined;
    for (const p of [emulator, proxy, host])
      assert.equal(await p.stop(), 0, `${p.name} exit:\n${p.output()}`);
    assert.match(emulator.output(), /stopped/);
    assert.match(proxy.output(), /stopped/);
    assert.match(host.output(), /stopped/);
  });
});
