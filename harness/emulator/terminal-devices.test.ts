import { strict as assert } from 'node:assert';
import {
  isDeviceCondition,
  isTerminalDevice,
  resolveDevices,
  TERMINAL_DEVICES,
  WEAK_FIELD_FACTOR,
} from './terminal-devices.js';

describe('terminal devices', () => {
  it('knows the four peripherals and refuses other names', () => {
    assert.deepEqual([...TERMINAL_DEVICES], ['reader', 'contactless', 'pinpad', 'printer']);
    assert.equal(isTerminalDevice('pinpad'), true);
    assert.equal(isTerminalDevice('modem'), false);
  });

  it('allows "weak" for the contactless field only', () => {
    assert.equal(isDeviceCondition('contactless', 'weak'), true);
    for (const d of ['reader', 'pinpad', 'printer'] as const)
      assert.equal(isDeviceCondition(d, 'weak'), false);
    for (const d of TERMINAL_DEVICES) {
      assert.equal(isDeviceCondition(d, 'ok'), true);
      assert.equal(isDeviceCondition(d, 'fault'), true);
      assert.equal(isDeviceCondition(d, 'broken'), false);
    }
    assert.ok(WEAK_FIELD_FACTOR > 1);
  });

  it('fills every device with ok and keeps what the profile says', () => {
    assert.deepEqual(resolveDevices(), { reader: 'ok', contactless: 'ok', pinpad: 'ok', printer: 'ok' });
    assert.deepEqual(resolveDevices({ pinpad: 'fault' }), {
      reader: 'ok',
      contactless: 'ok',
      pinpad: 'fault',
      printer: 'ok',
    });
  });
});
