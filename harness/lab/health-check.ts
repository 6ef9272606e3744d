/**
 * A bench's health check (LAVA-style): the bench activates (devices reachable, host link up, emulator or
 * terminal link started), begins an empty scenario (fresh terminal, cards prepared: the reader and the
 * card presenter answer), and the terminal answers a status request. Each part is bounded; the first that
 * fails is the reason.
 */
import type { Bench } from '../bench/index.js';
import type { Scenario } from '../scenario/index.js';
import { isPayhilError } from '../common/payhil-error.js';
import { BenchHealthError } from './errors.js';
import type { BenchHealth } from './lab-store.js';

const at = { file: '<health-check>', line: 1, col: 1 };

/** The empty scenario a health check begins. */
function healthScenario(bench: string): Scenario {
  return {
    id: `health-check/${bench}`,
    baseId: 'health-check',
    title: 'bench health check',
    tags: [],
    severity: 'normal',
    requires: [],
    bench: {},
    cards: {},
    host: { rules: [], accounts: {} },
    vars: {},
    params: {},
    retries: 0,
    steps: [],
    finally: [],
    at,
    file: at.file,
    captures: [],
  };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BenchHealthError('E_LAB_HEALTH_TIMEOUT', what, `${what} did not answer within ${ms} ms`, ms),
        ),
      ms,
    );
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Checks `bench`; `fresh` deactivates it first (a person fixed it). The bench is left active. */
export async function checkBench(
  bench: Bench,
  opts: { fresh?: boolean; timeoutMs?: number } = {},
): Promise<BenchHealth> {
  const since = Date.now();
  const bound = opts.timeoutMs ?? 60000;
  try {
    if (opts.fresh && bench.active) await bench.deactivate().catch(() => undefined);
    await within(bench.activate(), bound, `bench '${bench.name}'`);
    await within(bench.beginScenario(healthScenario(bench.name)), bound, 'the bench setup');
    try {
      if (bench.has('terminal')) {
        const status = await within(bench.get('terminal').status(), Math.min(bound, 10000), 'the terminal');
        if (typeof status !== 'object' || status === null)
          throw new BenchHealthError('E_LAB_HEALTH_NO_STATUS', 'the terminal', 'the terminal gave no status');
      }
    } finally {
      await within(bench.endScenario(), Math.min(bound, 10000), 'the bench teardown').catch(() => undefined);
    }
    return { healthy: true, since };
  } catch (e) {
    return {
      healthy: false,
      reason: (e as Error).message,
      ...(isPayhilError(e) ? { code: e.code } : {}),
      since,
    };
  }
}
