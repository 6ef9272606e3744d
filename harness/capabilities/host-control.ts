import type { AccountOverride, ScenarioHostRule as HostRule } from '../scenario/index.js';

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
