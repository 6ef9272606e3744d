/**
 * Why a bench whose cards are physical (in a multiplexer's slots, in a robot's rack) cannot serve a
 * scenario: an inserted or tapped card it does not hold (or an inline card), `expect card` (a real card
 * cannot report its run state), `cardCondition`. Swipes go to the terminal driver and need no card here.
 * Undefined when it can.
 */
import type { LoadedStep, Scenario } from '../scenario/index.js';

export function physicalCardsCannotServe(
  scenario: Scenario,
  holds: (fixture: string) => boolean,
  where: string,
): string | undefined {
  const walk = (steps: readonly LoadedStep[]): string | undefined => {
    for (const step of steps) {
      const args =
        step.args !== null && typeof step.args === 'object' ? (step.args as Record<string, unknown>) : {};
      if (step.action === 'cardCondition')
        return `its step 'cardCondition' (line ${step.at.line}) changes a phone wallet, which a real card cannot`;
      if (step.action === 'expect' && ('card' in args || hasCard(args)))
        return `its 'expect card' (line ${step.at.line}) reads a card's run state, which a real card in ${where} cannot report`;
      if ((step.action === 'insert' || step.action === 'tap') && typeof args.card === 'string') {
        const ref = scenario.cards[args.card] ?? args.card;
        if (typeof ref !== 'string')
          return `its card '${args.card}' (line ${step.at.line}) is an inline card, which ${where} does not hold`;
        if (!holds(ref)) return `its card '${args.card}' (${ref}, line ${step.at.line}) is not in ${where}`;
      }
      const inner = step.steps ? walk(step.steps) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(scenario.steps) ?? walk(scenario.finally);
}

/** An `expect` with `card` in its body or in `none`/`not` sub-bodies. */
function hasCard(args: Record<string, unknown>): boolean {
  return Object.values(args).some((v) => v !== null && typeof v === 'object' && 'card' in (v as object));
}
