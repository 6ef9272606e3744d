import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { loadDialect, maskFrameBytes } from '../iso8583/index.js';
import { CUP_PURCHASE_0200_HEX } from '../iso8583/sample-frames.js';
import { Timeline, type ScenarioRun } from '../runner/index.js';
import { framesHtml, framesText, frameViews, hexDump } from './frames-view.js';

/** The published CUP 0200 as the host journal keeps it: sensitive bytes overwritten in place. */
const cup = loadDialect('cup');
const maskedHex = maskFrameBytes(cup, Buffer.from(CUP_PURCHASE_0200_HEX, 'hex'))
  .toString('hex')
  .toUpperCase();
const PAN = '6224242900000113';

function runWith(entries: Record<string, unknown>[]): ScenarioRun {
  const t = new Timeline(1000);
  for (const [i, d] of entries.entries()) t.add('raw-frame', d, 1010 + i);
  return { timeline: t } as unknown as ScenarioRun;
}

describe('ISO 8583 frames attachment: decoded, masked table and hex dump per message', () => {
  it('decodes each message by its dialect: field number, name, masked value; the tags of 55 with their names', () => {
    const [v] = frameViews(
      runWith([{ direction: 'request', conn: 1, mti: '0200', raw: maskedHex, dialect: 'cup' }]),
    );
    assert.ok(v);
    assert.equal(v.error, undefined);
    const row = (f: string): { name: string; value: string } | undefined => v.rows.find((r) => r.field === f);
    assert.deepEqual(
      v.rows.filter((r) => !r.field.includes('.')).map((r) => r.field),
      [
        '2',
        '3',
        '4',
        '11',
        '14',
        '22',
        '23',
        '25',
        '26',
        '35',
        '41',
        '42',
        '48',
        '49',
        '52',
        '53',
        '55',
        '59',
        '60',
        '64',
      ],
    );
    assert.match(row('2')?.name ?? '', /^Primary account number/);
    assert.equal(row('2')?.value, '622424******0113');
    assert.equal(row('3')?.value, '000000');
    assert.match(row('35')?.value ?? '', /track data/);
    assert.match(row('52')?.value ?? '', /PIN block/);
    assert.equal(row('55.9F26')?.name, 'Application Cryptogram (AC)');
    assert.match(row('55.9F26')?.value ?? '', /^[0-9A-F]{16}$/);
    assert.equal(row('55.84')?.value, 'A000000333010102', 'the AID (DF name) in clear');
  });

  it('HTML: a table and the hex dump beside it per message, no clear PAN; text the same', () => {
    const run = runWith([
      { direction: 'request', conn: 1, mti: '0200', raw: maskedHex },
      { direction: 'response', conn: 1, mti: '0210', raw: '0011DEAD' },
    ]);
    const html = framesHtml(run);
    assert.equal((html.match(/<section>/g) ?? []).length, 2);
    assert.match(html, /→ request 0200 \(connection 1\), 428 bytes/);
    assert.match(html, /<div class="pair"><div><table>/);
    assert.match(html, /<td>2<\/td><td>Primary account number \(主账号\)<\/td><td>622424\*{6}0113<\/td>/);
    assert.match(html, /<pre>0000 {2}01 AA 60 00 06 00 00 60 {2}31 00 31 10 03 02 00 70/);
    // The second frame is not ISO 8583 of any bundled dialect: its reason, and its bytes.
    assert.match(html, /does not decode: /);
    assert.match(html, /<pre>0000 {2}00 11 DE AD/);
    assert.ok(!html.includes(PAN) && !html.includes(Buffer.from(PAN).toString('hex')));
    const text = framesText(run);
    assert.match(text, /^\+0\.010 s {2}→ request 0200 \(connection 1\)/);
    assert.match(text, /\n {2}55\.9F26 +Application Cryptogram \(AC\) +[0-9A-F]{16}\n/);
    assert.ok(!text.includes(PAN));
    assert.equal(framesHtml(runWith([])), '');
  });

  it('hex dump: offset, two groups of 8 bytes, printable ASCII', () => {
    assert.equal(
      hexDump(Buffer.from('0123456789ABCDEFxy', 'ascii')),
      '0000  30 31 32 33 34 35 36 37  38 39 41 42 43 44 45 46   0123456789ABCDEF\n' +
        '0010  78 79                                              xy',
    );
  });
});
