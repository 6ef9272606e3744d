import { strict as assert } from 'node:assert';
import { ExchangePairing } from './exchange-pairing.js';

describe('net/exchange-pairing: requests and answers of a spy', () => {
  it('pairs an answer with the oldest unanswered request of its connection and answer MTI', () => {
    const p = new ExchangePairing();
    let answered = 0;
    p.onAnswered = () => void answered++;
    p.add(1, 'upstream', { mti: '0200', fields: { 11: '000001' } });
    p.add(2, 'upstream', { mti: '0200', fields: { 11: '000002' } });
    p.add(1, 'upstream', { mti: '0400', fields: { 11: '000001' } });
    p.add(1, 'downstream', { mti: '0410', fields: { 39: '00' } });
    p.add(2, 'downstream', { mti: '0210', fields: { 39: '51' } });
    p.add(1, 'downstream', { mti: '0210', fields: { 39: '00' } });
    p.add(1, 'downstream', { mti: '0210', fields: { 39: '00' } });
    p.add(1, 'upstream', { mti: '0810', fields: {} });
    assert.deepEqual(
      p.exchanges.map((x) => [x.conn, x.request.mti, x.response?.fields[39]]),
      [
        [1, '0200', '00'],
        [2, '0200', '51'],
        [1, '0400', '00'],
      ],
    );
    assert.equal(p.strayAnswers, 1);
    assert.equal(p.answered, 3);
    assert.equal(answered, 3);
  });

  it('keeps presence, not value, of PIN block, keys and MAC; counts requests past its limit', () => {
    const p = new ExchangePairing(1);
    p.add(1, 'upstream', {
      mti: '0200',
      fields: { 2: '6222021000000000017', 52: '1A2B3C4D5E6F7081', 64: '1122334455667788' },
    });
    p.add(1, 'upstream', { mti: '0200', fields: { 11: '000002' } });
    p.add(1, 'downstream', { mti: '0210', fields: { 39: '00', 62: 'AB'.repeat(20) } });
    assert.deepEqual(p.exchanges[0]?.request.fields, { 2: '6222021000000000017', 52: '*', 64: '*' });
    assert.equal(p.exchanges[0]?.response?.fields[62], '*');
    assert.equal(p.dropped, 1);
  });
});
