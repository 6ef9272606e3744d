/**
 * The one activate/deactivate guard of every driver and of the bench: it holds what exists only while
 * the driver is active (an ECR link, a browser page, a PC/SC context, or just `true`) and refuses a
 * capability call while there is none, with the driver's own error (each keeps its stable code and names
 * its resource). Refusals are lab faults: the error a driver gives should have verdict `broken`.
 */
export class ActiveGuard<T> {
  private held: T | undefined;

  /** `refuse(operation)` makes the error for a call while inactive. */
  constructor(private readonly refuse: (operation: string) => Error) {}

  /** Whether the driver is active. */
  get active(): boolean {
    return this.held !== undefined;
  }

  /** What the driver holds while active, undefined otherwise (for a call that may run inactive). */
  get current(): T | undefined {
    return this.held;
  }

  /** Marks the driver active, holding `value`. */
  activate(value: T): void {
    this.held = value;
  }

  /** Marks the driver inactive; returns what it held, for the driver to close. */
  deactivate(): T | undefined {
    const v = this.held;
    this.held = undefined;
    return v;
  }

  /**
   * Marks the driver inactive when it still holds `value` (a link that closed by itself); true when it
   * did. A newer value (the link of a later activation) stays.
   */
  release(value: T): boolean {
    if (this.held !== value) return false;
    this.held = undefined;
    return true;
  }

  /** What the active driver holds; throws the driver's error for `operation` while inactive. */
  need(operation: string): T {
    if (this.held === undefined) throw this.refuse(operation);
    return this.held;
  }
}
