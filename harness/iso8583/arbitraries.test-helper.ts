/**
 * fast-check generators of valid messages for a dialect (test support, not shipped API): every field
 * the dialect defines may appear, with a value of an allowed length and alphabet, in the canonical
 * form the decoder gives back (upper-case hex; track separators as D where the encoding is BCD).
 */
import fc from 'fast-check';
import type { Dialect, FieldSpec } from './dialect-types.js';
import type { IsoMessage } from './message-codec.js';

const DIGITS = '0123456789'.split('');
const HEX = '0123456789ABCDEF'.split('');
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const HIGH = Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(0x80 + i));

function alphabet(spec: FieldSpec): string[] {
  switch (spec.type) {
    case 'n':
      return DIGITS;
    case 'an':
      return PRINTABLE;
    case 'ans':
      return [...PRINTABLE, ...HIGH];
    case 'z':
      return spec.encoding === 'ascii' ? [...DIGITS, '=', 'D'] : [...DIGITS, 'D'];
    case 'b':
      return HEX;
  }
}

/** A valid value for one field. */
export function fieldValue(spec: FieldSpec, maxVar = Infinity): fc.Arbitrary<string> {
  const chars = fc.constantFrom(...alphabet(spec));
  const scale = spec.type === 'b' ? 2 : 1;
  const min = spec.kind === 'fixed' ? spec.length : 0;
  const max = spec.kind === 'fixed' ? spec.length : Math.min(spec.length, maxVar);
  // Keep long variable fields mostly short so runs stay fast, but reach the maximum sometimes.
  const length =
    spec.kind === 'fixed'
      ? fc.constant(max)
      : fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min, max: Math.min(max, 40) }) },
          { weight: 1, arbitrary: fc.integer({ min, max }) },
        );
  return length.chain((n) =>
    fc.array(chars, { minLength: n * scale, maxLength: n * scale }).map((a) => a.join('')),
  );
}

/**
 * A valid message: 4-digit MTI and any subset of the dialect's fields. `maxVar` caps variable lengths
 * (to keep quadratic tests, such as every split point, fast).
 */
export function message(d: Dialect, options: { maxVar?: number } = {}): fc.Arbitrary<IsoMessage> {
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const spec of d.fields) if (spec) model[String(spec.number)] = fieldValue(spec, options.maxVar);
  return fc
    .record({
      mti: fc.array(fc.constantFrom(...DIGITS), { minLength: 4, maxLength: 4 }).map((a) => a.join('')),
      fields: fc.record(model, { requiredKeys: [] }).map((r) => {
        const fields: Record<number, string> = {};
        for (const [k, v] of Object.entries(r)) fields[Number(k)] = v as string;
        return fields;
      }),
    })
    .map(({ mti, fields }) => ({ mti, fields }));
}
