import { strict as assert } from 'node:assert';
import { fromHex, toHex } from '../crypto/index.js';
import { encodeTlv } from '../emv/index.js';
import type { IsoMessage } from '../iso8583/index.js';
import {
  ReplayBook,
  cardHash,
  readablePan,
  recordExchange,
  requestKey,
  type ReplayFixture,
} from './replay-fixture.js';

const SALT = 'ffeeddccbbaa99887766554433221100';
const PAN = '6222021000000000017';
const purchase = (stan: string, amount = '000000001000', extra: Record<number, string> = {}): IsoMessage => ({
  mti: '0200',
  fields: { 2: PAN, 3: '000000', 4: amount, 11: stan, 22: '051', ...extra },
});

describe('host/replay-fixture: matching recorded exchanges', () => {
  it('matches by MTI, processing code, amount and card — not STAN — in recorded order, the last again after', () => {
    const fixture: ReplayFixture = {
      version: 1,
      dialect: 'cup',
      cardHash: { algorithm: 'sha256-salted-16', salt: SALT },
      exchanges: [
        recordExchange(purchase('000001'), { mti: '0210', fields: { 39: '51' } }, SALT),
        recordExchange(purchase('000002'), { mti: '0210', fields: { 39: '00' } }, SALT),
      ],
    };
    const book = new ReplayBook(fixture);
    const key = (stan: string, amount?: string) => requestKey(purchase(stan, amount), SALT, PAN);
    assert.equal(book.take(key('000777'))?.response?.fields['39'], '51');
    assert.equal(book.take(key('000778'))?.response?.fields['39'], '00');
    assert.equal(book.take(key('000779'))?.response?.fields['39'], '00');
    assert.equal(book.take(key('000780', '000000001001')), undefined, 'another amount');
    assert.equal(
      book.take(requestKey(purchase('1'), SALT, '6258002000000000022')),
      undefined,
      'another card',
    );
    assert.equal(book.take({ ...key('1'), processingCode: '310000' }), undefined, 'another processing code');
    book.reset();
    assert.equal(book.take(key('000781'))?.response?.fields['39'], '51', 'reset starts over');
  });

  it('records a request the host never answered as noAnswer', () => {
    const x = recordExchange(purchase('000001'), undefined, SALT);
    assert.equal(x.noAnswer, true);
    assert.equal(x.response, undefined);
    assert.equal(x.request.amount, '000000001000');
  });

  it('hashes the PAN with the salt and keeps it only masked', () => {
    assert.notEqual(cardHash(SALT, PAN), cardHash('0'.repeat(32), PAN));
    assert.match(cardHash(SALT, PAN), /^[0-9a-f]{16}$/);
    const x = recordExchange(purchase('000001'), { mti: '0210', fields: { 2: PAN, 39: '00' } }, SALT);
    assert.equal(x.request.card?.masked, '622202*********0017');
    assert.ok(!JSON.stringify(x).includes(PAN));
  });

  it('keeps only the answer fields a host decides (no echo, time, RRN, keys, EMV data, MAC)', () => {
    const resp: IsoMessage = {
      mti: '0210',
      fields: {
        2: PAN,
        11: '000001',
        12: '101010',
        13: '1206',
        37: '000000000001',
        38: 'AB12CD',
        39: '00',
        54: '1002156C000000001000',
        55: '910A00',
        62: 'AA'.repeat(24),
        64: '1122334455667788',
      },
    };
    assert.deepEqual(Object.keys(recordExchange(purchase('1'), resp, SALT).response!.fields).sort(), [
      '38',
      '39',
      '54',
    ]);
  });

  it('reads the PAN from field 2, EMV tag 5A or a clear track 2; not from an encrypted track', () => {
    assert.equal(readablePan(purchase('1')), PAN);
    const f55 = toHex(encodeTlv([{ tag: '5A', value: fromHex('6222021000000000017F') }]));
    assert.equal(readablePan({ mti: '0200', fields: { 55: f55 } }), PAN);
    assert.equal(readablePan({ mti: '0200', fields: { 35: `${PAN}D30122201234` } }), PAN);
    assert.equal(
      readablePan({ mti: '0200', fields: { 35: 'A1B2C3D4E5F60718', 53: '2600000000000000' } }),
      undefined,
    );
    assert.equal(readablePan({ mti: '0800', fields: {} }), undefined);
  });
});
