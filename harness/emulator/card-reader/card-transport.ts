/**
 * APDU transport between the terminal's readers and a presented card: GET RESPONSE / 6Cxx followed, every
 * exchange an `apdu` event (PIN block redacted, PAN and track data masked), a card that vanished mid-
 * exchange reported as removed; and the contactless field's simulated timing.
 */
import { CardRemovedError, exchangeWithGetResponse } from '../../cards/index.js';
import { toHex } from '../../crypto/index.js';
import { maskIccHex } from '../../emv/index.js';
import type { Presentation, PresentedCard } from './card-presentation.js';
import { KernelStop, type ApduSender } from './kernel-contract.js';
import { WEAK_FIELD_FACTOR, type DeviceConditions } from '../terminal-devices.js';
import type { Clock } from '../../common/clock.js';
import { SLOW_KERNEL_APDU_MS } from '../defects.js';
import type { TerminalEvents } from '../terminal-events.js';
import type { TerminalProfile } from '../terminal-profile.js';

/**
 * Sends `command` to `card` through `via`, following 61xx/6Cxx; emits one `apdu` event per exchange.
 * Each exchange first takes `costOf(c)` ms on the terminal's clock (the profile's timing); the event's
 * `ms` is the time it took on that clock.
 */
export async function transmitToCard(
  events: TerminalEvents,
  card: PresentedCard,
  via: 'contact' | 'contactless',
  command: Buffer,
  costOf: (c: Buffer) => number = () => 0,
): Promise<Buffer> {
  const clock = events.clock;
  return exchangeWithGetResponse(async (c) => {
    const started = clock.now();
    const cost = costOf(c);
    if (cost > 0) await clock.sleep(cost);
    let r: Buffer;
    try {
      r = await card.transmit(c);
    } catch (e) {
      // A transport that lost the card (PC/SC transmit failed, or the card source already powered it
      // off) is a card that left, not a card that refused.
      if (e instanceof CardRemovedError) throw e;
      if ('poweredVia' in card && card.poweredVia === undefined)
        throw new CardRemovedError(card.name, `gone (${(e as Error).message})`);
      throw e;
    }
    // Every card answer ends with SW1 SW2; nothing at all is a reader that no longer has the card.
    if (r.length < 2) throw new CardRemovedError(card.name, 'answer without a status word');
    const shown = c[1] === 0x20 ? toHex(c.subarray(0, 5)) + '<PIN block redacted>' : toHex(c);
    // PAN and track data (5A, 57, 9F1F, 9F6B) masked in the response, as in every report.
    const body = r.subarray(0, Math.max(0, r.length - 2));
    const response =
      (body.length ? maskIccHex(toHex(body)) : '') + toHex(r.subarray(Math.max(0, r.length - 2)));
    events.emit({ type: 'apdu', via, command: shown, response, ms: clock.now() - started });
    return r;
  }, command);
}

/** A contactless sender and the simulated time the card spent in the field so far (ms). */
export interface TimedSender {
  send: ApduSender;
  spentMs: () => number;
}

/**
 * What a contact exchange costs (ms): the profile's `timing.contactApduMs`, plus `timing.cardCryptoMs`
 * for GENERATE AC (INS AE) and INTERNAL AUTHENTICATE (INS 88), plus 300 ms with `slow-kernel`. The
 * profile's costs stand in for real I/O on a simulated clock only: on a real clock the exchange takes
 * its real time, and only the `slow-kernel` defect adds its delay.
 */
export function contactCost(profile: TerminalProfile, simulated: boolean): (c: Buffer) => number {
  const slow = profile.defects.has('slow-kernel') ? SLOW_KERNEL_APDU_MS : 0;
  if (!simulated) return () => slow;
  return (c) =>
    profile.timing.contactApduMs + (c[1] === 0xae || c[1] === 0x88 ? profile.timing.cardCryptoMs : 0) + slow;
}

/**
 * Contactless sender with card-in-field timing: each APDU costs `contactlessReadMs / 6` (times
 * {@link WEAK_FIELD_FACTOR} in a weak field; plus 300 ms with `slow-kernel`); once the time spent
 * exceeds the tap's hold time the card has left the field. Waited on `clock` when it is simulated; on a
 * real clock the exchange takes its real time and only `slow-kernel` adds a wait.
 */
export function timedSender(
  profile: TerminalProfile,
  devices: DeviceConditions,
  p: Presentation,
  transmit: (c: Buffer) => Promise<Buffer>,
  clock: Clock,
): TimedSender {
  let spent = 0;
  const weak = devices.contactless === 'weak';
  const slow = profile.defects.has('slow-kernel') ? SLOW_KERNEL_APDU_MS : 0;
  const cost = (profile.kernel.contactlessReadMs / 6) * (weak ? WEAK_FIELD_FACTOR : 1) + slow;
  const wait = clock.simulated ? cost : slow;
  return {
    send: async (c: Buffer) => {
      spent += cost;
      if (p.holdMs !== undefined && spent > p.holdMs)
        throw new KernelStop(
          'pleaseTapAgain',
          'cardLeft',
          `card left the ${weak ? 'weak ' : ''}field after ${p.holdMs} ms`,
        );
      if (wait > 0) await clock.sleep(wait);
      return transmit(c);
    },
    spentMs: () => Math.round(spent),
  };
}
