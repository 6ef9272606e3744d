import { strict as assert } from 'node:assert';
import { ApduEngine, garble } from './apdu-engine.js';
import type { CommandApdu } from './apdu.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

/** A handler that answers `size` bytes 00 01 02 … for any command. */
function fixed(size: number, sw = 0x9000) {
  const seen: CommandApdu[] = [];
  return {
    seen,
    process(c: CommandApdu) {
      seen.push(c);
      return { data: Buffer.from(Array.from({ length: size }, (_, i) => i & 0xff)), sw };
    },
  };
}

describe('cards/apdu-engine', () => {
  it('T=0: answers a case 4 command with 61xx and hands the data out with GET RESPONSE', () => {
    const e = new ApduEngine(fixed(30), { protocol: 'T0' });
    assert.equal(e.transmit(h('00A4040002AABB00')).toString('hex'), '611e');
    const r = e.transmit(h('00C000001E'));
    assert.equal(r.length, 32);
    assert.equal(r.subarray(30).toString('hex'), '9000');
    // Nothing pending any more.
    assert.equal(e.transmit(h('00C0000000')).toString('hex'), '6985');
  });

  it('T=0: chains GET RESPONSE when the data is longer than Le', () => {
    const e = new ApduEngine(fixed(300), { protocol: 'T0' });
    assert.equal(e.transmit(h('80A8000002830000')).toString('hex'), '6100');
    const first = e.transmit(h('00C0000000'));
    assert.equal(first.length, 258);
    assert.equal(first.subarray(256).toString('hex'), '612c');
    const rest = e.transmit(h('00C000002C'));
    assert.equal(rest.length, 46);
    assert.equal(rest.subarray(44).toString('hex'), '9000');
  });

  it('T=0: answers a wrong Le on a case 2 command with 6Cxx', () => {
    const e = new ApduEngine(fixed(20), { protocol: 'T0' });
    assert.equal(e.transmit(h('00B2010C05')).toString('hex'), '6c14');
    assert.equal(e.transmit(h('00B2010C14')).length, 22);
    assert.equal(e.transmit(h('00B2010C00')).length, 22);
  });

  it('T=1: returns data at once, 6Cxx only when Le is too short', () => {
    const e = new ApduEngine(fixed(20), { protocol: 'T1' });
    assert.equal(e.transmit(h('00A4040002AABB00')).length, 22);
    assert.equal(e.transmit(h('00B2010C05')).toString('hex'), '6c14');
  });

  it('answers malformed APDUs with 6700 without reaching the application', () => {
    const handler = fixed(2);
    const e = new ApduEngine(handler, { protocol: 'T1' });
    assert.equal(e.transmit(h('00A4')).toString('hex'), '6700');
    assert.equal(e.transmit(h('00A4040005AA')).toString('hex'), '6700');
    assert.equal(handler.seen.length, 0);
  });

  it('garbles response data (TLV no longer intact) but keeps the status word', () => {
    let on = true;
    const e = new ApduEngine(fixed(16), { protocol: 'T1', garbled: () => on });
    const r = e.transmit(h('00B2010C00'));
    assert.equal(r.subarray(-2).toString('hex'), '9000');
    assert.equal(r.length - 2, 12);
    assert.notDeepEqual(r.subarray(0, 12), Buffer.from(Array.from({ length: 12 }, (_, i) => i)));
    on = false;
    assert.equal(e.transmit(h('00B2010C00')).length, 18);
    assert.equal(garble(Buffer.from([0x70, 0x03, 0x5a, 0x01])).length, 3);
  });
});
