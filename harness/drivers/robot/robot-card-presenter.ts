/**
 * The `robot` card presenter: real cards in a robot's rack, the lab file maps card fixtures to rack
 * positions (`card.rack: {cup-debit: slot1}`); `insert`, `tap` (with the step's hold time) and `remove`
 * are arm moves. Swipes go to the bench's other presenter (the terminal driver's test-mode requests).
 *
 * Preflight: `activate()` asks the robot's status (a jam breaks the run at once) and its own rack report
 * (`GET /arm/rack`), and refuses (broken, before the first scenario) when a position is empty or holds
 * another card, saying which card to put where. A real card cannot report its run state: scenarios with
 * `expect card` are skipped ({@link RobotCardPresenter.cannotServe}).
 */
import type { CardPresenter, Robot } from '../../capabilities/index.js';
import type { InlineCard, Scenario } from '../../scenario/index.js';
import { physicalCardsCannotServe } from '../physical-cards.js';
import { RobotError } from './errors.js';

export interface RobotCardPresenterOptions {
  /** Card fixture name → rack position. */
  rack: Record<string, string>;
  /** The presenter swipes go to, asked at each use. */
  swipeVia?: () => CardPresenter | undefined;
}

interface Activatable {
  readonly name: string;
  activate(): Promise<void>;
  deactivate(): Promise<void>;
}

export class RobotCardPresenter {
  readonly name: string;
  readonly cards: CardPresenter;
  private aliases: Record<string, string | InlineCard> = {};
  private holding = false;

  constructor(
    private readonly device: Activatable,
    private readonly robot: Robot,
    private readonly options: RobotCardPresenterOptions,
  ) {
    this.name = `robot card presenter (${device.name})`;
    this.cards = {
      prepare: async (map) => {
        this.aliases = { ...map };
        await this.options
          .swipeVia?.()
          ?.prepare(map)
          .catch(() => undefined);
      },
      insert: async (card) => {
        const pos = this.positionOf(card);
        await this.takeOut();
        await this.robot.insert(pos);
        this.holding = true;
      },
      tap: async (card, holdMs) => {
        const pos = this.positionOf(card);
        await this.takeOut();
        await this.robot.tap(pos, holdMs);
      },
      swipe: async (card, track) => {
        const other = this.options.swipeVia?.();
        if (!other)
          throw new RobotError(
            device.name,
            'swipe',
            `cannot swipe '${card}': the bench has no way to swipe`,
            {
              code: 'E_ROBOT_CARD',
            },
          );
        await other.swipe(card, track);
      },
      remove: () => this.takeOut(),
      state: async () => {
        throw new RobotError(
          device.name,
          'expect card',
          "a real card in a robot's rack cannot report its run state",
          {
            code: 'E_ROBOT_CARD',
          },
        );
      },
    };
  }

  async activate(): Promise<void> {
    await this.device.activate();
    try {
      await this.preflight();
    } catch (e) {
      await this.device.deactivate().catch(() => undefined);
      throw e;
    }
  }

  async deactivate(): Promise<void> {
    await this.takeOut().catch(() => undefined);
    await this.device.deactivate();
  }

  async beginScenario(): Promise<void> {
    await this.takeOut();
  }

  async endScenario(): Promise<void> {
    await this.takeOut().catch(() => undefined);
  }

  /** The robot's rack report against the lab file's rack: E_ROBOT_RACK naming every position to fix. */
  async preflight(): Promise<void> {
    const has = await this.robot.rack();
    const wrong: string[] = [];
    for (const [card, pos] of Object.entries(this.options.rack)) {
      const there = has[pos];
      if (there === undefined) wrong.push(`rack position ${pos} is empty: put card '${card}' in it`);
      else if (there !== card)
        wrong.push(
          `rack position ${pos} holds '${there}', not '${card}': put '${card}' there or fix card.rack in the lab file`,
        );
    }
    if (wrong.length)
      throw new RobotError(this.device.name, 'preflight', wrong.join('; '), { code: 'E_ROBOT_RACK' });
  }

  cannotServe(scenario: Scenario): string | undefined {
    return physicalCardsCannotServe(
      scenario,
      (f) => f in this.options.rack,
      "the robot's rack (card.rack of the lab file)",
    );
  }

  private positionOf(ref: string): string {
    const mapped = this.aliases[ref];
    const fixture = typeof mapped === 'string' ? mapped : mapped === undefined ? ref : undefined;
    const pos = fixture !== undefined ? this.options.rack[fixture] : undefined;
    if (pos === undefined)
      throw new RobotError(
        this.device.name,
        'card',
        `card '${ref}' is in no rack position: map it in card.rack of the lab file`,
        {
          code: 'E_ROBOT_CARD',
        },
      );
    return pos;
  }

  private async takeOut(): Promise<void> {
    if (!this.holding) return;
    await this.robot.remove();
    this.holding = false;
  }
}
