/**
 * Payment crypto throughput: a format 0 PIN block built and encrypted, and a UnionPay ECB MAC over a
 * typical purchase message, each against a bare one-block TDES-ECB encryption measured in the same run
 * (the node:crypto cipher set-up dominates the baseline and the PIN block; the MAC runs on the JavaScript
 * DES core, des-core.ts, with a key schedule per call). One more figure: the same MAC with the key held as
 * a TdesKey (key schedule computed once), as a host does.
 */
import { heapUsedMiB, opsPerSecondSync, percentile, report } from '../../test/bench/bench-kit.js';
import { cupMacField, macCupEcb } from './cup-mac.js';
import { fromHex } from './hex.js';
import { macX919 } from './iso9797-mac.js';
import { buildPinBlock, encryptPinBlock } from './pin-block.js';
import { tdesEcbEncrypt } from './tdes.js';
import { TdesKey } from './tdes-key.js';

const key = fromHex('0123456789ABCDEFFEDCBA9876543210');
/** The same key held with its key schedule (what a host keeps per session key). */
const heldKey = new TdesKey(key);
const block = fromHex('0412AC89ABCDEF67');
// About the size of a UnionPay 0200 with field 55 from MTI to field 63 (MAC element block).
const mab = Buffer.alloc(230);
for (let i = 0; i < mab.length; i++) mab[i] = (i * 37 + 11) & 0xff;

let sink = 0;
const cases = {
  baseline: () => {
    sink ^= tdesEcbEncrypt(key, block)[0] as number;
  },
  pinBlock: () => {
    sink ^= encryptPinBlock(key, buildPinBlock(0, '123456', '6222021234567890123'))[0] as number;
  },
  cupMac: () => {
    sink ^= macCupEcb(key, mab).charCodeAt(0);
  },
  cupMacHeldKey: () => {
    sink ^= cupMacField(heldKey, mab)[0] as number;
  },
  x919: () => {
    sink ^= macX919(key, mab)[0] as number;
  },
};
type CaseName = keyof typeof cases;

// Two cores are shared with other work: measure in interleaved short rounds and keep medians, so a
// burst of load hits the baseline and the case it is compared with alike.
const ROUNDS = 7;
const rates: Record<CaseName, number[]> = {
  baseline: [],
  pinBlock: [],
  cupMac: [],
  cupMacHeldKey: [],
  x919: [],
};
const ratios: { pinBlock: number[]; cupMac: number[] } = { pinBlock: [], cupMac: [] };
const heapBefore = heapUsedMiB();
for (let r = 0; r < ROUNDS; r++) {
  const round = {} as Record<CaseName, number>;
  for (const name of Object.keys(cases) as CaseName[]) {
    round[name] = opsPerSecondSync(cases[name], 0.5);
    rates[name].push(round[name]);
  }
  ratios.pinBlock.push(round.pinBlock / round.baseline);
  ratios.cupMac.push(round.cupMac / round.baseline);
}
const heapAfter = heapUsedMiB();
const median = (xs: number[]) => percentile(xs, 50);

const ratioPin = median(ratios.pinBlock);
const ratioMac = median(ratios.cupMac);
report({
  bench: 'crypto',
  figures: [
    { name: 'TDES-ECB one block (baseline)', value: Math.round(median(rates.baseline)), unit: 'ops/s' },
    { name: 'PIN block format 0 build + encrypt', value: Math.round(median(rates.pinBlock)), unit: 'ops/s' },
    // One cipher call per PIN block: at least half the bare call rate means our code costs less than one call.
    { name: 'PIN block / baseline', value: ratioPin, unit: 'x', target: '>= 0.5', met: ratioPin >= 0.5 },
    { name: 'UnionPay ECB MAC, 230-byte MAB', value: Math.round(median(rates.cupMac)), unit: 'ops/s' },
    // One cipher set-up and one CBC call per MAC (E(E(H1) ⊕ H2) is the second CBC block).
    {
      name: 'UnionPay ECB MAC / baseline',
      value: ratioMac,
      unit: 'x',
      target: '>= 0.33',
      met: ratioMac >= 0.33,
    },
    {
      name: 'UnionPay ECB MAC, 230-byte MAB, key held as a TdesKey',
      value: Math.round(median(rates.cupMacHeldKey)),
      unit: 'ops/s',
    },
    { name: 'X9.19 MAC, 230-byte MAB', value: Math.round(median(rates.x919)), unit: 'ops/s' },
    { name: 'heap growth over the run', value: heapAfter - heapBefore, unit: 'MiB' },
  ],
  notes: [
    `node ${process.version}; medians of ${ROUNDS} interleaved rounds of 0.5 s per case (sink ${sink & 1})`,
  ],
});
