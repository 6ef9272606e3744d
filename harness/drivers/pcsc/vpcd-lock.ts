/**
 * One user of a vpcd slot at a time, machine-wide. vpcd listens on a fixed port (35963 for reader
 * `Virtual PCD 00 00`) and takes one card at a time, and the reader it feeds is seen by every process
 * that reads PC/SC; two users at once (two test runs, a developer and CI, a `payhil card serve` and a
 * pcsc bench) present cards over each other ("Card was reset", "no connection after 3000 ms", a terminal
 * reading the other run's card). So whoever drives vpcd takes this lock first and holds it for as long
 * as it uses the reader; the next one waits, saying for whom.
 *
 * The lock is a file `payhil-vpcd-HOST-PORT.lock` in /tmp (PAYHIL_LOCK_DIR), created atomically (a
 * hard link of a complete temporary file) and holding the owner's PID. A lock whose owner is no longer
 * alive is stale and taken over. Within a process the lock is shared (counted); a child process started
 * while its parent holds it (PAYHIL_VPCD_LOCK_OWNER in its environment) runs under the parent's lock.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VPCD_DEFAULT_PORT } from '../../cards/index.js';
import { createLogger } from '../../common/logger.js';
import { VpcdBusyError } from './errors.js';

const log = createLogger('payhil:pcsc:lock');

/** Set in the environment of a process that holds a vpcd lock (its PID), inherited by its children. */
export const VPCD_LOCK_OWNER_ENV = 'PAYHIL_VPCD_LOCK_OWNER';
/** Default longest wait for the lock (10 min); PAYHIL_VPCD_LOCK_TIMEOUT (ms) overrides it. */
export const VPCD_LOCK_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 200;
/** While waiting, the message is repeated this often. */
const REMIND_MS = 30_000;

export interface VpcdLockOptions {
  /** vpcd's address (default 127.0.0.1:35963): one lock per address. */
  host?: string;
  port?: number;
  /** Who takes it, shown to whoever waits (e.g. `payhil card serve`). */
  holder: string;
  /** Told when the lock is another process's and this one waits (at first, when the holder changes, every 30 s). */
  onWait?: (message: string) => void;
  /** Longest wait in ms before VpcdBusyError (default PAYHIL_VPCD_LOCK_TIMEOUT, else 10 min). */
  timeoutMs?: number;
  /** Folder of the lock file (default PAYHIL_LOCK_DIR, else /tmp: one for the whole machine). */
  dir?: string;
}

/** A held vpcd lock. */
export interface VpcdLock {
  readonly file: string;
  /** Gives the lock back (the file goes when this process's last user of it releases it). Idempotent. */
  release(): void;
}

interface LockRecord {
  pid: number;
  nonce: string;
  holder: string;
  since: string;
}

interface Held {
  count: number;
  nonce: string | undefined; // undefined: held by the parent process
}

const held = new Map<string, Held>();
let exitHookSet = false;

/** The lock file of vpcd at `host:port`. */
export function vpcdLockFile(options: { host?: string; port?: number; dir?: string } = {}): string {
  const dir =
    options.dir ?? process.env.PAYHIL_LOCK_DIR ?? (process.platform === 'win32' ? tmpdir() : '/tmp');
  const host = (options.host ?? '127.0.0.1').replace(/[^A-Za-z0-9.-]/g, '_');
  return join(dir, `payhil-vpcd-${host}-${options.port ?? VPCD_DEFAULT_PORT}.lock`);
}

/**
 * Takes the lock of vpcd at `host:port`, waiting (and saying so through `onWait`) while another live
 * process holds it. @throws VpcdBusyError (broken) after the longest wait, naming the holder.
 */
export async function acquireVpcdLock(options: VpcdLockOptions): Promise<VpcdLock> {
  const file = vpcdLockFile(options);
  const address = `${options.host ?? '127.0.0.1'}:${options.port ?? VPCD_DEFAULT_PORT}`;
  const envTimeout = Number(process.env.PAYHIL_VPCD_LOCK_TIMEOUT);
  const timeoutMs =
    options.timeoutMs ?? (Number.isFinite(envTimeout) && envTimeout >= 0 ? envTimeout : VPCD_LOCK_TIMEOUT_MS);
  const mine = held.get(file);
  if (mine) {
    mine.count++;
    return handle(file);
  }
  const started = Date.now();
  let told = 0;
  let toldPid: number | undefined;
  for (;;) {
    const got = tryTake(file, options.holder);
    log(file, got.taken ? (got.nonce ? 'taken' : "under the parent's lock") : `held by ${got.holder?.pid}`);
    if (got.taken) {
      held.set(file, { count: 1, nonce: got.nonce });
      if (got.nonce !== undefined) setOwnerEnv();
      return handle(file);
    }
    const other = got.holder;
    const waited = Date.now() - started;
    const who = other
      ? `process ${other.pid} (${other.holder}, since ${other.since})`
      : 'another process (lock being written)';
    if (waited >= timeoutMs)
      throw new VpcdBusyError(
        address,
        file,
        `vpcd ${address} is still in use by ${who} after ${seconds(waited)}; stop it, or remove ${file} if that process is gone`,
      );
    if (options.onWait && other && (other.pid !== toldPid || Date.now() - told >= REMIND_MS)) {
      options.onWait(
        `vpcd ${address} is in use by ${who}; waiting for it (up to ${seconds(timeoutMs)}, lock ${file})`,
      );
      told = Date.now();
      toldPid = other.pid;
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, timeoutMs - waited))));
  }
}

const seconds = (ms: number): string => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;

function handle(file: string): VpcdLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      const h = held.get(file);
      if (!h || --h.count > 0) return;
      held.delete(file);
      if (h.nonce !== undefined) removeIfOurs(file, h.nonce);
      if (![...held.values()].some((x) => x.nonce !== undefined)) delete process.env[VPCD_LOCK_OWNER_ENV];
    },
  };
}

/** One attempt: taken (nonce undefined when the parent's lock covers us), or who holds it. */
function tryTake(
  file: string,
  holder: string,
  retried = false,
): { taken: true; nonce: string | undefined } | { taken: false; holder: LockRecord | undefined } {
  const record: LockRecord = {
    pid: process.pid,
    nonce: randomBytes(8).toString('hex'),
    holder,
    since: new Date().toISOString(),
  };
  const tmp = `${file}.${process.pid}.${record.nonce}`;
  writeFileSync(tmp, JSON.stringify(record));
  try {
    linkSync(tmp, file); // atomic: the lock file appears complete, or not at all
    return { taken: true, nonce: record.nonce };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  const other = readRecord(file);
  if (!other) return { taken: false, holder: undefined }; // gone meanwhile: the next attempt takes it
  const owner = process.env[VPCD_LOCK_OWNER_ENV];
  if (owner !== undefined && String(other.pid) === owner && alive(other.pid))
    return { taken: true, nonce: undefined };
  if (alive(other.pid)) return { taken: false, holder: other };
  breakStale(file, other);
  return retried ? { taken: false, holder: undefined } : tryTake(file, holder, true);
}

function readRecord(file: string): LockRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockRecord>;
    if (typeof r.pid === 'number' && typeof r.nonce === 'string')
      return {
        pid: r.pid,
        nonce: r.nonce,
        holder: String(r.holder ?? '?'),
        since: String(r.since ?? '?'),
      };
    return { pid: -1, nonce: '', holder: 'unreadable lock file', since: '?' };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { pid: -1, nonce: '', holder: 'unreadable lock file', since: '?' };
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a lock whose owner is dead. Moved aside first (atomic), then checked: if another waiter had
 * already replaced it with a live lock, that one is put back.
 */
function breakStale(file: string, stale: LockRecord): void {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else moved it
  }
  const moved = readRecord(aside);
  if (moved && moved.nonce !== stale.nonce && alive(moved.pid)) {
    try {
      linkSync(aside, file);
    } catch {
      // a third process took the free lock meanwhile; the live owner we moved keeps running unlocked
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // already gone
  }
}

function removeIfOurs(file: string, nonce: string): void {
  if (readRecord(file)?.nonce !== nonce) return;
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function setOwnerEnv(): void {
  process.env[VPCD_LOCK_OWNER_ENV] = String(process.pid);
  if (exitHookSet) return;
  exitHookSet = true;
  // A process that ends without releasing (an uncaught error, process.exit) leaves no lock behind.
  process.once('exit', () => {
    for (const [file, h] of held) if (h.nonce !== undefined) removeIfOurs(file, h.nonce);
  });
}
