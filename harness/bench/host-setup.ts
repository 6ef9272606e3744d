/**
 * Turns a scenario's host setup (accounts in major units, rules with durations) into the host
 * simulator's configuration and rules (minor units, milliseconds).
 */
import type { HostConfig, HostRule as SimulatorRule, AccountConfig } from '../host/index.js';
import type { AccountOverride, ScenarioHostRule } from '../scenario/index.js';
import { amountToMinorUnits, parseDuration } from '../scenario/index.js';
import type { HostAccountsSetup } from '../capabilities/index.js';
import { BenchConfigError } from './errors.js';

function minor(v: unknown, what: string): number {
  const m = amountToMinorUnits(v);
  if (m === undefined) throw new BenchConfigError(`${what}: '${String(v)}' is not an amount`);
  return m;
}

function count(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new BenchConfigError(`${what}: '${String(v)}' is not a whole number`);
  return n;
}

/** Applies one override to an account of the simulator's configuration (in place). */
export function applyAccountOverride(acc: AccountConfig, o: AccountOverride, card: string): void {
  if (o.balance !== undefined) acc.balance = minor(o.balance, `accounts.${card}.balance`);
  if (o.currency !== undefined) acc.currency = o.currency;
  if (o.status !== undefined) acc.status = o.status;
  if (o.limits) {
    acc.limits = { ...(acc.limits ?? {}) };
    if (o.limits.single !== undefined)
      acc.limits.single = minor(o.limits.single, `accounts.${card}.limits.single`);
    if (o.limits.daily !== undefined)
      acc.limits.daily = minor(o.limits.daily, `accounts.${card}.limits.daily`);
    if (o.limits.dailyCount !== undefined)
      acc.limits.dailyCount = count(o.limits.dailyCount, `accounts.${card}.limits.dailyCount`);
  }
  if (o.pinTriesLeft !== undefined) acc.pinTriesLeft = count(o.pinTriesLeft, `accounts.${card}.pinTriesLeft`);
  if (o.regions !== undefined) acc.regions = [...o.regions];
  if (o.risk !== undefined)
    acc.risk = o.risk.map((r) => ({ name: r.name, match: r.match as Record<string, never> }));
}

/** The fields of an inline card the issuer (host) knows too: changing one changes the host's account. */
export const ISSUER_CARD_FIELDS = ['pan', 'psn', 'expiry', 'pin', 'pinTryLimit', 'imkAc', 'cvn'] as const;

/** A copy of `base` with the scenario's accounts and inline-card changes applied. */
export function applyAccountSetup(base: HostConfig, setup: HostAccountsSetup): HostConfig {
  const config: HostConfig = structuredClone(base);
  const accountOf = (card: string): AccountConfig => {
    let acc = config.accounts.find((a) => a.card === card);
    if (!acc) {
      acc = { card, balance: 0 };
      config.accounts.push(acc);
    }
    return acc;
  };
  for (const [card, over] of Object.entries(setup.cardOverrides)) {
    const acc = accountOf(card);
    for (const k of ISSUER_CARD_FIELDS)
      if (over[k] !== undefined) (acc as unknown as Record<string, unknown>)[k] = over[k];
  }
  for (const [card, o] of Object.entries(setup.accounts)) applyAccountOverride(accountOf(card), o, card);
  return config;
}

/** A scenario host rule as the simulator takes it. */
export function toHostRule(r: ScenarioHostRule): SimulatorRule {
  const out: SimulatorRule = { respond: {} };
  if (r.id !== undefined) out.id = r.id;
  if (r.match !== undefined) out.match = r.match as SimulatorRule['match'];
  if (r.mti !== undefined) out.mti = Array.isArray(r.mti) ? [...r.mti] : (r.mti as string);
  if (r.entryMode !== undefined) out.entryMode = r.entryMode;
  if (r.timeOfDay !== undefined) out.timeOfDay = { from: r.timeOfDay.from, to: r.timeOfDay.to };
  if (r.nth !== undefined) out.nth = count(r.nth, 'rule nth');
  if (r.times !== undefined) out.times = count(r.times, 'rule times');
  const a = r.respond;
  if (a.fields !== undefined) out.respond.fields = { ...(a.fields as Record<string, string | null>) };
  if (a.process !== undefined) out.respond.process = a.process;
  if (a.delay !== undefined) {
    const ms = parseDuration(a.delay);
    if (ms === undefined) throw new BenchConfigError(`rule delay '${String(a.delay)}' is not a duration`);
    out.respond.delayMs = ms;
  }
  if (a.noAnswer !== undefined) out.respond.noAnswer = a.noAnswer;
  if (a.close !== undefined) out.respond.close = a.close;
  if (a.badMac !== undefined) out.respond.badMac = a.badMac;
  if (a.mti !== undefined) out.respond.mti = a.mti;
  if (a.stan !== undefined) out.respond.stan = a.stan;
  return out;
}
