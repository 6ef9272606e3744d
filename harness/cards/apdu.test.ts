import { strict as assert } from 'node:assert';
import { ApduFormatError } from './errors.js';
import { commandApdu, parseCommandApdu, responseApdu, responseData, statusWord, swHex } from './apdu.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('cards/apdu', () => {
  it('splits the four ISO 7816-4 cases of short APDUs', () => {
    const c1 = parseCommandApdu(h('00 A4 04 00'));
    assert.equal(c1.case, 1);
    assert.equal(c1.le, undefined);
    const c2 = parseCommandApdu(h('00 B2 01 0C 00'));
    assert.deepEqual([c2.case, c2.le, c2.p1, c2.p2], [2, 256, 1, 0x0c]);
    const c3 = parseCommandApdu(h('00 20 00 80 08 24 12 34 FF FF FF FF FF'));
    assert.deepEqual([c3.case, c3.data.length, c3.le], [3, 8, undefined]);
    const c4 = parseCommandApdu(h('00 A4 04 00 07 A0 00 00 03 33 01 01 00'));
    assert.deepEqual([c4.case, c4.data.toString('hex'), c4.le], [4, 'a0000003330101', 256]);
    assert.equal(parseCommandApdu(h('80 CA 9F 36 05')).le, 5);
  });

  it('splits extended APDUs', () => {
    const c2 = parseCommandApdu(h('00 B0 00 00 00 01 00'));
    assert.deepEqual([c2.case, c2.le, c2.extended], [2, 256, true]);
    const c4 = parseCommandApdu(h('00 A4 04 00 00 00 02 3F 00 00 00'));
    assert.deepEqual([c4.case, c4.data.toString('hex'), c4.le, c4.extended], [4, '3f00', 65536, true]);
    const c3 = parseCommandApdu(h('00 DA 00 00 00 00 01 AA'));
    assert.deepEqual([c3.case, c3.data.toString('hex')], [3, 'aa']);
  });

  it('refuses malformed APDUs', () => {
    assert.throws(() => parseCommandApdu(h('00 A4 04')), ApduFormatError);
    assert.throws(() => parseCommandApdu(h('00 A4 04 00 05 01 02')), ApduFormatError);
    assert.throws(() => parseCommandApdu(h('00 A4 04 00 02 01 02 03 04')), ApduFormatError);
    assert.throws(() => parseCommandApdu(h('00 A4 04 00 00 00')), ApduFormatError);
  });

  it('builds and reads response APDUs', () => {
    const r = responseApdu(h('6F00'), 0x6283);
    assert.equal(r.toString('hex'), '6f006283');
    assert.equal(statusWord(r), 0x6283);
    assert.equal(responseData(r).toString('hex'), '6f00');
    assert.equal(swHex(0x6a82), '6A82');
    assert.throws(() => statusWord(h('90')), ApduFormatError);
  });

  it('builds command APDUs with Le 256 written as 00', () => {
    assert.equal(commandApdu(0x00, 0xb2, 1, 0x0c, undefined, 256).toString('hex'), '00b2010c00');
    assert.equal(commandApdu(0x80, 0xa8, 0, 0, h('8300'), 256).toString('hex'), '80a8000002830000');
  });
});
