import { strict as assert } from 'node:assert';
import { loadDialect } from './dialect-loader.js';
import { DecodeError, DialectError } from './errors.js';
import { FrameParser } from './frame-parser.js';
import { decodeFrame, encodeFrame } from './message-codec.js';
import { compileDialect } from './dialect-loader.js';
import { CUP_PURCHASE_0200_HEX } from './sample-frames.js';

const cup = loadDialect('cup');
const frame = Buffer.from(CUP_PURCHASE_0200_HEX, 'hex');
const small = encodeFrame(cup, { mti: '0800', fields: { 11: '000001', 41: '10000019', 60: '00000001003' } });

describe('iso8583/frame-parser', () => {
  it('hands on the frame for every split point into two chunks', () => {
    const parser = new FrameParser(cup);
    for (let i = 0; i <= frame.length; i++) {
      const out = [...parser.push(frame.subarray(0, i)), ...parser.push(frame.subarray(i))];
      assert.equal(out.length, 1, `split at ${i}`);
      assert.ok(out[0]!.equals(frame), `split at ${i}`);
      assert.equal(parser.buffered, 0);
    }
  });

  it('hands on the frame when it arrives one byte at a time', () => {
    const parser = new FrameParser(cup);
    const out: Buffer[] = [];
    for (let i = 0; i < frame.length; i++) {
      const got = parser.push(frame.subarray(i, i + 1));
      if (i < frame.length - 1) assert.equal(got.length, 0);
      out.push(...got);
    }
    assert.equal(out.length, 1);
    assert.deepEqual(decodeFrame(cup, out[0]!), decodeFrame(cup, frame));
  });

  it('splits several frames in one chunk, and a chunk ending inside the next prefix', () => {
    const stream = Buffer.concat([small, frame, small, small]);
    const parser = new FrameParser(cup);
    const cut = small.length + frame.length + small.length + 1; // one byte into the 4th prefix
    const first = parser.push(stream.subarray(0, cut));
    assert.deepEqual(
      first.map((f) => f.length),
      [small.length, frame.length, small.length],
    );
    assert.equal(parser.buffered, 1);
    const rest = parser.push(stream.subarray(cut));
    assert.equal(rest.length, 1);
    assert.ok(rest[0]!.equals(small));
  });

  it('does not change frames already handed on when more data arrives', () => {
    const parser = new FrameParser(cup);
    const a = parser.push(Buffer.concat([small.subarray(0, 5)]));
    assert.equal(a.length, 0);
    const [one] = parser.push(Buffer.concat([small.subarray(5), small.subarray(0, 3)]));
    const copy = Buffer.from(one!);
    parser.push(Buffer.concat([small.subarray(3), small]));
    assert.ok(one!.equals(copy));
  });

  it('refuses a frame over the maximum as soon as its prefix arrives, and drops the stream', () => {
    const parser = new FrameParser(cup, { maxFrameBytes: 100 });
    assert.throws(
      () => parser.push(frame.subarray(0, 2)),
      (e: unknown) =>
        e instanceof DecodeError &&
        e.field === undefined &&
        /428 bytes exceeds the maximum of 100/.test(e.reason),
    );
    assert.equal(parser.buffered, 0);
    assert.equal(parser.push(small).length, 1);
  });

  it('refuses 64 KiB + 1 bytes by default and accepts exactly 64 KiB', () => {
    assert.throws(
      () => new FrameParser(cup).push(Buffer.from([0xff, 0xff])),
      /65537 bytes exceeds the maximum of 65536/,
    );
    const p = new FrameParser(cup);
    assert.equal(p.push(Buffer.from([0xff, 0xfe, 0x60])).length, 0);
    assert.equal(p.buffered, 3);
  });

  it('refuses unreadable length prefixes', () => {
    const le = compileDialect({
      ...cup.definition,
      name: 'x',
      framing: { length: { kind: 'u16le', includesSelf: true } },
    });
    assert.throws(() => new FrameParser(le).push(Buffer.from([0x01, 0x00])), /smaller than the prefix/);
    const a4 = compileDialect({ ...cup.definition, name: 'y', framing: { length: { kind: 'ascii4' } } });
    assert.throws(
      () => new FrameParser(a4).push(Buffer.from('00x1', 'latin1')),
      (e: unknown) => e instanceof DecodeError && e.offset === 2,
    );
  });

  it('cannot frame a dialect without a length prefix', () => {
    const none = compileDialect({ ...cup.definition, name: 'z', framing: { length: { kind: 'none' } } });
    assert.throws(() => new FrameParser(none), DialectError);
  });
});
