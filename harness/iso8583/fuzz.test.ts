/**
 * Fuzzing the decoder: per dialect, 100,000 frames, half random bytes and half mutations of valid
 * frames (byte flips, cuts, insertions, bitmap bits, length prefixes kept consistent so the damage is
 * met inside the message). Every frame must decode or fail with a DecodeError; nothing else may escape,
 * and the loop must finish (it is bounded; mocha's timeout catches a hang). A seeded PRNG makes any
 * failure reproducible.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { BUNDLED_DIALECTS, loadDialect } from './dialect-loader.js';
import { DecodeError } from './errors.js';
import { FrameParser } from './frame-parser.js';
import { decodeFrame, decodeMessage, encodeFrame } from './message-codec.js';
import { message } from './arbitraries.test-helper.js';
import type { Dialect } from './dialect-types.js';
import { seededRandom as prng } from '../common/seeded-random.js';

const FRAMES_PER_DIALECT = 100_000;

function fixLength(d: Dialect, frame: Buffer): Buffer {
  const fr = d.framing;
  const n = frame.length - (fr.includesSelf ? 0 : fr.lengthBytes);
  if (frame.length < fr.lengthBytes || n < 0) return frame;
  if (fr.length === 'u16be' && n <= 0xffff) frame.writeUInt16BE(n, 0);
  if (fr.length === 'u16le' && n <= 0xffff) frame.writeUInt16LE(n, 0);
  if (fr.length === 'ascii4' && n <= 9999) frame.write(String(n).padStart(4, '0'), 0, 'latin1');
  return frame;
}

function mutate(d: Dialect, base: Buffer, rnd: () => number): Buffer {
  const int = (n: number): number => Math.floor(rnd() * n);
  let f = Buffer.from(base);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    switch (int(6)) {
      case 0: // flip a byte
        if (f.length) f[int(f.length)] = int(256);
        break;
      case 1: // flip one bit (often in the bitmap, right after MTI)
        if (f.length) {
          const i =
            rnd() < 0.5
              ? Math.min(
                  f.length - 1,
                  d.framing.lengthBytes + d.framing.tpduBytes + d.framing.headerBytes + 2 + int(16),
                )
              : int(f.length);
          f[i] = f[i]! ^ (1 << int(8));
        }
        break;
      case 2: // cut
        f = f.subarray(0, int(f.length + 1));
        break;
      case 3: // insert random bytes
        {
          const at = int(f.length + 1);
          const extra = Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256)));
          f = Buffer.concat([f.subarray(0, at), extra, f.subarray(at)]);
        }
        break;
      case 4: // delete a run
        {
          const at = int(f.length + 1);
          f = Buffer.concat([f.subarray(0, at), f.subarray(at + 1 + int(8))]);
        }
        break;
      case 5: // a length-like byte set high
        if (f.length) f[int(f.length)] = 0x99;
        break;
    }
  }
  // Mostly keep the frame's own length consistent so decoding gets past the framing check.
  return rnd() < 0.8 ? fixLength(d, Buffer.from(f)) : f;
}

function expectOnlyDecodeErrors(fn: () => unknown, describeInput: () => string): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (!(e instanceof DecodeError)) assert.fail(`not a DecodeError: ${String(e)} for ${describeInput()}`);
    assert.ok(Number.isInteger(e.offset) && e.offset >= 0, `bad offset in ${e.message}`);
    return false;
  }
}

describe('iso8583 fuzz', function () {
  this.timeout(60_000);
  for (const [index, name] of BUNDLED_DIALECTS.entries()) {
    it(`${name}: ${FRAMES_PER_DIALECT.toLocaleString('en')} random and mutated frames give only DecodeErrors`, () => {
      const d = loadDialect(name);
      const rnd = prng(0x8583 + index);
      const bases = fc
        .sample(message(d, { maxVar: 30 }), { numRuns: 64, seed: 42 + index })
        .map((m) => encodeFrame(d, m));
      let decoded = 0;
      for (let i = 0; i < FRAMES_PER_DIALECT; i++) {
        let input: Buffer;
        if (i % 2 === 0) {
          const len = Math.floor(rnd() * 200);
          input = Buffer.allocUnsafe(len);
          for (let j = 0; j < len; j++) input[j] = Math.floor(rnd() * 256);
          if (rnd() < 0.5) input = fixLength(d, input);
        } else {
          input = mutate(d, bases[i % bases.length]!, rnd);
        }
        if (
          expectOnlyDecodeErrors(
            () => decodeFrame(d, input),
            () => input.toString('hex'),
          )
        )
          decoded++;
        if (i % 10 === 1) {
          const body = input.subarray(
            Math.min(input.length, d.framing.lengthBytes + d.framing.tpduBytes + d.framing.headerBytes),
          );
          expectOnlyDecodeErrors(
            () => decodeMessage(d, body),
            () => body.toString('hex'),
          );
        }
      }
      // Mutations that happen to stay valid still decode: the fuzzer reached real messages, not only framing errors.
      assert.ok(decoded > 100, `only ${decoded} frames decoded`);
    });

    it(`${name}: a stream of mutated frames in random chunks gives frames or DecodeErrors`, () => {
      const d = loadDialect(name);
      const rnd = prng(0x5eed + index);
      const bases = fc
        .sample(message(d, { maxVar: 30 }), { numRuns: 16, seed: 7 + index })
        .map((m) => encodeFrame(d, m));
      const parser = new FrameParser(d, { maxFrameBytes: 4096 });
      for (let i = 0; i < 2_000; i++) {
        const chunk = i % 3 === 0 ? mutate(d, bases[i % bases.length]!, rnd) : bases[i % bases.length]!;
        let pos = 0;
        while (pos < chunk.length) {
          const n = 1 + Math.floor(rnd() * 50);
          const piece = chunk.subarray(pos, pos + n);
          pos += n;
          let frames: Buffer[] = [];
          if (
            !expectOnlyDecodeErrors(
              () => (frames = parser.push(piece)),
              () => piece.toString('hex'),
            )
          )
            continue;
          for (const f of frames)
            expectOnlyDecodeErrors(
              () => decodeFrame(d, f),
              () => f.toString('hex'),
            );
        }
      }
    });
  }
});
