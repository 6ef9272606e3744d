/**
 * The run's seed and the streams derived from it. One seed per `payhil run` (`--seed N`, else a fresh
 * one); each scenario run draws from its own seed, `scenarioSeed(runSeed, id)`, so its values do not
 * depend on which scenarios ran before it; each part of the bench (terminal, cards, host, proxy) draws from
 * its own stream of that, `deriveSeed(seed, label)`, so a change in how often one part draws does not
 * shift another's values.
 *
 * The rule for secrets: on the embedded bench every draw — STAN and RRN starts, the terminal's
 * unpredictable number (9F37), the card's GET CHALLENGE, the host's working keys (PIK/MAK/TDK), the
 * proxy's jitter, toxicity rolls, slice sizes and bit flips — comes from the seed (all keys there are
 * TEST keys under TEST TMKs). Anything that may meet a real host or a lab (the host simulator or the
 * emulator as their own processes, the proxy command) keeps node:crypto's randomness unless a seed is
 * given to it explicitly: {@link secureRandom} is the default of every draw.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { seededRandom } from './seeded-random.js';

/** Seeds are unsigned 32-bit integers (0…4294967295). */
export const MAX_SEED = 0xffffffff;

/** A fresh seed from node:crypto. */
export function freshSeed(): number {
  return randomInt(0, MAX_SEED + 1);
}

/** True for an integer 0…{@link MAX_SEED}. */
export function isSeed(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_SEED;
}

/** FNV-1a (32 bits) of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: every input bit moves every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed of the stream `label` of `seed` (same inputs, same seed; any label, any seed). */
export function deriveSeed(seed: number, label: string): number {
  return mix((mix(seed >>> 0) ^ fnv1a(label)) >>> 0);
}

/** The seed of one scenario run: the run's seed and the run id (the expanded scenario id). */
export function scenarioSeed(runSeed: number, runId: string): number {
  return deriveSeed(runSeed, `scenario:${runId}`);
}

/** A generator uniform in [0, 1) for the stream `label` of `seed`. */
export function seededStream(seed: number, label: string): () => number {
  return seededRandom(deriveSeed(seed, label));
}

/** Uniform in [0, 1) from node:crypto: the default where no seed is given. */
export function secureRandom(): number {
  return randomBytes(4).readUInt32BE(0) / 4294967296;
}

/** `n` bytes drawn from `random` (one draw per byte). */
export function randomBytesOf(random: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256) & 0xff;
  return b;
}
