import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { LineSplitter, type LineItem } from './line-splitter.js';
import { parseMuxReply } from './mux-reply.js';

function feed(chunks: Buffer[], max?: number): LineItem[] {
  const s = new LineSplitter(max);
  return chunks.flatMap((c) => s.push(c));
}

describe('mux line protocol: LineSplitter', () => {
  const stream = Buffer.from('OK SELECT 3\r\nOK STATUS - 16\nERR JAM switch stuck\n');
  const whole = [
    { kind: 'line', text: 'OK SELECT 3' },
    { kind: 'line', text: 'OK STATUS - 16' },
    { kind: 'line', text: 'ERR JAM switch stuck' },
  ];

  it('gives the same lines at every split point of the stream, and byte by byte', () => {
    for (let i = 0; i <= stream.length; i++)
      assert.deepEqual(feed([stream.subarray(0, i), stream.subarray(i)]), whole, `split at ${i}`);
    assert.deepEqual(feed([...stream].map((b) => Buffer.from([b]))), whole);
  });

  it('holds an unfinished line until its LF', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push(Buffer.from('OK SEL')), []);
    assert.equal(s.pending, 6);
    assert.deepEqual(s.push(Buffer.from('ECT 1\n')), [{ kind: 'line', text: 'OK SELECT 1' }]);
    assert.equal(s.pending, 0);
  });

  it('reports an overlong line once, keeps no more than the bound, and reads the next line', () => {
    const s = new LineSplitter(16);
    const out: LineItem[] = [];
    for (let i = 0; i < 1000; i++) {
      out.push(...s.push(Buffer.alloc(100, 0x41)));
      assert.ok(s.pending <= 17, `bounded (${s.pending})`);
    }
    out.push(...s.push(Buffer.from('\nOK PING\n')));
    assert.deepEqual(out, [
      { kind: 'overlong', bytes: 100_000 },
      { kind: 'line', text: 'OK PING' },
    ]);
    // A line of exactly the bound passes, one byte more does not.
    assert.deepEqual(feed([Buffer.from('A'.repeat(16) + '\n' + 'B'.repeat(17) + '\n')], 16), [
      { kind: 'line', text: 'A'.repeat(16) },
      { kind: 'overlong', bytes: 17 },
    ]);
  });

  it('reports a line with binary bytes as garbage and goes on', () => {
    assert.deepEqual(feed([Buffer.from([0x4f, 0x4b, 0x00, 0xff, 0x0a]), Buffer.from('OK DESELECT\n')]), [
      { kind: 'garbage', bytes: 4 },
      { kind: 'line', text: 'OK DESELECT' },
    ]);
  });
});

describe('mux line protocol: answers', () => {
  it('reads OK and ERR lines, and nothing else', () => {
    assert.deepEqual(parseMuxReply('OK SLOT 3 cup-debit'), {
      ok: true,
      verb: 'SLOT',
      args: ['3', 'cup-debit'],
    });
    assert.deepEqual(parseMuxReply('OK\tDESELECT'), { ok: true, verb: 'DESELECT', args: [] });
    assert.deepEqual(parseMuxReply('ERR JAM switch arm stuck'), {
      ok: false,
      code: 'JAM',
      text: 'switch arm stuck',
    });
    assert.deepEqual(parseMuxReply('ERR BADSLOT'), { ok: false, code: 'BADSLOT', text: '' });
    for (const junk of ['', 'OK', 'ok select 1', 'HELLO', 'ERR', 'OK 3', 'ERR 42 x'])
      assert.equal(parseMuxReply(junk), undefined, junk);
  });
});
