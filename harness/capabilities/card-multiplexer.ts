/** How a multiplexer connects a slot's card to the terminal's reader. */
export type MuxInterface = 'contact' | 'contactless';

/** What a multiplexer reports about itself (`STATUS`). */
export interface MuxStatus {
  /** The slot whose card the terminal sees now, undefined when none is connected. */
  selected: number | undefined;
  /** How many slots the multiplexer has. */
  slots: number;
}

/**
 * A card multiplexer: one reader slot of the terminal, N real cards in the multiplexer's own slots; it
 * switches which card (if any) the terminal's reader sees. Slots are numbered from 1. A multiplexer that
 * does not answer or refuses is a lab fault: the promise rejects with a `broken` error.
 */
export interface CardMultiplexer {
  /**
   * Connects slot `slot`'s card to the terminal's reader (disconnecting any other first). Contactless
   * with `holdMs`: the card leaves the field `holdMs` after the terminal first talks to it (a mux that
   * cannot tell: after it was connected).
   */
  select(slot: number, via?: MuxInterface, holdMs?: number): Promise<void>;
  /** Disconnects every card: the terminal's reader is empty. */
  deselect(): Promise<void>;
  /** The label of the card in `slot` as the multiplexer reports it; undefined for an empty slot. */
  slotCard(slot: number): Promise<string | undefined>;
  status(): Promise<MuxStatus>;
  /**
   * Connects slot `slot`'s card to the mux's monitor port (a PC/SC reader of the bench, not the
   * terminal's), undefined disconnects it. Absent on a mux without a monitor port.
   */
  monitor?(slot: number | undefined): Promise<void>;
}
