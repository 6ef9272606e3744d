/**
 * Inline cards of the ECR `card` / `cardState` requests and of the web UI: a card fixture named by
 * `extends` with some fields changed, as a scenario writes `{ extends: cup-debit, pin: '1111' }`. Built in
 * memory (nothing is written): the changes are checked against the card schema, then merged over the
 * base the way fixture files extend each other (objects key by key, lists and scalars replace).
 */
import { cardSchemaPath, loadCardFixture, mergeCardFields, type CardFixture } from '../cards/index.js';
import { schemaErrors } from '../common/schema-check.js';
import type { InlineCardFixture } from './ecr/index.js';
import { InlineCardError } from './errors.js';

export interface InlineCardOptions {
  /** Base directory for a base given as a path (default: process.cwd()). */
  cwd?: string;
  /**
   * Loads the base instead of `loadCardFixture` (then `cwd` is not used): the terminal's `CardCatalogue`
   * for a card sent over the wire, so the base is a name it offers, never a path.
   */
  loadBase?: (name: string) => CardFixture;
}

/**
 * The full fixture of an inline card. Its name is the base's unless it sets one (the host simulator
 * knows the account by it). Throws InlineCardError (usage) for an unknown base or a change the card
 * schema refuses.
 */
export function inlineCardFixture(inline: InlineCardFixture, options: InlineCardOptions = {}): CardFixture {
  const { extends: base, ...changes } = inline;
  if (typeof base !== 'string' || base === '')
    throw new InlineCardError(String(base), 'an inline card needs `extends` (the fixture it starts from)');
  let fixture: CardFixture;
  try {
    fixture = options.loadBase
      ? options.loadBase(base)
      : loadCardFixture(base, options.cwd !== undefined ? { cwd: options.cwd } : {});
  } catch (e) {
    throw new InlineCardError(base, (e as Error).message, { cause: e });
  }
  const doc = { name: fixture.name, ...changes, extends: base };
  const errors = schemaErrors(cardSchemaPath(), doc);
  if (errors.length) {
    const first = errors[0];
    const where = first?.instancePath ? first.instancePath.slice(1).replace(/\//g, '.') : 'card';
    throw new InlineCardError(base, `${where}: ${first?.message ?? 'invalid'}`);
  }
  return mergeCardFields(fixture as unknown as Record<string, unknown>, changes) as unknown as CardFixture;
}
