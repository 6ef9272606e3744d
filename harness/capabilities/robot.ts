/** What a robot reports about itself. */
export interface RobotStatus {
  /** `ready`, `busy` or `jam` (the arm is stuck: a person must clear it). */
  state: 'ready' | 'busy' | 'jam';
  /** The card the arm holds in the terminal's reader or field, undefined when none. */
  card?: string;
  /** The robot's own words about its state (a jam's cause). */
  detail?: string;
}

/**
 * A robot arm in front of the terminal: it takes a card from its rack and inserts or taps it, takes it
 * out, and presses the terminal's keys. Cards are named by their rack position as the lab file maps
 * them. A robot that does not answer, refuses or reports a jam is a lab fault (`broken`).
 */
export interface Robot {
  insert(card: string): Promise<void>;
  /** Holds `card` in the contactless field for `holdMs` (the robot's default when absent). */
  tap(card: string, holdMs?: number): Promise<void>;
  /** Takes the inserted card out and back to the rack (no-op when none is in). */
  remove(): Promise<void>;
  /** Presses one key: 0-9, enter, cancel, clear, back, menu, up, down, F1-F4. */
  press(key: string): Promise<void>;
  status(): Promise<RobotStatus>;
  /** The robot's own report of its rack: position → label of the card there (empty positions left out). */
  rack(): Promise<Record<string, string>>;
}
