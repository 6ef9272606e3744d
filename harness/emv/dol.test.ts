import assert from 'node:assert/strict';
import { buildDolData, dolDataLength, encodeDol, fitDolValue, parseDol, splitDolData } from './dol.js';
import { TlvError } from './errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const h = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const lookupFrom =
  (m: Record<string, string>) =>
  (tag: string): Buffer | undefined =>
    m[tag] === undefined ? undefined : hex(m[tag]);

// The CDOL1 of a Barclays Visa debit card (russss/python-emv test_structures.py TestDOL) — also
// test1_dol of openemv/emv-utils tests/emv_dol_test.c.
const CDOL1 = hex('9F 02 06 9F 03 06 9F 1A 02 95 05 5F 2A 02 9A 03 9C 01 9F 37 04');

describe('emv/dol', () => {
  it('parses a CDOL1 into tag/length entries (emv-utils test 1)', () => {
    assert.deepEqual(
      parseDol(CDOL1).map((e) => [e.tag, e.length]),
      [
        ['9F02', 6],
        ['9F03', 6],
        ['9F1A', 2],
        ['95', 5],
        ['5F2A', 2],
        ['9A', 3],
        ['9C', 1],
        ['9F37', 4],
      ],
    );
    // python-emv: DOL.size() == 29; emv-utils test 4: 6+6+2+5+2+3+1+4
    assert.equal(dolDataLength(CDOL1), 29);
    assert.deepEqual(encodeDol(parseDol(CDOL1)), CDOL1);
  });

  it('refuses a DOL cut inside an entry (emv-utils tests 2 and 3)', () => {
    try {
      parseDol(hex('9F02069F03069F1A0295'));
      assert.fail('expected TlvError');
    } catch (e) {
      assert.ok(e instanceof TlvError);
      assert.equal(e.reason, 'truncated-length');
      assert.equal(e.offset, 10);
      assert.equal(e.tag, '95');
    }
    try {
      parseDol(hex('9F02069F03069F1A0295055F2A029A039C019F37'));
      assert.fail('expected TlvError');
    } catch (e) {
      assert.ok(e instanceof TlvError);
      assert.equal(e.reason, 'truncated-length');
      assert.equal(e.tag, '9F37');
    }
  });

  it('builds data with exact lengths in DOL order (emv-utils test 6)', () => {
    const data = buildDolData(
      CDOL1,
      lookupFrom({
        '9C': '09',
        '9A': '240217',
        '5F2A': '0978',
        '9F02': '000123456789',
        '9F03': '000987654321',
        '9F1A': '0528',
        '9F37': 'DEADBEEF',
        '95': '1234554321',
      }),
    );
    assert.equal(
      h(data),
      '000123456789' + '000987654321' + '0528' + '1234554321' + '0978' + '240217' + '09' + 'DEADBEEF',
    );
  });

  it('truncates and pads by format (emv-utils test 7)', () => {
    // 9F02 n shorter → keep rightmost; 9F03 n longer → leading zeros; 95 b longer → trailing zero;
    // 9A length 0 → nothing; 9C n longer → leading zeros; 9F37 b shorter → keep leftmost.
    const dol = hex('9F0203 9F0307 9F1A02 9506 5F2A02 9A00 9C03 9F3703');
    const data = buildDolData(
      dol,
      lookupFrom({
        '9C': '09',
        '9A': '240217',
        '5F2A': '0978',
        '9F02': '000123456789',
        '9F03': '000987654321',
        '9F1A': '0528',
        '9F37': 'DEADBEEF',
        '95': '1234554321',
      }),
    );
    assert.equal(
      h(data),
      '456789' + '00000987654321' + '0528' + '123455432100' + '0978' + '000009' + 'DEADBE',
    );
  });

  it('fills missing data and constructed tags with zeros (python-emv Barclays GENERATE AC data)', () => {
    // python-emv test_serialise: with only TVR (95) and date (9A) known, the CDOL1 data is all zeros but those.
    const data = buildDolData(CDOL1, lookupFrom({ '9A': '010101', '95': '8000000000' }));
    assert.equal(
      h(data),
      h(hex('00 00 00 00 00 00 00 00 00 00 00 00 00 00 80 00 00 00 00 00 00 01 01 01 00 00 00 00 00')),
    );
    // a constructed tag in a DOL is never looked up
    let asked = false;
    const z = buildDolData(hex('7003 9F3602'), (t) => {
      if (t === '70') asked = true;
      return t === '9F36' ? hex('0005') : hex('FFFFFF');
    });
    assert.equal(asked, false);
    assert.equal(h(z), '0000000005');
  });

  it('pads compact numeric (cn) with trailing FF and honours a caller-given format', () => {
    assert.equal(
      h(buildDolData(hex('5A0A'), lookupFrom({ '5A': '6212345678901234' }))),
      '6212345678901234FFFF',
    );
    assert.equal(h(fitDolValue(hex('1234'), 4, 'cn')), '1234FFFF');
    assert.equal(h(fitDolValue(hex('1234'), 4, 'an')), '12340000');
    assert.equal(h(fitDolValue(hex('123456'), 2, 'cn')), '1234');
    // unknown proprietary tag: binary by default, numeric when the caller says so
    assert.equal(h(buildDolData(hex('DF6003'), lookupFrom({ DF60: '01' }))), '010000');
    assert.equal(
      h(buildDolData(hex('DF6003'), lookupFrom({ DF60: '01' }), { formatOf: () => 'n' })),
      '000001',
    );
  });

  it('splits received DOL data back into values', () => {
    const data = hex('000000001000 000000000000 0156 0000000000 0156 261121 00 11223344');
    const parts = splitDolData(CDOL1, data);
    assert.deepEqual(
      parts.map((p) => [p.tag, h(p.value)]),
      [
        ['9F02', '000000001000'],
        ['9F03', '000000000000'],
        ['9F1A', '0156'],
        ['95', '0000000000'],
        ['5F2A', '0156'],
        ['9A', '261121'],
        ['9C', '00'],
        ['9F37', '11223344'],
      ],
    );
    assert.throws(
      () => splitDolData(CDOL1, data.subarray(1)),
      (e: unknown) => e instanceof TlvError && e.reason === 'bad-value',
    );
  });
});
