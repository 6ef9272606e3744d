import { strict as assert } from 'node:assert';
import { field61, readField61 } from './field-61.js';
import { cardOrganisation, operatorField63 } from './field-63.js';

describe('pos-protocol/field-61 and field-63', () => {
  it('field 61: original batch ‖ STAN ‖ date, read back; too short reads nothing', () => {
    assert.equal(field61({ batch: '000001', stan: '000002', date: '1206' }), '0000010000021206');
    assert.deepEqual(readField61('0000010000021206'), { batch: '000001', stan: '000002', date: '1206' });
    assert.deepEqual(readField61('000001000002'), { batch: '000001', stan: '000002' });
    assert.equal(readField61('00000100000'), undefined);
  });
  it('field 63: operator number padded to 3, card organisation read from an answer', () => {
    assert.equal(operatorField63(), '01 ');
    assert.equal(operatorField63('7'), '7  ');
    assert.throws(() => operatorField63('1234'), { field: 63 });
    assert.equal(cardOrganisation('CUP'), 'CUP');
    assert.equal(cardOrganisation('   '), undefined);
    assert.equal(cardOrganisation(undefined), undefined);
  });
});
