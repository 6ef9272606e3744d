/**
 * Runs a long-lived command (host, proxy, emulator) until SIGINT or SIGTERM: `run` gets a promise that
 * resolves on the first of the two signals, and the listeners are removed however `run` ends.
 */
export function runUntilStopSignal(run: (stop: Promise<void>) => Promise<number>): Promise<number> {
  let onSignal: () => void = () => undefined;
  const stop = new Promise<void>((resolveStop) => {
    onSignal = () => resolveStop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return run(stop).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}
