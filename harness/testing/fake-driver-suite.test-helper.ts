/**
 * Test helper, run by driver-conformance.test.ts in a mocha child process: the conformance suite on the
 * fake driver with the flaw named by PAYHIL_FAKE_FLAW.
 */
import { describeDriverConformance } from './index.js';
import { fakeBench, type Flaw } from './fake-terminal-driver.test-helper.js';

const flaw = (process.env.PAYHIL_FAKE_FLAW ?? 'none') as Flaw;

describeDriverConformance({
  name: `fake (${flaw})`,
  offers: { void: true, refund: true, settle: false },
  start: async () => fakeBench(flaw),
  boundMs: 1500,
  resultTimeoutMs: 2000,
  testTimeoutMs: 10_000,
});
