/**
 * The cards a request from outside the process may name (ECR `card` / `cardState`, the web UI): the
 * fixtures of configured folders (`payhil emulator --card-dir`), of the scenario pack and the bundled
 * ones, by name only.
 * A name is never taken for a path, so a cash register or a web page cannot make the terminal read a
 * file, nor learn whether one exists: a path is refused before anything on disk is looked at.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findFixture, fixtureNames } from '../common/fixture-search.js';
import { loadCardFixture, type CardFixture } from '../cards/index.js';
import { CardNameError } from './errors.js';

/** A card name: letters, digits, `.`, `_`, `-`; 1 to 64 characters, not starting with `.` or `-`. */
export const CARD_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** How a refused name is quoted in a message: JSON, cut to 64 characters. */
function quoted(ref: string): string {
  return JSON.stringify(ref.length > 64 ? `${ref.slice(0, 64)}…` : ref);
}

/** The card fixtures offered to requests from outside the process. */
export class CardCatalogue {
  private readonly dirs: readonly string[];

  /** `dirs`: absolute folders of `NAME.yaml` card fixtures, looked up in order before the bundled ones. */
  constructor(dirs: readonly string[] = []) {
    this.dirs = [...dirs];
  }

  /** Every name offered: the configured folders' fixtures, then the bundled ones; sorted, no repeats. */
  names(): string[] {
    return [...new Set([...this.dirs.flatMap((d) => namesIn(d)), ...fixtureNames('cards')])].sort();
  }

  /**
   * The fixture named `name`, read anew on every call. Throws `CardNameError` (usage) for a path or an
   * unknown name, and `CardFixtureError` for a configured fixture that is invalid.
   */
  load(name: string): CardFixture {
    if (typeof name !== 'string' || !CARD_NAME_PATTERN.test(name) || /\.ya?ml$/i.test(name))
      throw new CardNameError(
        String(name),
        `card ${quoted(String(name))} is not a card name: name a card the terminal offers (${this.names().join(', ')}) or send an inline card`,
      );
    for (const dir of this.dirs) {
      const file = join(dir, `${name}.yaml`);
      if (existsSync(file)) return loadCardFixture(file);
    }
    // The scenario pack's cards, then the bundled ones: looked up by name only (findFixture).
    const found = findFixture('cards', name);
    if (found) return loadCardFixture(found);
    throw new CardNameError(
      name,
      `unknown card ${quoted(name)}: the terminal offers ${this.names().join(', ')}`,
    );
  }
}

/** The card names of a configured folder (its `NAME.yaml` files); none when it cannot be read. */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length))
      .filter((n) => CARD_NAME_PATTERN.test(n));
  } catch {
    return [];
  }
}
