/**
 * The `TerminalControl` of a driver whose cash-register protocol (ECR, ZVT, nexo) starts a transaction
 * directly with its amount: `enterAmount` keeps the amount for the next start and `select` only notes
 * the menu item on the timeline (there is no menu to walk); the rest is the driver's own.
 */
import type { TerminalControl } from '../capabilities/index.js';

export interface DirectStartControlParts extends Pick<
  TerminalControl,
  'start' | 'powerCycle' | 'status' | 'idle'
> {
  /** The protocol as the notes name it: "ECR", "ZVT", "nexo". */
  protocol: string;
  /** What the protocol starts ("transaction", "service") and in what ("request", "command"). */
  unit: 'transaction' | 'service';
  carrier: 'request' | 'command';
  /** Keeps the amount (minor units) the next start sends. */
  keepAmount(amount: number): void;
  /** Puts a note on the timeline. */
  note(text: string): void;
}

export function directStartControl(p: DirectStartControlParts): TerminalControl {
  return {
    start: p.start,
    enterAmount: async (amount) => {
      p.keepAmount(amount);
      p.note(`amount ${amount} kept for the next ${p.unit} (${p.protocol} sends it with the ${p.carrier})`);
    },
    select: async (item) => p.note(`menu item ${item} selected (${p.protocol} starts ${p.unit}s directly)`),
    powerCycle: p.powerCycle,
    status: p.status,
    idle: p.idle,
  };
}
