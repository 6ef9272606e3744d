/**
 * Mock peers of the `CardMultiplexer` and `Robot` capabilities: they record every call and have test
 * controls to put cards in slots, make the device silent (every call rejects as broken) or jam the robot.
 */
import {
  BrokenError,
  type CardMultiplexer,
  type MuxInterface,
  type MuxStatus,
  type Robot,
  type RobotStatus,
} from '../capabilities/index.js';

export interface MockDeviceCall {
  method: string;
  args: unknown[];
}

/** A multiplexer in memory: `slots` maps slot number → card label. */
export class MockMultiplexer implements CardMultiplexer {
  readonly calls: MockDeviceCall[] = [];
  readonly slots = new Map<number, string>();
  selected: { slot: number; via: MuxInterface } | undefined;
  /** When set, every call rejects with a BrokenError carrying this text (a mux that does not answer). */
  silent: string | undefined;

  constructor(
    slots: Record<number, string> = {},
    readonly slotCount = 8,
  ) {
    for (const [n, card] of Object.entries(slots)) this.slots.set(Number(n), card);
  }

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.silent !== undefined) throw new BrokenError(this.silent, 'mock multiplexer');
  }

  private check(slot: number): void {
    if (!Number.isInteger(slot) || slot < 1 || slot > this.slotCount)
      throw new BrokenError(`no slot ${slot} (1-${this.slotCount})`, 'mock multiplexer');
  }

  async select(slot: number, via: MuxInterface = 'contact', holdMs?: number): Promise<void> {
    this.record('select', holdMs === undefined ? [slot, via] : [slot, via, holdMs]);
    this.check(slot);
    this.selected = { slot, via };
  }

  async deselect(): Promise<void> {
    this.record('deselect', []);
    this.selected = undefined;
  }

  async slotCard(slot: number): Promise<string | undefined> {
    this.record('slotCard', [slot]);
    this.check(slot);
    return this.slots.get(slot);
  }

  async status(): Promise<MuxStatus> {
    this.record('status', []);
    return { selected: this.selected?.slot, slots: this.slotCount };
  }
}

/** A robot in memory; `jam(detail)` makes it report a jam and refuse every move until `clear()`. */
export class MockRobot implements Robot {
  readonly calls: MockDeviceCall[] = [];
  /** Position → card label, as `rack()` reports it. */
  readonly positions: Record<string, string>;

  constructor(positions: Record<string, string> = {}) {
    this.positions = { ...positions };
  }

  async rack(): Promise<Record<string, string>> {
    this.calls.push({ method: 'rack', args: [] });
    return { ...this.positions };
  }

  readonly keys: string[] = [];
  holding: { card: string; how: 'insert' | 'tap'; holdMs?: number } | undefined;
  private jammed: string | undefined;

  jam(detail: string): void {
    this.jammed = detail;
  }

  clear(): void {
    this.jammed = undefined;
  }

  private move(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.jammed !== undefined)
      throw new BrokenError(`robot jammed: ${this.jammed}`, 'mock robot', { code: 'E_ROBOT_JAM' });
  }

  async insert(card: string): Promise<void> {
    this.move('insert', [card]);
    this.holding = { card, how: 'insert' };
  }

  async tap(card: string, holdMs?: number): Promise<void> {
    this.move('tap', [card, holdMs]);
    this.holding = undefined;
  }

  async remove(): Promise<void> {
    this.move('remove', []);
    this.holding = undefined;
  }

  async press(key: string): Promise<void> {
    this.move('press', [key]);
    this.keys.push(key);
  }

  async status(): Promise<RobotStatus> {
    this.calls.push({ method: 'status', args: [] });
    if (this.jammed !== undefined) return { state: 'jam', detail: this.jammed };
    return { state: 'ready', ...(this.holding ? { card: this.holding.card } : {}) };
  }
}
