/**
 * What a lab bench cannot serve, found before a scenario starts so that it is skipped with the reason
 * rather than failed halfway: a transaction its terminal's protocol does not carry, or a terminal profile
 * whose daily sign-in differs from the bench's terminal.
 */
import { loadTerminalProfile } from '../emulator/terminal-profile.js';
import type { Scenario } from '../scenario/index.js';

/** Transactions nexo carries (Login, Payment, Refund, Reversal, BalanceInquiry, Reconciliation). */
export const NEXO_SERVICES: ReadonlySet<string> = new Set([
  'signIn',
  'purchase',
  'refund',
  'void',
  'balance',
  'settle',
]);
/** Transactions the ZVT driver maps (Registration/Initialisation, Authorisation, Pre-Authorisation, Reversal, Refund, End-of-Day). */
export const ZVT_SERVICES: ReadonlySet<string> = new Set([
  'signIn',
  'purchase',
  'preAuth',
  'void',
  'refund',
  'settle',
]);
/** Step actions that start a transaction. */
const TRANSACTION_ACTIONS = new Set([...NEXO_SERVICES, ...ZVT_SERVICES, 'withdraw', 'completion']);

/**
 * Why a protocol bench cannot serve a scenario: a transaction step its protocol does not carry (nexo:
 * pre-auth, withdrawal; ZVT: balance, withdrawal), found before the scenario starts so it is skipped with
 * the reason rather than failed halfway.
 */
export function protocolCannotServe(
  protocol: string,
  services: ReadonlySet<string>,
): (s: Scenario) => string | undefined {
  const walk = (steps: Scenario['steps']): string | undefined => {
    for (const step of steps) {
      const a = step.action as string;
      if (TRANSACTION_ACTIONS.has(a) && !services.has(a))
        return `its step '${a}' (line ${step.at.line}) is a transaction payhil does not map onto ${protocol}`;
      const inner = step.steps ? walk(step.steps) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  return (s) => walk(s.steps) ?? walk(s.finally);
}

/**
 * The bench's terminal runs its own profile whatever `bench.terminal` a scenario names. Where the two
 * differ in the daily sign-in (profile `signIn.daily`), the scenario is about behaviour this terminal
 * does not have: it cannot serve it (skipped with the reason rather than failed).
 */
export function dailySignInCannotServe(benchProfile: string, s: Scenario): string | undefined {
  const asked = s.bench?.terminal;
  if (asked === undefined || asked === benchProfile) return undefined;
  const daily = (name: string): boolean | undefined => {
    try {
      return loadTerminalProfile(name).signIn.daily;
    } catch {
      return undefined;
    }
  };
  const want = daily(asked);
  if (want === undefined || want === daily(benchProfile)) return undefined;
  return `it asks for terminal profile '${asked}' (signIn.daily ${want}); this bench's terminal runs '${benchProfile}'`;
}
