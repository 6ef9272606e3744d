import { strict as assert } from 'node:assert';
import {
  NO_PIN_SECURITY_CONTROL,
  pinBlockWithoutPan,
  securityControlField,
  tracksEncrypted,
  withTracksEncrypted,
} from './field-53.js';

describe('pos-protocol/field-53 (security control)', () => {
  it('writes and reads 53.1 PIN format and 53.3 track encryption', () => {
    const f = securityControlField({ pinFormat: '2', doubleLength: true, tracksEncrypted: false });
    assert.equal(f, '2600000000000000');
    assert.equal(pinBlockWithoutPan(f), true);
    assert.equal(tracksEncrypted(f), false);
    assert.equal(tracksEncrypted(withTracksEncrypted(f)), true);
    assert.equal(withTracksEncrypted(f), '2610000000000000');
    assert.equal(withTracksEncrypted(undefined), '0610000000000000');
    assert.equal(NO_PIN_SECURITY_CONTROL, '0600000000000000');
    assert.equal(pinBlockWithoutPan('1600000000000000'), false);
    assert.equal(pinBlockWithoutPan(undefined), false);
    assert.equal(tracksEncrypted(undefined), false);
  });
});
