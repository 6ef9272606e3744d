/**
 * The terminal's display: the lines shown now and the stable key of what they say; every change is a
 * `display` event.
 */
import { text, type TextKey } from '../display-texts.js';
import type { TerminalProfile } from '../terminal-profile.js';
import type { TerminalEvents } from '../terminal-events.js';

/** The display as the terminal's users read it. */
export interface TerminalDisplay {
  /** The lines shown now. */
  readonly lines: readonly string[];
  /** Stable key of what is shown (see display-texts.ts). */
  readonly key: string;
  /** The lines joined with a newline. */
  text(): string;
}

/** The screen the terminal writes to (in the profile's language). */
export class TerminalScreen implements TerminalDisplay {
  private shown: string[] = [];
  private shownKey = '';

  constructor(
    private readonly profile: TerminalProfile,
    private readonly events: TerminalEvents,
  ) {}

  get lines(): readonly string[] {
    return this.shown;
  }

  get key(): string {
    return this.shownKey;
  }

  /** Arrow property: callers may take it off the object. */
  readonly text = (): string => this.shown.join('\n');

  /** Shows the text of `key`, with `extra` (an amount, a count) on a second line. */
  show(key: TextKey, extra?: string): void {
    const lines = [text(key, this.profile.language)];
    if (extra !== undefined) lines.push(extra);
    this.shown = lines;
    this.shownKey = key;
    this.events.emit({ type: 'display', lines, key });
  }
}
