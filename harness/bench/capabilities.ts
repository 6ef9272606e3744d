/**
 * Capabilities (labgrid's protocols): the small Promise-only interfaces a scenario step asks the bench
 * for. A step never talks to a driver: `enterPin` goes to the bench's Keypad, whichever driver provides
 * it (emulated terminal, robot, operator prompt). Every call rejects with a `BrokenError` (verdict
 * `broken`) when the lab cannot do it, and never with a product verdict: what the terminal or host did
 * is judged by expectations on the timeline.
 */
import type { NetworkControl } from '../net/index.js';
import type { AccountOverride, ScenarioHostRule as HostRule, InlineCard } from '../scenario/index.js';

export type { NetworkControl };

/** A terminal transaction the runner can start. */
export type TerminalOperationName =
  'signIn' | 'purchase' | 'void' | 'refund' | 'balance' | 'preAuth' | 'withdraw' | 'settle';

/** Arguments of a terminal operation. Amounts in minor units. */
export interface TerminalOperationArgs {
  amount?: number;
  /** Original transaction of a void/refund: a reference (field 37), a STAN, or 'last'. */
  of?: string;
}

/** Starts transactions on the terminal (menu, ECR or web UI). */
export interface TerminalControl {
  /**
   * Starts `op` and resolves once the terminal took it (not when it finished: the result lands on the
   * timeline as a `result` observation). Waits (bounded) for a previous transaction to end first.
   */
  start(op: TerminalOperationName, args?: TerminalOperationArgs): Promise<void>;
  /** Enters an amount on the terminal's amount prompt (minor units). */
  enterAmount(amount: number): Promise<void>;
  /** Chooses a menu item by its label. */
  select(item: string): Promise<void>;
  /** Switches the terminal off and on (keys and session lost, reversal kept where the terminal keeps it). */
  powerCycle(): Promise<void>;
  /** A snapshot of terminal fields for `expect terminal` and `capture terminal.X` (state, signedIn, …). */
  status(): Promise<Record<string, unknown>>;
  /** Resolves when no transaction runs (or after `timeoutMs`). */
  idle(timeoutMs: number): Promise<void>;
}

/** The PIN pad / keypad. */
export interface Keypad {
  /** Enters a whole PIN followed by ENTER (held for the next PIN prompt when none is open). */
  enterPin(pin: string): Promise<void>;
  /** Cancels PIN entry (CANCEL key). */
  cancel(): Promise<void>;
  /** Presses one key: 0-9, enter, cancel, clear, back, menu, up, down, F1-F4. */
  press(key: string): Promise<void>;
}

/** The terminal display. Changes are observed on the timeline; this reads the current text. */
export interface Display {
  /** The lines shown now, joined with a newline. */
  text(): Promise<string>;
}

/** Puts cards in front of the terminal. Cards are named by scenario alias or fixture name. */
export interface CardPresenter {
  /** Makes the scenario's cards available (alias → fixture name or inline card); fresh card state. */
  prepare(cards: Record<string, string | InlineCard>): Promise<void>;
  insert(card: string): Promise<void>;
  /** Tap; `holdMs` = how long the card stays in the field. */
  tap(card: string, holdMs?: number): Promise<void>;
  swipe(card: string, track?: 'track1' | 'track2' | 'both'): Promise<void>;
  /** Takes the inserted card out (no-op when none is in). */
  remove(card?: string): Promise<void>;
  /** Card state for `expect card`: EMV tags (9F36, 9F79, 9F17) and fields (atc, pinTriesLeft, ecBalance…). */
  state(card?: string): Promise<Record<string, unknown>>;
}

/** Issuer state for the accounts of a scenario (amounts in major units, as the scenario writes them). */
export interface HostAccountsSetup {
  /** card fixture name → account override. */
  accounts: Record<string, AccountOverride>;
  /** card fixture name → the card fields an inline card changes (pin, pan, expiry…). */
  cardOverrides: Record<string, Record<string, unknown>>;
}

/** The acquirer host: rules that bend its answers, issuer state. */
export interface HostControl {
  /** Back to opening balances, no rules, no sign-ins; applies a scenario's account setup. */
  reset(setup?: HostAccountsSetup): Promise<void>;
  /** Adds rules after the existing ones (first match wins). */
  addRules(rules: readonly HostRule[]): Promise<void>;
  /** Removes every rule. */
  clearRules(): Promise<void>;
  /** Changes accounts at run time (balance and status; others need `reset`). card fixture name → override. */
  updateAccounts(accounts: Record<string, AccountOverride>): Promise<void>;
}

/** A person at the bench. */
export interface Operator {
  /** Shows `prompt`; resolves with the answer (true for confirm/yes, the text for text). */
  ask(prompt: string, input: 'confirm' | 'yesno' | 'text'): Promise<string | boolean>;
}

/** The capabilities by name, as steps ask for them. */
export interface CapabilityMap {
  terminal: TerminalControl;
  keypad: Keypad;
  display: Display;
  cards: CardPresenter;
  host: HostControl;
  network: NetworkControl;
  operator: Operator;
}

export type CapabilityName = keyof CapabilityMap;

/** What the bench saw: every host message, display change, APDU, card move, toxic, operator answer. */
export type ObservationKind =
  | 'host'
  | 'display'
  | 'state'
  | 'receipt'
  | 'apdu'
  | 'card'
  | 'result'
  | 'reversal'
  | 'host-error'
  | 'terminal-message'
  | 'network'
  | 'operator'
  | 'raw-frame'
  | 'screenshot'
  | 'ecr-frame'
  | 'pcap'
  | 'note';

/**
 * Binary evidence carried by a `screenshot` or `pcap` observation (`data.attachment`): a file name, its
 * MIME type and its bytes. JSON shows the size, never the bytes.
 */
export interface BinaryAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** One observation; `data` is already masked (no PAN in clear, no PIN block, key or track data). */
export interface Observation {
  kind: ObservationKind;
  /** Milliseconds since the epoch. */
  at: number;
  data: Record<string, unknown>;
}

/** A host message as the spy saw it. */
export interface HostMessageData {
  direction: 'request' | 'response';
  /** Connection number: pairs a response with its request. */
  conn: number;
  mti: string;
  /** Field number → value (masked). */
  fields: Record<string, string>;
  /** A fault the proxy applied to it, if any. */
  fault?: string;
}

export type ObservationListener = (o: Observation) => void;
