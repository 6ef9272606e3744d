/**
 * The `multiplexer` driver: a card multiplexer that speaks payhil's line protocol (docs/mux-robot.md)
 * over a serial port or TCP. It implements the `CardMultiplexer` capability:
 *
 *   SELECT <n> [CL [holdMs]] → OK SELECT <n>     DESELECT → OK DESELECT
 *   SLOT <n>        → OK SLOT <n> <label>|-   STATUS → OK STATUS <selected>|- <slots>
 *   MONITOR <n>|OFF → OK MONITOR <n>|OFF (slot n's card on the monitor port's PC/SC reader)
 *
 * `activate()` opens the link and asks `STATUS` (a mux that does not answer is broken at once, with what
 * to check).
 */
import {
  ActiveGuard,
  type CardMultiplexer,
  type MuxInterface,
  type MuxStatus,
} from '../../capabilities/index.js';
import { MuxError } from './errors.js';
import { describeResource, LineLink, type LineLinkOptions, type LineLinkResource } from './line-link.js';

export class MuxDriver {
  readonly name: string;
  readonly mux: CardMultiplexer;
  private readonly guard: ActiveGuard<LineLink>;

  constructor(
    readonly resource: LineLinkResource,
    private readonly options: LineLinkOptions = {},
  ) {
    this.name = `mux ${describeResource(resource)}`;
    this.guard = new ActiveGuard(
      (op) => new MuxError(this.name, op, 'the multiplexer driver is not active', { code: 'E_MUX_INACTIVE' }),
    );
    this.mux = {
      select: async (slot, via, holdMs) => {
        const hold =
          via === 'contactless' && holdMs !== undefined ? ` ${Math.max(0, Math.round(holdMs))}` : '';
        await this.ask(
          `SELECT ${slotArg(this.name, slot)}${via === 'contactless' ? ' CL' : ''}${hold}`,
          'SELECT',
        );
      },
      deselect: async () => {
        await this.ask('DESELECT', 'DESELECT');
      },
      slotCard: async (slot) => {
        const args = await this.ask(`SLOT ${slotArg(this.name, slot)}`, 'SLOT');
        const label = args[1];
        if (args[0] !== String(slot) || label === undefined)
          throw new MuxError(
            this.name,
            `SLOT ${slot}`,
            `answer 'OK SLOT ${args.join(' ')}' names no card of slot ${slot}`,
            {
              code: 'E_MUX_GARBAGE',
            },
          );
        return label === '-' ? undefined : label;
      },
      status: async () => this.status(),
      monitor: async (slot) => {
        await this.ask(`MONITOR ${slot === undefined ? 'OFF' : slotArg(this.name, slot)}`, 'MONITOR');
      },
    };
  }

  get active(): boolean {
    return this.guard.active;
  }

  async activate(): Promise<void> {
    if (this.guard.active) return;
    const link = await LineLink.open(this.resource, this.options);
    this.guard.activate(link);
    link.onClose(() => this.guard.release(link));
    try {
      await this.status();
    } catch (e) {
      await this.deactivate();
      throw e;
    }
  }

  async deactivate(): Promise<void> {
    await this.guard.deactivate()?.close();
  }

  private async status(): Promise<MuxStatus> {
    const args = await this.ask('STATUS', 'STATUS');
    const slots = Number(args[1]);
    const sel = args[0];
    if (sel === undefined || !Number.isInteger(slots) || slots < 1 || (sel !== '-' && !/^\d+$/.test(sel)))
      throw new MuxError(
        this.name,
        'STATUS',
        `answer 'OK STATUS ${args.join(' ')}' is not '<selected>|- <slots>'`,
        {
          code: 'E_MUX_GARBAGE',
        },
      );
    return { selected: sel === '-' ? undefined : Number(sel), slots };
  }

  private ask(command: string, verb: string): Promise<string[]> {
    return this.guard.need(command).request(command, verb);
  }
}

function slotArg(driver: string, slot: number): string {
  if (!Number.isInteger(slot) || slot < 1 || slot > 999)
    throw new MuxError(driver, 'select', `slot ${slot} is not a slot number (1-999)`, { code: 'E_MUX_SLOT' });
  return String(slot);
}

export type { MuxInterface };
