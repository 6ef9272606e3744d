/**
 * The codec keeps state between calls (module-level buffers, the last TPDU and header written, empty
 * templates that decoded field objects are copied from, one input reader). These tests check that
 * none of it leaks from one call into the next, and that a message with several problems still
 * reports them in the order of its bytes.
 */
import { strict as assert } from 'node:assert';
import { loadDialect } from './dialect-loader.js';
import { EncodeError } from './errors.js';
import { decodeFrame, decodeMessage, encodeFrame, encodeMessage, type IsoMessage } from './message-codec.js';
import { CUP_PURCHASE_0200_HEX, ISO87_ASCII_0210_TEXT } from './sample-frames.js';

const cup = loadDialect('cup');
const ascii = loadDialect('iso87-ascii');
const binary = loadDialect('iso87-binary');
// Published CUP 0200 (source in sample-frames.ts): length 01AA, TPDU 6000060000, header 603100311003.
const cupFrame = Buffer.from(CUP_PURCHASE_0200_HEX, 'hex');

/** The published frame's hex with its TPDU (bytes 2–6) and header (bytes 7–12) replaced. */
function withTpduHeader(tpdu: string, header: string): string {
  return CUP_PURCHASE_0200_HEX.slice(0, 4) + tpdu + header + CUP_PURCHASE_0200_HEX.slice(26);
}

function encodeError(fn: () => unknown): EncodeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EncodeError, `expected EncodeError, got ${String(e)}`);
    return e;
  }
  assert.fail('no EncodeError');
}

describe('iso8583 codec state between calls', () => {
  it('writes each frame with its own TPDU and header, however they alternate', () => {
    const m = decodeFrame(cup, cupFrame);
    const cases: [string, string][] = [
      ['6000060000', '603100311003'],
      ['6000000006', '603100311003'],
      ['6000060000', '600000000000'],
      ['abcdef0123', '603100311003'], // lower-case hex is accepted and written as bytes
      ['6000060000', '603100311003'],
    ];
    for (let round = 0; round < 2; round++)
      for (const [tpdu, header] of cases)
        assert.equal(
          encodeFrame(cup, m, { tpdu, header }).toString('hex').toUpperCase(),
          withTpduHeader(tpdu.toUpperCase(), header),
        );
  });

  it('hands out frames that later encodes do not touch', () => {
    const first = encodeFrame(cup, decodeFrame(cup, cupFrame));
    const copy = Buffer.from(first);
    for (let i = 0; i < 50; i++)
      encodeFrame(cup, { mti: '0800', fields: { 11: String(i).padStart(6, '0'), 41: 'TERM0001' } });
    assert.ok(first.equals(copy));
    assert.equal(first.toString('hex').toUpperCase(), CUP_PURCHASE_0200_HEX);
    // Exactly sized: no spare bytes after the frame.
    assert.equal(first.length, cupFrame.length);
  });

  it('encodes correctly after a failed encode', () => {
    const good: IsoMessage = { mti: '0800', fields: { 3: '990000', 11: '000001', 41: '10000019' } };
    const expected = encodeMessage(cup, good).toString('hex');
    // Fails half way through the fields (field 41 after 3 and 11 were written).
    assert.throws(() => encodeMessage(cup, { ...good, fields: { ...good.fields, 41: 'TERM\u0100001' } }));
    assert.throws(() => encodeFrame(cup, { ...good, fields: { ...good.fields, 70: '001' } }));
    assert.equal(encodeMessage(cup, good).toString('hex'), expected);
    assert.equal(expected, '0800' + '2020000000800000' + '990000' + '000001' + '3130303030303139');
  });

  it('gives every decoded message its own fields object', () => {
    const a = decodeFrame(cup, cupFrame);
    a.fields[5] = 'added';
    a.fields[3] = 'changed';
    delete a.fields[2];
    const b = decodeFrame(cup, cupFrame);
    assert.equal(b.fields[5], undefined);
    assert.equal(b.fields[3], '000000');
    assert.equal(b.fields[2], '6224242900000113');
    assert.deepEqual(
      Object.keys(b.fields).map(Number),
      [2, 3, 4, 11, 14, 22, 23, 25, 26, 35, 41, 42, 48, 49, 52, 53, 55, 59, 60, 64],
    );
    const empty = decodeMessage(cup, Buffer.from('0200' + '0000000000000000', 'hex'));
    assert.deepEqual(empty, { mti: '0200', fields: {} });
  });

  it('decodes fields above 64 (secondary bitmap) into fresh objects too', () => {
    const m: IsoMessage = { mti: '0800', fields: { 11: '000001', 70: '301', 128: 'ABCDEF0123456789' } };
    const body = encodeMessage(binary, m);
    const a = decodeMessage(binary, body);
    assert.deepEqual(a, m);
    a.fields[100] = 'x';
    assert.deepEqual(decodeMessage(binary, body), m);
    // The published ASCII 0210 (source in sample-frames.ts) decodes the same after all of the above.
    assert.equal(
      decodeMessage(ascii, Buffer.from(ISO87_ASCII_0210_TEXT, 'latin1')).fields[54],
      '100236C0102240000000',
    );
  });

  it('decoded frames carry mti, fields, tpdu and header in that order, and only what the dialect has', () => {
    assert.deepEqual(Object.keys(decodeFrame(cup, cupFrame)), ['mti', 'fields', 'tpdu', 'header']);
    const f = encodeFrame(binary, { mti: '0800', fields: { 11: '000001' } });
    assert.deepEqual(Object.keys(decodeFrame(binary, f)), ['mti', 'fields']);
  });

  it('reports problems in the order of the bytes: TPDU, header, MTI, fields present, field values', () => {
    const badValueAndUnknown = { mti: '0200', fields: { 3: '00000A', 5: '000000000000' } };
    // An unknown field (5) is found before a bad value in a lower field (3).
    assert.equal(encodeError(() => encodeFrame(cup, badValueAndUnknown)).field, 5);
    // A bad MTI comes before both.
    assert.equal(encodeError(() => encodeFrame(cup, { ...badValueAndUnknown, mti: '02' })).field, 0);
    // A bad TPDU or header comes first of all.
    const tpdu = encodeError(() =>
      encodeFrame(cup, { ...badValueAndUnknown, mti: '02' }, { tpdu: '60000G0000' }),
    );
    assert.equal(tpdu.field, 0);
    assert.match(tpdu.reason, /'G' at position 6 is not a hex digit/);
    const header = encodeError(() =>
      encodeFrame(cup, { ...badValueAndUnknown, mti: '02' }, { header: '6031003110' }),
    );
    assert.match(header.reason, /header must be 12 hex digits/);
    // Field 70: a bad value in 3 where the dialect has 70 (iso87-binary), unknown to cup (reported first).
    assert.equal(
      encodeError(() => encodeMessage(binary, { mti: '0200', fields: { 3: 'x', 70: '001' } })).field,
      3,
    );
    const unknown = encodeError(() => encodeMessage(cup, { mti: '0200', fields: { 3: 'x', 70: '001' } }));
    assert.equal(unknown.field, 70);
    assert.match(unknown.reason, /field 70 is not defined in dialect cup/);
  });
});
