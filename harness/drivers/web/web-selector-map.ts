/**
 * The selector map of the web driver: capability element → selector. Defaults are the emulator web
 * UI's `data-testid`s (harness/emulator/web/web-selectors.ts); a lab or terminal profile overrides any
 * of them (`web.selectors`). A value made of letters, digits, `-` and `_` is a data-testid; anything else
 * (or a value starting `css=`) is a CSS selector. Families (`key`, `transaction`, `displayLine`, `led`)
 * are test-id prefixes; as CSS they take the member name in place of `{}`, e.g. `button[data-key="{}"]`.
 * An empty string means the page has no such element.
 */
import { WEB_SELECTORS, type WebSelectorName } from '../../emulator/web/index.js';

export type WebSelectorMap = Record<WebSelectorName, string>;

/** Selector names whose value is a prefix (test id) or a `{}` template (CSS). */
const FAMILIES: ReadonlySet<WebSelectorName> = new Set(['key', 'transaction', 'displayLine', 'led']);

const TEST_ID = /^[A-Za-z0-9_-]+$/;

/** The defaults with overrides applied; unknown names are returned in `unknown`. */
export function resolveSelectorMap(overrides: Record<string, string> = {}): {
  map: WebSelectorMap;
  unknown: string[];
} {
  const map: WebSelectorMap = { ...WEB_SELECTORS };
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(overrides)) {
    if (k in map) map[k as WebSelectorName] = v;
    else unknown.push(k);
  }
  return { map, unknown };
}

/** The CSS selector for `name` (and a family member), or undefined when the page has none. */
export function cssFor(map: WebSelectorMap, name: WebSelectorName, member?: string): string | undefined {
  const v = map[name];
  if (v === '') return undefined;
  const css = v.startsWith('css=') ? v.slice(4) : TEST_ID.test(v) ? undefined : v;
  if (FAMILIES.has(name)) {
    if (css !== undefined)
      return member === undefined ? css.replace(/\{\}/g, '') : css.replace(/\{\}/g, cssString(member));
    return member === undefined ? `[data-testid^="${v}"]` : `[data-testid="${v}${cssString(member)}"]`;
  }
  return css ?? `[data-testid="${v}"]`;
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
