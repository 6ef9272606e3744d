import { strict as assert } from 'node:assert';
import { PayhilError } from '../common/payhil-error.js';
import { parseCommandApdu, statusWord } from './apdu.js';
import { bcd } from './card-data.js';
import { ApduFormatError, CardDataError } from './errors.js';

describe('cards/errors: every refusal is a typed PayhilError with a stable code', () => {
  it('a malformed command APDU: ApduFormatError, E_APDU_FORMAT, failed (the terminal sent it)', () => {
    for (const f of [
      () => parseCommandApdu(Buffer.from('00A404', 'hex')),
      () => statusWord(Buffer.from('90', 'hex')),
    ])
      assert.throws(
        f,
        (e: unknown) =>
          e instanceof ApduFormatError &&
          e instanceof PayhilError &&
          e.code === 'E_APDU_FORMAT' &&
          e.verdict === 'failed' &&
          e.message.startsWith('APDU: '),
      );
  });

  it('digits that do not fit their BCD element: CardDataError, E_CARD_DATA', () => {
    assert.throws(
      () => bcd('1234', 1),
      (e: unknown) =>
        e instanceof CardDataError && e.code === 'E_CARD_DATA' && e.message === '1234 does not fit n2',
    );
    assert.throws(() => bcd('12a', 2), CardDataError);
  });
});
