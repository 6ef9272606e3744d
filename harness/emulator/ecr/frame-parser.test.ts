import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeAck, encodeFrame, encodeNak } from './frame-codec.js';
import { EcrFrameParser, type ParsedItem } from './frame-parser.js';
import { DOC_EXAMPLE_HEX, DOC_EXAMPLE_PAYLOAD } from './frame-codec.test.js';

const example = Buffer.from(DOC_EXAMPLE_HEX, 'hex');

function feed(parser: EcrFrameParser, chunks: Buffer[]): ParsedItem[] {
  return chunks.flatMap((c) => parser.push(c));
}

function frames(items: ParsedItem[]): string[] {
  return items.map((i) => (i.type === 'frame' ? `${i.seq}:${i.payload.toString()}` : `${i.type}:${i.seq}`));
}

describe('ECR frame parser', () => {
  it('hands on the example frame whatever the split point (every one of them)', () => {
    for (let cut = 0; cut <= example.length; cut++) {
      const p = new EcrFrameParser();
      const first = p.push(example.subarray(0, cut));
      assert.equal(first.length, cut === example.length ? 1 : 0, `cut ${cut}: nothing before the last byte`);
      const items = [...first, ...p.push(example.subarray(cut))];
      assert.deepEqual(frames(items), [`1:${DOC_EXAMPLE_PAYLOAD}`], `cut ${cut}`);
      assert.equal(p.bufferedBytes, 0);
      assert.equal(p.noiseBytes, 0);
    }
  });

  it('hands on two frames and a token fed one byte at a time, and at every pair of split points', () => {
    const stream = Buffer.concat([example, encodeAck(7), encodeFrame(2, Buffer.from('{"x":"y"}'))]);
    const want = [`1:${DOC_EXAMPLE_PAYLOAD}`, 'ack:7', '2:{"x":"y"}'];
    const p = new EcrFrameParser();
    assert.deepEqual(
      frames(
        feed(
          p,
          [...stream].map((b) => Buffer.from([b])),
        ),
      ),
      want,
    );
    for (let i = 0; i <= stream.length; i += 3) {
      for (let j = i; j <= stream.length; j += 5) {
        const q = new EcrFrameParser();
        const got = feed(q, [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
        assert.deepEqual(frames(got), want, `splits ${i}/${j}`);
      }
    }
  });

  it('recognises ACK and NAK split anywhere, and ignores a token whose complement is wrong', () => {
    const p = new EcrFrameParser();
    assert.deepEqual(frames(feed(p, [Buffer.from([0x06]), Buffer.from([0x09, 0xf6, 0x15, 0x09])])), [
      'ack:9',
    ]);
    assert.deepEqual(frames(p.push(Buffer.from([0xf6]))), ['nak:9']);
    const q = new EcrFrameParser();
    assert.deepEqual(frames(q.push(Buffer.from([0x06, 0x09, 0xf7]))), []);
    assert.equal(q.noiseBytes, 3);
  });

  it('skips and counts noise between frames', () => {
    const noise = Buffer.from('garbage\r\n\x00\xff', 'latin1');
    const p = new EcrFrameParser();
    const items = feed(p, [noise, example, noise, encodeNak(3), noise]);
    assert.deepEqual(frames(items), [`1:${DOC_EXAMPLE_PAYLOAD}`, 'nak:3']);
    assert.equal(p.noiseBytes, noise.length * 3);
  });

  it('resynchronises when a stray STX or ACK byte sits right before a frame', () => {
    for (const stray of [[0x02], [0x02, 0x00], [0x06], [0x15, 0x02], [0x02, 0x02]]) {
      const p = new EcrFrameParser();
      const items = p.push(Buffer.concat([Buffer.from(stray), example]));
      assert.deepEqual(
        frames(items.filter((i) => i.type !== 'bad')),
        [`1:${DOC_EXAMPLE_PAYLOAD}`],
        `${stray}`,
      );
      assert.equal(p.bufferedBytes, 0);
    }
  });

  it('reports a frame with a wrong LRC as bad (to be NAKed) and goes on with the next one', () => {
    const broken = Buffer.from(example);
    broken[10] = (broken[10] as number) ^ 0x01; // one bit of the payload flipped by the line
    const p = new EcrFrameParser();
    const items = p.push(Buffer.concat([broken, encodeFrame(2, Buffer.from('{}'))]));
    assert.deepEqual(
      items.map((i) => i.type + ':' + i.seq + (i.type === 'bad' ? ':' + i.reason : '')),
      ['bad:1:lrc', 'frame:2'],
    );
  });

  it('reports a wrong ETX as bad and rescans from the byte after the STX', () => {
    const broken = Buffer.from(example);
    broken[broken.length - 2] = 0x7e;
    const p = new EcrFrameParser();
    const items = p.push(Buffer.concat([broken, example]));
    assert.deepEqual(
      items.map((i) => i.type + ':' + i.seq),
      ['bad:1', 'frame:1'],
    );
  });

  it('does not wait forever on a huge LEN and can discard a stalled partial frame', () => {
    const p = new EcrFrameParser({ maxBodyBytes: 1024 });
    assert.deepEqual(p.push(Buffer.from([0x02, 0xff, 0xff])), []);
    assert.equal(p.noiseBytes, 3);
    const q = new EcrFrameParser();
    q.push(example.subarray(0, 20));
    assert.equal(q.bufferedBytes, 20);
    assert.equal(q.discardPartial(), 20);
    assert.deepEqual(frames(q.push(example)), [`1:${DOC_EXAMPLE_PAYLOAD}`]);
  });

  it('property: frames, tokens and noise split at random come out as sent, noise counted exactly', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => JSON.stringify({ t: s }));
    const item = fc.oneof(
      fc.record({ k: fc.constant('frame' as const), seq: fc.integer({ min: 0, max: 255 }), text }),
      fc.record({
        k: fc.constantFrom('ack' as const, 'nak' as const),
        seq: fc.integer({ min: 0, max: 255 }),
      }),
    );
    // Noise without STX/ACK/NAK bytes, so the count is exact.
    const noise = fc
      .uint8Array({ maxLength: 8 })
      .map((a) => Buffer.from(a.filter((b) => ![2, 6, 0x15].includes(b))));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise, item), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (seq, cuts) => {
          const parts: Buffer[] = [];
          const want: string[] = [];
          let noiseTotal = 0;
          for (const [n, it] of seq) {
            parts.push(n);
            noiseTotal += n.length;
            if (it.k === 'frame') {
              parts.push(encodeFrame(it.seq, Buffer.from(it.text)));
              want.push(`${it.seq}:${it.text}`);
            } else {
              parts.push(it.k === 'ack' ? encodeAck(it.seq) : encodeNak(it.seq));
              want.push(`${it.k}:${it.seq}`);
            }
          }
          const stream = Buffer.concat(parts);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const p of points) {
            chunks.push(stream.subarray(at, p));
            at = p;
          }
          chunks.push(stream.subarray(at));
          const parser = new EcrFrameParser();
          assert.deepEqual(frames(feed(parser, chunks)), want);
          assert.equal(parser.noiseBytes, noiseTotal);
          assert.equal(parser.bufferedBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
