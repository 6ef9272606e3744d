/** The PIN pad / keypad. */
export interface Keypad {
  /** Enters a whole PIN followed by ENTER (held for the next PIN prompt when none is open). */
  enterPin(pin: string): Promise<void>;
  /** Cancels PIN entry (CANCEL key). */
  cancel(): Promise<void>;
  /** Presses one key: 0-9, enter, cancel, clear, back, menu, up, down, F1-F4. */
  press(key: string): Promise<void>;
}
