/**
 * PC/SC e2e tests drive vpcd, whose port is fixed and machine-wide: each test file takes vpcd's lock for
 * its whole run (children such as `payhil card serve` run under it), so two test runs on one machine
 * (two CI jobs, a developer and CI) take turns instead of presenting cards over each other.
 */
import { acquireVpcdLock, VPCD_LOCK_TIMEOUT_MS, type VpcdLock } from '../../harness/drivers/pcsc/index.js';

/** Longest a `before` hook may wait for vpcd (the lock's own bound, and a margin). */
export const VPCD_WAIT_BUDGET_MS = VPCD_LOCK_TIMEOUT_MS + 30_000;

/** Takes vpcd's lock for a test file, saying on stderr while it waits for another run. */
export function holdVpcd(what: string): Promise<VpcdLock> {
  return acquireVpcdLock({
    holder: `payhil test ${what} (pid ${process.pid})`,
    onWait: (m) => process.stderr.write(`      ${m}\n`),
  });
}
