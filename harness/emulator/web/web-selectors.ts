/**
 * The stable `data-testid` selectors of the emulator's web page (docs/emulator-web.md). The `web` driver
 * and the tests use these names; the page never renames them. A terminal profile may override them with
 * a `web.selectors` block (same keys) for a physical terminal's own web UI.
 */
export const WEB_SELECTORS = {
  /** The whole terminal; `data-state` = terminal state, `data-kind` = pos | atm. */
  terminal: 'terminal',
  /** The screen; its lines are `display-line-0`, `display-line-1`, …; `data-key` = stable text key. */
  display: 'display',
  displayLine: 'display-line-',
  /** PIN being typed, shown as `*` only. */
  pinMask: 'pin-mask',
  /** Keypad keys: `key-0` … `key-9`, `key-00`, `key-enter`, `key-cancel`, `key-clear`, `key-f1` … `key-f4`. */
  key: 'key-',
  /** Amount in major units (e.g. 12.34). */
  amount: 'amount-input',
  /** Original retrieval reference for void/refund. */
  originalReference: 'original-reference',
  /** Original transaction date (MMDD) of a refund whose original the terminal no longer holds; optional. */
  originalDate: 'original-date',
  /** Transaction buttons: `tx-signIn`, `tx-purchase`, `tx-balance`, `tx-preAuth`, `tx-withdraw`, `tx-void`, `tx-refund`, `tx-settle`. */
  transaction: 'tx-',
  /** Power-cycle button. */
  powerCycle: 'power-cycle',
  /** Card fixture picker (a `<select>` of the bundled cards). */
  cardPicker: 'card-picker',
  /** Tap hold time in ms (empty = until the read is done). */
  holdMs: 'hold-ms',
  /** Card actions. */
  cardInsert: 'card-insert',
  cardTap: 'card-tap',
  cardSwipe: 'card-swipe',
  cardRemove: 'card-remove',
  /** The card slot; `data-occupied` = yes | no, `data-retained` = yes | no. */
  cardSlot: 'card-slot',
  /**
   * Last result text; `data-outcome` = approved | declined | cancelled | failed, `data-transaction` =
   * purchase | signIn | …, `data-response-code` = field 39.
   */
  result: 'result',
  /** Last receipt (merchant copy). */
  receipt: 'receipt',
  /** Status fields. */
  statusState: 'status-state',
  statusSignedIn: 'status-signed-in',
  statusBusy: 'status-busy',
  statusProfile: 'status-profile',
  /** Batch number. */
  statusBatch: 'status-batch',
  /** yes | no: a reversal waits to go out before the next transaction. */
  statusPendingReversal: 'status-pending-reversal',
  /** Peripheral conditions, e.g. `reader:ok pinpad:ok printer:fault contactless:weak`. */
  statusDevices: 'status-devices',
  /** Defect switches on, space-separated, or `none`. */
  statusDefects: 'status-defects',
  /** Live link to the emulator (Server-Sent Events): `data-connected` = yes | no. */
  statusLink: 'status-link',
  /** LEDs `led-green`, `led-red` (`data-on` = yes | no). */
  led: 'led-',
  /** Last refusal or error message of an action. */
  error: 'error',
  /** Scrolling log of the terminal's events (masked). */
  eventLog: 'event-log',
  /**
   * The terminal's own menu, whose buttons `select` clicks by label (a physical terminal's web UI). The
   * emulator's page has none (''): its transactions start from the cash-register buttons.
   */
  menu: '',
} as const;

export type WebSelectorName = keyof typeof WEB_SELECTORS;
