/**
 * Defect switches: simulated firmware bugs, so the harness can prove its scenarios catch them. Each one
 * changes exactly the behaviour its name says (see docs/emulator.md) and nothing else.
 */
import { UnknownDefectError } from './errors.js';

export const DEFECTS = [
  /** A host timeout does not queue (or send) a reversal. */
  'no-reversal-on-timeout',
  /** A pending reversal goes out after the next transaction instead of before it. */
  'reversal-after-next-txn',
  /** A swipe after a chip failure says 02x (plain swipe) in field 22 instead of 80x. */
  'wrong-entry-mode-fallback',
  /** The MAC covers MTI through field 62 only (field 63 left out). */
  'mac-excludes-field-63',
  /** Field 52 carries an ISO 9564 format 1 PIN block instead of format 0. */
  'pin-block-format-1',
  /** Working keys of a sign-in are used without checking their check values. */
  'skip-kcv-check',
  /** Transactions are started before (or without) a successful sign-in. */
  'transacts-without-sign-in',
  /** A swiped chip card (service code 2xx/6xx) is accepted on the stripe instead of "please insert the chip". */
  'ignores-service-code',
  /** A contactless/EC offline approval is taken above the terminal's offline (EC) limit. */
  'ignores-offline-limit',
  /** The chip application's expiry date is not checked (processing restrictions skip it). */
  'accepts-expired-card',
  /** The host's issuer authentication data (ARPC) is not passed to the card: approval on the host's word. */
  'no-arpc-check',
  /** A financial request that got no answer is sent again (new STAN) instead of being reversed. */
  'double-submit-on-retry',
  /** A slow kernel: every APDU exchange, contact or contactless, takes 300 ms more (simulated time). */
  'slow-kernel',
] as const;

/** What `slow-kernel` adds to every APDU exchange (ms). */
export const SLOW_KERNEL_APDU_MS = 300;

export type DefectName = (typeof DEFECTS)[number];

/** A set of active defects. */
export type DefectSet = ReadonlySet<DefectName>;

/** True when `name` is a defect switch. */
export function isDefectName(name: string): name is DefectName {
  return (DEFECTS as readonly string[]).includes(name);
}

/**
 * Merges defect specifications (profile list or map, CLI/option list) into one set. Later specs win for
 * map entries set to false. Throws UnknownDefectError for an unknown name.
 */
export function resolveDefects(
  ...specs: (readonly string[] | Record<string, boolean> | undefined)[]
): Set<DefectName> {
  const out = new Set<DefectName>();
  for (const spec of specs) {
    if (!spec) continue;
    const entries: [string, boolean][] = Array.isArray(spec)
      ? spec.map((n: string) => [n, true])
      : Object.entries(spec);
    for (const [name, on] of entries) {
      if (!isDefectName(name)) throw new UnknownDefectError(name, DEFECTS);
      if (on) out.add(name);
      else out.delete(name);
    }
  }
  return out;
}
