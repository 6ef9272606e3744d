import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { BUNDLED_DIALECTS, loadDialect } from './dialect-loader.js';
import { FrameParser } from './frame-parser.js';
import { decodeFrame, decodeMessage, encodeFrame, encodeMessage } from './message-codec.js';
import { message } from './arbitraries.test-helper.js';
import type { Dialect } from './dialect-types.js';

function tpduHeader(d: Dialect): { tpdu?: string; header?: string } {
  const out: { tpdu?: string; header?: string } = {};
  if (d.framing.tpduDefault) out.tpdu = d.framing.tpduDefault;
  if (d.framing.headerDefault) out.header = d.framing.headerDefault;
  return out;
}

describe('iso8583 properties', () => {
  for (const name of BUNDLED_DIALECTS) {
    const d = loadDialect(name);

    it(`${name}: decode(encode(m)) = m for random valid messages`, () => {
      fc.assert(
        fc.property(message(d), (m) => {
          assert.deepEqual(decodeMessage(d, encodeMessage(d, m)), m);
          const frame = decodeFrame(d, encodeFrame(d, m));
          assert.deepEqual({ mti: frame.mti, fields: frame.fields }, m);
          assert.equal(frame.tpdu, d.framing.tpduDefault);
        }),
        { numRuns: 300, seed: 8583 },
      );
    });

    it(`${name}: every split point of a frame parses to the same message`, () => {
      fc.assert(
        fc.property(message(d, { maxVar: 24 }), (m) => {
          const frame = encodeFrame(d, m);
          const parser = new FrameParser(d);
          for (let i = 0; i <= frame.length; i++) {
            const out = [...parser.push(frame.subarray(0, i)), ...parser.push(frame.subarray(i))];
            assert.equal(out.length, 1);
            // Same bytes, hence the same message; decoded in full at a few split points.
            assert.ok(out[0]!.equals(frame), `split at ${i}`);
            if (i % 97 === 0) assert.deepEqual(decodeFrame(d, out[0]!), { ...m, ...tpduHeader(d) });
          }
        }),
        { numRuns: 30, seed: 8583 },
      );
    });

    it(`${name}: any chunking of a stream of frames yields the frames in order`, () => {
      fc.assert(
        fc.property(
          fc.array(message(d, { maxVar: 60 }), { minLength: 1, maxLength: 6 }),
          fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }),
          (msgs, sizes) => {
            const frames = msgs.map((m) => encodeFrame(d, m));
            const stream = Buffer.concat(frames);
            const parser = new FrameParser(d);
            const out: Buffer[] = [];
            let pos = 0;
            for (let i = 0; pos < stream.length; i++) {
              const n = sizes[i % sizes.length]!;
              out.push(...parser.push(stream.subarray(pos, pos + n)));
              pos += n;
            }
            assert.equal(out.length, frames.length);
            out.forEach((f, i) => assert.ok(f.equals(frames[i]!)));
          },
        ),
        { numRuns: 100, seed: 8583 },
      );
    });
  }
});
