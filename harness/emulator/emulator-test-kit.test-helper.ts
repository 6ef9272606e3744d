/**
 * Test helpers for the emulated terminal: a host simulator on 127.0.0.1 (port 0) with a terminal in
 * front of it, and small readers of the host journal. For tests and benchmarks only.
 */
import type { Clock } from '../common/clock.js';
import { TerminalEvents } from './terminal-events.js';
import { createVirtualCard, type EmvVirtualCard } from '../cards/index.js';
import { startHost, type HostHandle, type JournalEntry } from '../host/index.js';
import { createTerminal, type EmulatedTerminal } from './emulated-terminal.js';
import type { TerminalResult } from './terminal-result.js';

export interface Rig {
  host: HostHandle;
  terminal: EmulatedTerminal;
  close(): Promise<void>;
}

/** Starts a host (dialect of the profile) and a terminal; signs in unless `signIn` is false. */
export async function startRig(
  options: {
    profile?: string;
    dialect?: string;
    defects?: string[];
    signIn?: boolean;
    host?: HostHandle;
    /** The terminal's clock (default real time). */
    clock?: Clock;
  } = {},
): Promise<Rig> {
  const host = options.host ?? (await startHost({ dialect: options.dialect ?? 'cup' }));
  const terminal = await createTerminal({
    profile: options.profile ?? 'cup-pos-ci',
    host: host.address,
    ...(options.defects ? { defects: options.defects } : {}),
    ...(options.clock ? { events: new TerminalEvents(undefined, options.clock) } : {}),
  });
  if (options.signIn !== false) {
    const r = await terminal.signIn();
    if (r.outcome !== 'approved') throw new Error(`sign-in failed: ${r.message}`);
  }
  return {
    host,
    terminal,
    close: async () => {
      await terminal.close();
      if (!options.host) await host.close();
    },
  };
}

/** Requests (direction 'in') the host received, oldest first, optionally of one MTI. */
export function received(host: HostHandle, mti?: string): JournalEntry[] {
  return host.journal.entries(
    (e) => e.direction === 'in' && e.mti !== undefined && (mti === undefined || e.mti === mti),
  );
}

/** Answers (direction 'out') the host sent. */
export function answered(host: HostHandle, mti?: string): JournalEntry[] {
  return host.journal.entries(
    (e) => e.direction === 'out' && e.mti !== undefined && (mti === undefined || e.mti === mti),
  );
}

/** A fresh virtual card from a bundled fixture. */
export function card(name: string): EmvVirtualCard {
  return createVirtualCard(name);
}

/** Runs `start`, inserts/taps/swipes the card, enters the PIN when asked, removes the card at the end. */
export async function payWith(
  t: EmulatedTerminal,
  start: () => Promise<TerminalResult>,
  how: {
    insert?: EmvVirtualCard;
    tap?: EmvVirtualCard;
    holdMs?: number;
    swipe?: EmvVirtualCard;
    pin?: string;
  },
): Promise<TerminalResult> {
  const p = start();
  if (how.pin !== undefined) await t.keypad.enterPin(how.pin);
  if (how.insert) await t.cardSlot.insert(how.insert);
  if (how.tap) await t.cardSlot.tap(how.tap, how.holdMs);
  if (how.swipe) await t.cardSlot.swipe(how.swipe);
  const r = await p;
  await t.cardSlot.remove();
  return r;
}
