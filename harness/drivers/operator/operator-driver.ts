/**
 * The `operator` driver: a person at the bench, asked on the controlling terminal (stdin/stdout) with a
 * timeout. Capabilities: `operator` (ask), `cards` (insert/tap/swipe/remove by instruction) and `keypad`
 * (PIN and keys typed by the person on the terminal's PIN pad). In a non-interactive run (stdin or stdout
 * not a TTY, or CI set) every call rejects at once with `OperatorUnavailableError` (broken).
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import {
  ActiveGuard,
  type CardPresenter,
  type Keypad,
  type ObservationListener,
  type Operator,
} from '../../capabilities/index.js';
import type { InlineCard } from '../../scenario/index.js';
import {
  OperatorDeclinedError,
  OperatorInactiveError,
  OperatorTimeoutError,
  OperatorUnavailableError,
} from './errors.js';

export interface OperatorDriverOptions {
  /** Where questions are read from; default process.stdin. */
  input?: Readable & { isTTY?: boolean };
  /** Where questions are written; default process.stdout. */
  output?: Writable & { isTTY?: boolean };
  /** Environment consulted for CI; default process.env. */
  env?: Record<string, string | undefined>;
  /** How long a person has to answer one question (ms). Default 120 000. */
  timeoutMs?: number;
}

type Input = 'confirm' | 'yesno' | 'text';

/** Is this run interactive? Returns the reason when it is not. */
export function nonInteractiveReason(
  input: { isTTY?: boolean },
  output: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): string | undefined {
  const ci = env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return `CI=${ci}`;
  if (!input.isTTY) return 'stdin is not a terminal';
  if (!output.isTTY) return 'stdout is not a terminal';
  return undefined;
}

export class OperatorDriver {
  readonly name = 'operator';
  readonly operator: Operator;
  readonly cards: CardPresenter;
  readonly keypad: Keypad;

  private readonly guard = new ActiveGuard<true>((prompt) => new OperatorInactiveError(prompt));
  private readonly listeners = new Set<ObservationListener>();
  private readonly aliases = new Map<string, string>();
  private readonly input: Readable & { isTTY?: boolean };
  private readonly output: Writable & { isTTY?: boolean };
  private readonly env: Record<string, string | undefined>;
  private readonly timeoutMs: number;
  /** One question at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: OperatorDriverOptions = {}) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.operator = { ask: (prompt, input) => this.ask(prompt, input) };
    this.cards = {
      prepare: async (map) => this.prepare(map),
      insert: (card) => this.confirm(`Insert card ${this.cardName(card)} into the terminal`),
      tap: (card, holdMs) =>
        this.confirm(
          `Tap card ${this.cardName(card)} on the terminal${holdMs !== undefined ? ` and hold it for ${holdMs} ms` : ''}`,
        ),
      swipe: (card, track) =>
        this.confirm(`Swipe card ${this.cardName(card)} through the reader${track ? ` (${track})` : ''}`),
      remove: (card) =>
        this.confirm(`Take card ${card ? this.cardName(card) : ''} out of the terminal`.replace('  ', ' ')),
      state: async (card) => {
        const answer = await this.ask(
          `Read the state of card ${card ?? ''} and type it as key=value pairs`.replace('  ', ' '),
          'text',
        );
        return Object.fromEntries(
          String(answer)
            .split(/[\s,;]+/)
            .filter((p) => p.includes('='))
            .map((p) => p.split('=', 2) as [string, string]),
        );
      },
    };
    this.keypad = {
      // The PIN is shown to the person (a test PIN from the scenario) but never put on the timeline.
      enterPin: (pin) =>
        this.confirm(`Enter PIN ${pin} and press ENTER on the PIN pad`, 'Enter the PIN on the PIN pad'),
      cancel: () => this.confirm('Press CANCEL on the terminal'),
      press: (key) => this.confirm(`Press ${key.toUpperCase()} on the terminal`),
    };
  }

  get active(): boolean {
    return this.guard.active;
  }

  /** Whether a person can be asked in this run (undefined = yes, else why not). */
  get unavailableReason(): string | undefined {
    return nonInteractiveReason(this.input, this.output, this.env);
  }

  observe(listener: ObservationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Never fails: a non-interactive run is reported by each call (broken), with the reason. */
  async activate(): Promise<void> {
    this.guard.activate(true);
  }

  async deactivate(): Promise<void> {
    this.guard.deactivate();
  }

  /**
   * Shows `prompt` and waits for the answer: confirm → true on Enter (false on n/no/fail), yesno → true
   * or false (asked again on anything else), text → the line. Rejects OperatorUnavailableError at once in
   * a non-interactive run, OperatorTimeoutError after the timeout.
   */
  ask(prompt: string, input: Input, shown = prompt): Promise<string | boolean> {
    const next = this.queue.then(() => this.askNow(prompt, input, shown));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async askNow(prompt: string, input: Input, shown: string): Promise<string | boolean> {
    this.guard.need(shown);
    const why = this.unavailableReason;
    if (why) throw new OperatorUnavailableError(shown, why);
    const hint = input === 'confirm' ? ' [Enter = done, n = cannot]' : input === 'yesno' ? ' [y/n]' : '';
    const rl = createInterface({ input: this.input, output: this.output, terminal: false });
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.timeoutMs);
    const started = Date.now();
    try {
      for (;;) {
        let line: string;
        try {
          line = (await rl.question(`\n[payhil operator] ${prompt}${hint} `, { signal: ac.signal })).trim();
        } catch {
          this.emit(shown, '(no answer)', started);
          throw new OperatorTimeoutError(shown, this.timeoutMs);
        }
        let answer: string | boolean | undefined;
        if (input === 'text') answer = line;
        else if (/^(n|no|fail|x)$/i.test(line)) answer = false;
        else if (input === 'confirm' || /^(y|yes)$/i.test(line)) answer = true;
        if (answer === undefined) continue; // yesno: ask again, within the same deadline
        this.emit(shown, answer, started);
        return answer;
      }
    } finally {
      clearTimeout(timer);
      rl.close();
    }
  }

  private async confirm(prompt: string, shown = prompt): Promise<void> {
    const ok = await this.ask(prompt, 'confirm', shown);
    if (ok === false) throw new OperatorDeclinedError(shown, 'no');
  }

  private prepare(map: Record<string, string | InlineCard>): void {
    this.aliases.clear();
    for (const [alias, card] of Object.entries(map))
      this.aliases.set(
        alias,
        typeof card === 'string'
          ? card
          : `${card.extends} (modified: ${Object.keys(card)
              .filter((k) => k !== 'extends')
              .join(', ')})`,
      );
  }

  private cardName(card: string): string {
    const f = this.aliases.get(card);
    return f && f !== card ? `'${card}' (${f})` : `'${card}'`;
  }

  private emit(prompt: string, answer: string | boolean, started: number): void {
    const o = {
      kind: 'operator' as const,
      at: Date.now(),
      data: { prompt, answer, ms: Date.now() - started },
    };
    for (const l of this.listeners) {
      try {
        l(o);
      } catch {
        // an observer must not break the driver
      }
    }
  }
}
