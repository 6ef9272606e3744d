/**
 * mocha's Runner listens on `process` for `uncaughtException` and `unhandledRejection` while it runs
 * (one listener of each per Runner) and removes them only when it is disposed. `runScenarios` disposes
 * its mocha when the run ends, so sequential runs leave nothing behind. Runs that go side by side in one
 * process (the defect proof runs 12 at once) each hold their two listeners legitimately: each run widens
 * the process's listener budget by one for as long as it lasts and narrows it again at its end, so a
 * listener that really leaks still trips Node's MaxListenersExceededWarning.
 */

/** Widens `process`'s listener limit by one; the returned function (idempotent) narrows it again. */
export function reserveProcessListener(): () => void {
  if (process.getMaxListeners() === 0) return () => undefined; // unlimited already
  process.setMaxListeners(process.getMaxListeners() + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const now = process.getMaxListeners();
    if (now > 0) process.setMaxListeners(now - 1);
  };
}
