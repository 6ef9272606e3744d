import { strict as assert } from 'node:assert';
import { getPath, loadDialect } from '../iso8583/index.js';
import { field60, field60Batch, field60NetworkCode, readField60 } from './field-60.js';
import { buildNetworkManagement, buildSignIn } from './network-management.js';

const ID = { terminalId: '12345678', merchantId: '123456789012345' };

describe('pos-protocol/field-60', () => {
  it('writes the subfields the CUP dialect describes (60.1 … 60.5 by field path)', () => {
    const cup = loadDialect('cup');
    const f = field60({
      messageType: '22',
      batch: '000024',
      networkCode: '000',
      readCapability: '6',
      icCondition: '0',
    });
    assert.equal(f, '2200002400060');
    const msg = { mti: '0200', fields: { 60: f } };
    assert.deepEqual(
      ['60.1', '60.2', '60.3', '60.4', '60.5'].map((p) => getPath(cup, msg, p)),
      ['22', '000024', '000', '6', '0'],
    );
    assert.deepEqual(readField60(f), {
      messageType: '22',
      batch: '000024',
      networkCode: '000',
      readCapability: '6',
      icCondition: '0',
    });
  });

  it('reads 60.2 and 60.3 only from a field long enough to hold them', () => {
    assert.equal(field60Batch('00000123004'), '000123');
    assert.equal(field60NetworkCode('00000123004'), '004');
    assert.equal(field60Batch('0000012'), undefined);
    assert.equal(field60NetworkCode('0000012300'), undefined);
    assert.equal(field60Batch(undefined), undefined);
    assert.equal(readField60('0000012300'), undefined);
  });

  it('refuses subfields of the wrong size', () => {
    assert.throws(() => field60({ messageType: '2', batch: '000001', networkCode: '000' }), { field: 60 });
    assert.throws(() => field60({ messageType: '22', batch: '00000A', networkCode: '000' }), { field: 60 });
    assert.throws(
      () => field60({ messageType: '22', batch: '000001', networkCode: '000', icCondition: '2' }),
      {
        code: 'E_POS_REQUEST',
      },
    );
  });

  it('carries the key scheme of a sign-in and the code of an echo / sign-out in 60.3', () => {
    assert.equal(field60NetworkCode(buildSignIn(ID, '000001', '000009', '003').fields[60]), '003');
    assert.equal(buildSignIn(ID, '000001').fields[63], '01 ');
    assert.equal(field60NetworkCode(buildNetworkManagement(ID, '000002', '000009').fields[60]), '301');
    assert.equal(field60NetworkCode(buildNetworkManagement(ID, '000002', '000009', '002').fields[60]), '002');
  });
});
