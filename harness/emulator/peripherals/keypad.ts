/**
 * The terminal's keypad and PIN entry: digits, ENTER, CANCEL, CLEAR; a PIN entered before its prompt is
 * held for the next prompt. A PIN pad fault stops the transaction (outcome 'failed').
 */
import type { TerminalCore } from '../core/terminal-core.js';
import { Cancelled, DeviceStop, type TxContext } from '../core/transaction-context.js';
import { TerminalStateError } from '../errors.js';

/** The keypad: PIN entry and key presses. */
export interface TerminalKeypad {
  /** Enters a whole PIN and ENTER; held for the next PIN prompt when none is open. Empty string = bypass. */
  enterPin(pin: string): Promise<void>;
  /** Presses keys: digits, ENTER, CANCEL, CLEAR. */
  press(keys: string | readonly string[]): Promise<void>;
}

interface PinWaiter {
  resolve: (pin: string | undefined) => void;
}

/** The PIN pad: the prompt, the buffer of a PIN typed ahead, the keys typed so far. */
export class PinPad implements TerminalKeypad {
  private waiter: PinWaiter | undefined;
  private pinBuffer: string | undefined;
  private keyBuffer = '';

  constructor(private readonly core: TerminalCore) {}

  // Arrow properties: callers may take the methods off the object.
  readonly enterPin = async (pin: string): Promise<void> => this.onPin(pin);

  readonly press = async (keys: string | readonly string[]): Promise<void> => {
    for (const one of typeof keys === 'string' ? [keys] : keys) this.onKey(one);
  };

  /** Forgets what was typed (a transaction begins). */
  reset(): void {
    this.pinBuffer = undefined;
    this.keyBuffer = '';
  }

  /** Closes the prompt (a transaction ended). */
  closePrompt(): void {
    this.waiter = undefined;
  }

  /**
   * Asks for a PIN (ENTER PIN, or WRONG PIN with `triesLeft`); undefined = bypassed. Rejects with
   * Cancelled after `timeouts.pinEntry` or when the transaction is aborted, DeviceStop on a PIN pad fault.
   */
  async requestPin(ctx: TxContext, triesLeft?: number): Promise<string | undefined> {
    const core = this.core;
    if (core.devices.pinpad === 'fault') {
      core.note('PIN pad does not answer');
      throw new DeviceStop('pinpadFault');
    }
    core.setState('cardholderVerification');
    core.show(
      triesLeft !== undefined ? 'wrongPinRetry' : 'enterPin',
      triesLeft !== undefined ? String(triesLeft) : undefined,
    );
    if (this.pinBuffer !== undefined) {
      const pin = this.pinBuffer;
      this.pinBuffer = undefined;
      return pin === '' ? undefined : pin;
    }
    const pinEntry = core.profile.timeouts.pinEntry;
    const pin = await new Promise<string | undefined>((resolve, reject) => {
      const timer = core.clock.setTimeout(() => {
        cleanup();
        reject(new Cancelled('timeout', { timeout: 'pinEntry', waitedMs: pinEntry }));
      }, pinEntry);
      const onAbort = (): void => {
        cleanup();
        reject(ctx.signal.reason as Error);
      };
      const cleanup = (): void => {
        timer.cancel();
        ctx.signal.removeEventListener('abort', onAbort);
        this.waiter = undefined;
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort);
      this.waiter = {
        resolve: (p) => {
          cleanup();
          resolve(p);
        },
      };
    });
    core.setState('cardholderVerification');
    core.show('processing');
    return pin;
  }

  private onPin(pin: string): void {
    if (pin !== '' && !/^\d{4,12}$/.test(pin))
      throw new TerminalStateError('a PIN is 4 to 12 digits', this.core.state, 'E_TERMINAL_PIN');
    this.core.note(`PIN entered (${pin.length} digits)`);
    const w = this.waiter;
    if (w) w.resolve(pin === '' ? undefined : pin);
    else this.pinBuffer = pin;
  }

  private onKey(key: string): void {
    const k = key.toUpperCase();
    if (/^\d{1,2}$/.test(k)) this.keyBuffer += k;
    else if (k === 'CLEAR') this.keyBuffer = '';
    else if (k === 'ENTER') {
      const v = this.keyBuffer;
      this.keyBuffer = '';
      this.onPin(v);
    } else if (k === 'CANCEL') this.core.abort?.abort(new Cancelled('cancelled'));
    else throw new TerminalStateError(`unknown key '${key}'`, this.core.state, 'E_TERMINAL_KEY');
    this.core.events.emit({ type: 'indicator', beep: 1 });
  }
}
