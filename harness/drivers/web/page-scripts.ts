/**
 * Scripts the web driver runs inside the page, as JavaScript source (the project compiles without the
 * DOM library; these never run in Node). Each is an expression of a function taking one JSON argument.
 */

/** Selectors the page scripts use (CSS, '' = absent). */
export interface PageSelectors {
  terminal: string;
  display: string;
  displayLine: string;
  result: string;
  receipt: string;
  error: string;
  state: string;
  signedIn: string;
  busy: string;
  profile: string;
  slot: string;
  batch: string;
  pendingReversal: string;
  devices: string;
  defects: string;
}

/** What `READ_SNAPSHOT` returns ('' for a field the page does not show). */
export interface PageSnapshot {
  lines: string[];
  state: string;
  signedIn: string;
  busy: string;
  profile: string;
  occupied: string;
  retained: string;
  error: string;
  batch: string;
  pendingReversal: string;
  devices: string;
  defects: string;
}

/** (sel: PageSelectors) => PageSnapshot */
export const READ_SNAPSHOT = String.raw`(sel) => {
  const q = (s) => (s ? document.querySelector(s) : null);
  const text = (s) => ((q(s) && q(s).textContent) || '').trim();
  const display = q(sel.display);
  const lines = display && sel.displayLine ? Array.from(display.querySelectorAll(sel.displayLine)).map((e) => e.textContent || '') : [];
  const slot = q(sel.slot);
  const terminal = q(sel.terminal);
  return {
    lines,
    state: (terminal && terminal.getAttribute('data-state')) || text(sel.state),
    signedIn: text(sel.signedIn),
    busy: text(sel.busy),
    profile: text(sel.profile),
    occupied: (slot && slot.getAttribute('data-occupied')) || '',
    retained: (slot && slot.getAttribute('data-retained')) || '',
    error: text(sel.error),
    batch: text(sel.batch),
    pendingReversal: text(sel.pendingReversal),
    devices: text(sel.devices),
    defects: text(sel.defects),
  };
}`;

/** The page's test mode (the emulator's page: window.payhilTest), or false. */
export const HAS_TEST_MODE = String.raw`() => typeof window.payhilTest === 'object' && window.payhilTest !== null`;

/** ({name, fixture}) => void — an inline card in the page's card picker (test mode). */
export const ADD_INLINE_CARD = String.raw`(a) => window.payhilTest.addCard(a.name, a.fixture)`;

/** ({name?, reset}) => Promise<answer> — a card's run state through the page's test mode. */
/** Puts a peripheral into a condition through the page's test mode (`device` request). */
export const DEVICE = String.raw`(a) => window.payhilTest.device(a.device, a.condition)`;
/** Switches a custodian's maintenance mode through the page's test mode (`mode` request). */
export const MODE = String.raw`(a) => window.payhilTest.mode(a.mode)`;
/** Sets, moves or resets the terminal's calendar through the page's test mode (`clock` request). */
export const CLOCK = String.raw`(a) => window.payhilTest.clock(a)`;
export const CARD_STATE = String.raw`(a) => window.payhilTest.cardState(a.name === null ? undefined : a.name, a.reset, a.fault)`;

/**
 * (sel: PageSelectors) => void. A MutationObserver that reports to the exposed binding
 * `__payhilObserve`: state (terminal data-state), display (a redraw of the screen's children; the PIN
 * mask's own updates do not count), receipt, and result (any change to the result element).
 */
export const INSTALL_OBSERVER = String.raw`(sel) => {
  if (window.__payhilObserving) return;
  window.__payhilObserving = true;
  const q = (s) => (s ? document.querySelector(s) : null);
  const t0 = q(sel.terminal);
  let lastState = (t0 && t0.getAttribute('data-state')) || '';
  const observer = new MutationObserver((records) => {
    const display = q(sel.display), result = q(sel.result), receipt = q(sel.receipt), terminal = q(sel.terminal);
    let displayChanged = false, resultChanged = false, receiptChanged = false;
    for (const r of records) {
      const t = r.target;
      if (display && t === display && r.type === 'childList') displayChanged = true;
      if (result && (t === result || result.contains(t))) resultChanged = true;
      if (receipt && (t === receipt || receipt.contains(t))) receiptChanged = true;
    }
    const state = (terminal && terminal.getAttribute('data-state')) || '';
    if (state !== lastState) {
      window.__payhilObserve({ type: 'state', state, previous: lastState });
      lastState = state;
    }
    if (displayChanged) {
      const lines = sel.displayLine ? Array.from(display.querySelectorAll(sel.displayLine)).map((e) => e.textContent || '') : [display.textContent || ''];
      window.__payhilObserve({ type: 'display', lines, key: display.getAttribute('data-key') || '' });
    }
    if (receiptChanged) window.__payhilObserve({ type: 'receipt', text: receipt.textContent || '' });
    if (resultChanged)
      window.__payhilObserve({
        type: 'result',
        outcome: result.getAttribute('data-outcome') || '',
        transaction: result.getAttribute('data-transaction') || '',
        responseCode: result.getAttribute('data-response-code') || '',
        message: result.textContent || '',
        title: result.getAttribute('title') || '',
        details: result.getAttribute('data-details') || '',
      });
  });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
}`;

/** ({state, error, resting}) => 'state' | 'error:TEXT' | false — has the terminal taken the transaction? */
export const TOOK_TRANSACTION = String.raw`(a) => {
  const err = a.error ? document.querySelector(a.error) : null;
  const e = ((err && err.textContent) || '').trim();
  if (e) return 'error:' + e;
  const t = a.state ? document.querySelector(a.state) : null;
  const s = (t && t.getAttribute('data-state')) || '';
  return a.resting.includes(s) ? false : 'state';
}`;

/**
 * (css) => 'clicked' | 'not found' | 'disabled' | 'not shown' — the element's own click() once it is
 * there, enabled and laid out (the page's click handlers run as for a person's click).
 */
export const CLICK_ELEMENT = String.raw`(css) => {
  const el = document.querySelector(css);
  if (!el) return 'not found';
  if (el.disabled || el.getAttribute('aria-disabled') === 'true') return 'disabled';
  if (el.getClientRects().length === 0) return 'not shown';
  el.click();
  return 'clicked';
}`;

/** (css) => boolean — the busy indicator does not say yes. */
export const NOT_BUSY = String.raw`(css) => { const el = document.querySelector(css); return ((el && el.textContent) || '').trim() !== 'yes'; }`;

/** (css) => string[] — values of a select's options. */
export const OPTION_VALUES = String.raw`(css) => Array.from(document.querySelectorAll(css + ' option')).map((o) => o.value)`;

/** Calls `fn` (one of the sources above) with `arg` in the page: an expression for evaluate/waitForFunction. */
export function call(fn: string, arg: unknown): string {
  return `(${fn})(${JSON.stringify(arg)})`;
}
