/**
 * The terminal's peripheral devices and their condition, for the "device fault" items of the failure
 * catalogue (DOMAIN.md): a broken card reader, a dead PIN pad, a printer out of order, a contactless
 * antenna with a weak field. Set from the profile (`devices:`) or at run time (`terminal.setDevice`).
 */

/** A peripheral of the terminal. */
export type TerminalDevice = 'reader' | 'contactless' | 'pinpad' | 'printer';

/**
 * Its condition: `ok`, `fault` (does not work at all), or — contactless only — `weak` (the field is weak:
 * the card-in-field read takes {@link WEAK_FIELD_FACTOR} times longer, so a short tap is not enough).
 */
export type DeviceCondition = 'ok' | 'fault' | 'weak';

/** The devices, in a stable order. */
export const TERMINAL_DEVICES: readonly TerminalDevice[] = ['reader', 'contactless', 'pinpad', 'printer'];

/** How much longer a contactless read takes in a weak field (retransmissions at the edge of the field). */
export const WEAK_FIELD_FACTOR = 4;

/** Conditions of every device. */
export type DeviceConditions = Record<TerminalDevice, DeviceCondition>;

/** True when `d` names a device. */
export function isTerminalDevice(d: string): d is TerminalDevice {
  return (TERMINAL_DEVICES as readonly string[]).includes(d);
}

/** True when `condition` is one `device` can be in (`weak` is for the contactless field only). */
export function isDeviceCondition(device: TerminalDevice, condition: string): condition is DeviceCondition {
  return condition === 'ok' || condition === 'fault' || (condition === 'weak' && device === 'contactless');
}

/** Every device `ok`, overridden by `spec`. */
export function resolveDevices(
  spec: Partial<Record<TerminalDevice, DeviceCondition>> = {},
): DeviceConditions {
  const out: DeviceConditions = { reader: 'ok', contactless: 'ok', pinpad: 'ok', printer: 'ok' };
  for (const d of TERMINAL_DEVICES) {
    const c = spec[d];
    if (c !== undefined) out[d] = c;
  }
  return out;
}
