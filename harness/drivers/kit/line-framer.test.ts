import { strict as assert } from 'node:assert';
import { LineFramer, type LineItem } from './line-framer.js';

const text = (items: LineItem[]): string[] =>
  items.map((i) => (i.kind === 'line' ? i.text : `<overlong ${i.bytes}>`));

describe('LineFramer', () => {
  const input = Buffer.from(
    '{"id":1,"result":{}}\r\n{"event":"display","data":{"lines":["ÜBER 12,50"]}}\n\nlast\n',
    'utf8',
  );
  const whole = ['{"id":1,"result":{}}', '{"event":"display","data":{"lines":["ÜBER 12,50"]}}', '', 'last'];

  it('gives the same lines at every split point of the input (two chunks), CRLF and UTF-8 included', () => {
    for (let i = 0; i <= input.length; i++) {
      const f = new LineFramer();
      const got = [...f.push(input.subarray(0, i)), ...f.push(input.subarray(i))];
      assert.deepEqual(text(got), whole, `split at ${i}`);
      assert.equal(f.pending, false);
    }
  });

  it('byte by byte: the same lines, numbered from 1', () => {
    const f = new LineFramer();
    const got: LineItem[] = [];
    for (const b of input) got.push(...f.push(Buffer.from([b])));
    assert.deepEqual(text(got), whole);
    assert.deepEqual(
      got.map((g) => g.lineNo),
      [1, 2, 3, 4],
    );
  });

  it('a line over the limit is dropped (only its size kept), across chunks; the next line comes whole', () => {
    const f = new LineFramer(16);
    const got = [
      ...f.push(Buffer.from('short\n' + 'x'.repeat(10))),
      ...f.push(Buffer.from('y'.repeat(1000))),
      ...f.push(Buffer.from('z'.repeat(5) + '\nok\n')),
    ];
    assert.deepEqual(text(got), ['short', '<overlong 1015>', 'ok']);
    assert.equal(got[1]?.lineNo, 2);
  });

  it('a line of exactly the limit passes; one byte more does not', () => {
    const f = new LineFramer(4);
    assert.deepEqual(text(f.push(Buffer.from('abcd\nabcde\n'))), ['abcd', '<overlong 5>']);
  });

  it('an unended line is pending, not a line', () => {
    const f = new LineFramer();
    assert.deepEqual(f.push(Buffer.from('{"id":')), []);
    assert.equal(f.pending, true);
  });
});
