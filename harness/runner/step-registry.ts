/**
 * The step registry: one handler per action of the scenario language v1. A handler asks the bench for a
 * capability (never a driver) or evaluates an expectation against the timeline.
 */
import type { Bench } from '../bench/index.js';
import {
  BrokenError,
  DEVICE_NAMES,
  type DeviceCondition,
  type DeviceName,
  type TerminalOperationName,
} from '../capabilities/index.js';
import type { ToxicInput, MessageFaultInput } from '../net/index.js';
import type {
  ActionName,
  Expectation,
  LoadedStep,
  NetworkFault,
  Scenario,
  ScenarioHostRule,
  AccountOverride,
  DeviceArgs,
} from '../scenario/index.js';
import { amountToMinorUnits, parseDuration } from '../scenario/index.js';
import { CalendarError, parseCalendarStep } from '../common/calendar.js';
import { StepError } from './errors.js';
import {
  advanceCursor,
  checkExpectation,
  markPresentation,
  readCaptureSource,
  type ExpectEnv,
} from './expectations.js';

/** What a handler gets. */
export interface StepContext {
  bench: Bench;
  scenario: Scenario;
  env: ExpectEnv;
  captures: Record<string, unknown>;
  /** Runs nested steps (repeat), reported as child steps. */
  runSteps(steps: readonly LoadedStep[], label: string): Promise<void>;
  signal: AbortSignal;
}

export type StepHandler = (
  ctx: StepContext,
  args: Record<string, unknown> | null,
  step: LoadedStep,
) => Promise<void>;

/** Actions that only look (they do not move the cursor). */
export const OBSERVING_ACTIONS: ReadonlySet<string> = new Set([
  'expect',
  'capture',
  'wait',
  'repeat',
  'include',
]);

function amount(v: unknown, action: string): number {
  const m = amountToMinorUnits(v);
  if (m === undefined) throw new StepError(`${action}: '${String(v)}' is not an amount`, action);
  return m;
}

function duration(v: unknown, what: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) throw new StepError(`${what}: '${String(v)}' is not a duration`, what);
  return ms;
}

function resolveCardName(ctx: StepContext, ref: unknown): string {
  if (typeof ref !== 'string' || ref === '')
    throw new StepError(`card must be an alias or a fixture name`, 'card');
  return ref;
}

/** Scenario toxic names → the proxy's (Toxiproxy's) type names. */
const TOXIC_TYPES: Record<string, string> = {
  latency: 'latency',
  bandwidth: 'bandwidth',
  timeout: 'timeout',
  down: 'down',
  reset: 'reset_peer',
  slicer: 'slicer',
  limitData: 'limit_data',
  slowClose: 'slow_close',
  corrupt: 'corrupt',
};
const MESSAGE_FAULTS = new Set(['drop', 'delay', 'duplicate', 'corruptField', 'cutAfter']);

/** A scenario network fault as a toxic or a message fault of the proxy. */
export function toNetworkInput(f: NetworkFault): { toxic?: ToxicInput; fault?: MessageFaultInput } {
  const attrs: Record<string, number> = {};
  const num = (v: unknown, what: string): number => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n))
      throw new StepError(`network ${f.toxic}: ${what} '${String(v)}' is not a number`, 'network');
    return n;
  };
  if (MESSAGE_FAULTS.has(f.toxic)) {
    // Without nth a message fault is standing (every match); with it, it hits the Nth match once.
    const input: Record<string, unknown> = {
      action: f.toxic,
      stream: f.stream ?? 'both',
      standing: f.nth === undefined,
    };
    if (f.nth !== undefined) input.nth = num(f.nth, 'nth');
    if (f.name) input.name = f.name;
    if (f.on) input.match = f.on;
    if (f.delay !== undefined) input.delay = duration(f.delay, 'network delay');
    if (f.copies !== undefined) input.copies = num(f.copies, 'copies');
    if (f.field !== undefined) input.field = f.field;
    if (f.value !== undefined && f.value !== null) input.value = String(f.value);
    if (f.toxic === 'cutAfter' && f.bytes !== undefined) input.bytes = num(f.bytes, 'bytes');
    return { fault: input as unknown as MessageFaultInput };
  }
  const type = TOXIC_TYPES[f.toxic];
  if (!type) throw new StepError(`network: unknown toxic '${f.toxic}'`, 'network');
  if (f.latency !== undefined) attrs.latency = duration(f.latency, 'latency');
  if (f.jitter !== undefined) attrs.jitter = duration(f.jitter, 'jitter');
  if (f.timeout !== undefined) attrs.timeout = duration(f.timeout, 'timeout');
  if (f.rate !== undefined) attrs.rate = num(f.rate, 'rate');
  if (f.bytes !== undefined) attrs.bytes = num(f.bytes, 'bytes');
  if (f.averageSize !== undefined) attrs.average_size = num(f.averageSize, 'averageSize');
  if (f.sizeVariation !== undefined) attrs.size_variation = num(f.sizeVariation, 'sizeVariation');
  // slicer delays are microseconds in Toxiproxy; slowClose delays are milliseconds.
  if (f.delay !== undefined)
    attrs.delay = type === 'slicer' ? duration(f.delay, 'delay') * 1000 : duration(f.delay, 'delay');
  if (type === 'corrupt') attrs.probability = f.toxicity ?? 1;
  const streams = f.stream === 'both' ? ['upstream', 'downstream'] : [f.stream ?? 'downstream'];
  // 'both' is two toxics; the second one is added by the handler.
  return {
    toxic: {
      ...(f.name ? { name: f.name } : {}),
      type,
      stream: streams[0] as string,
      ...(f.toxicity !== undefined && type !== 'corrupt' ? { toxicity: f.toxicity } : {}),
      attributes: attrs,
    },
  };
}

/** Card alias → fixture name (the host keys accounts by fixture). */
export function fixtureOf(scenario: Scenario, alias: string): string {
  const c = scenario.cards[alias];
  if (c === undefined) return alias;
  return typeof c === 'string' ? c : c.extends;
}

function accountsByFixture(
  scenario: Scenario,
  accounts: Record<string, AccountOverride | undefined>,
): Record<string, AccountOverride> {
  const out: Record<string, AccountOverride> = {};
  for (const [alias, o] of Object.entries(accounts)) if (o) out[fixtureOf(scenario, alias)] = o;
  return out;
}

const terminalOp =
  (op: TerminalOperationName): StepHandler =>
  async (ctx, args) => {
    const a = args ?? {};
    await ctx.bench.get('terminal').start(op, {
      ...(a.amount !== undefined ? { amount: amount(a.amount, op) } : {}),
      ...(a.of !== undefined ? { of: String(a.of) } : {}),
    });
  };

export const stepHandlers: Record<ActionName, StepHandler> = {
  signIn: terminalOp('signIn'),
  purchase: terminalOp('purchase'),
  void: terminalOp('void'),
  refund: terminalOp('refund'),
  balance: terminalOp('balance'),
  preAuth: terminalOp('preAuth'),
  withdraw: terminalOp('withdraw'),
  settle: terminalOp('settle'),
  async enterAmount(ctx, args) {
    await ctx.bench.get('terminal').enterAmount(amount(args?.amount, 'enterAmount'));
  },
  async enterPin(ctx, args) {
    const keypad = ctx.bench.get('keypad');
    if (args?.cancel) await keypad.cancel();
    else if (args?.timeout)
      return; // let the terminal's PIN prompt time out
    else if (typeof args?.pin === 'string') await keypad.enterPin(args.pin);
    else throw new StepError('enterPin needs pin, cancel or timeout', 'enterPin');
  },
  async press(ctx, args) {
    await ctx.bench.get('keypad').press(String(args?.key ?? ''));
  },
  async select(ctx, args) {
    await ctx.bench.get('terminal').select(String(args?.item ?? ''));
  },
  async powerCycle(ctx) {
    await ctx.bench.get('terminal').powerCycle();
  },
  async mode(ctx, _args, step) {
    await ctx.bench.get('mode').set(step.args === 'maintenance' ? 'maintenance' : 'normal');
  },
  async clock(ctx, args) {
    const calendar = ctx.bench.get('calendar');
    try {
      if (typeof args?.set === 'string') await calendar.set(args.set);
      else await calendar.advance(parseCalendarStep(args?.advance));
    } catch (e) {
      if (e instanceof CalendarError) throw new StepError(`clock: ${e.message}`, 'clock');
      throw e;
    }
  },
  async device(ctx, _args, step) {
    // `normal`: every device back to ok.
    const conditions: Partial<Record<DeviceName, DeviceCondition>> =
      step.args === 'normal'
        ? Object.fromEntries(DEVICE_NAMES.map((d) => [d, 'ok' as const]))
        : (step.args as DeviceArgs);
    await ctx.bench.get('devices').set(conditions);
  },
  async insert(ctx, args) {
    await ctx.bench.get('cards').insert(resolveCardName(ctx, args?.card));
  },
  async tap(ctx, args) {
    const hold = args?.holdMs !== undefined ? Number(args.holdMs) : undefined;
    await ctx.bench.get('cards').tap(resolveCardName(ctx, args?.card), hold);
  },
  async swipe(ctx, args) {
    await ctx.bench
      .get('cards')
      .swipe(
        resolveCardName(ctx, args?.card),
        (args?.track as 'track1' | 'track2' | 'both' | undefined) ?? 'track2',
      );
  },
  async cardCondition(ctx, args) {
    const cards = ctx.bench.get('cards');
    if (!cards.condition)
      throw new BrokenError(`the bench '${ctx.bench.name}' cannot change a card's condition`, ctx.bench.name);
    await cards.condition(resolveCardName(ctx, args?.card), {
      ...(args?.nfc !== undefined ? { nfc: args.nfc as 'on' | 'off' } : {}),
      ...(args?.wallet !== undefined ? { wallet: args.wallet as 'open' | 'closed' } : {}),
    });
  },
  async remove(ctx, args) {
    await ctx.bench.get('cards').remove(typeof args?.card === 'string' ? args.card : undefined);
  },
  async network(ctx, args, step) {
    const net = ctx.bench.get('network');
    const raw = step.args;
    if (raw === 'clear') {
      await net.reset();
      ctx.env.timeline.add('network', { action: 'clear' });
      return;
    }
    const f = raw as NetworkFault;
    const { toxic, fault } = toNetworkInput(f);
    if (fault) await net.addFault(fault);
    if (toxic) {
      await net.addToxic(toxic);
      // 'both' is two toxics: the first one upstream, this one downstream.
      if (f.stream === 'both')
        await net.addToxic({
          ...toxic,
          ...(toxic.name ? { name: `${toxic.name}-down` } : {}),
          stream: 'downstream',
        });
    }
    ctx.env.timeline.add('network', { action: 'on', fault: f });
  },
  async host(ctx, _args, step) {
    const host = ctx.bench.get('host');
    if (step.args === 'reset') {
      await host.clearRules();
      return;
    }
    const a = step.args as { rules?: ScenarioHostRule[]; accounts?: Record<string, AccountOverride> };
    if (a.rules?.length) await host.addRules(a.rules);
    if (a.accounts) await host.updateAccounts(accountsByFixture(ctx.scenario, a.accounts));
  },
  async wait(ctx, args) {
    if (args?.until) {
      const exp = args.until as Expectation;
      const timeout =
        args.timeout !== undefined ? duration(args.timeout, 'wait timeout') : ctx.bench.stepTimeoutMs;
      await checkExpectation({ ...exp, within: exp.within ?? timeout }, ctx.env);
      return;
    }
    const ms = duration(args?.ms ?? 0, 'wait');
    // An abort ends the wait quietly; the runner reports the abort's reason.
    await ctx.bench.clock.sleep(ms, ctx.signal).catch(() => undefined);
  },
  async operator(ctx, args) {
    const answer = await ctx.bench
      .get('operator')
      .ask(
        String(args?.prompt ?? ''),
        (args?.input as 'confirm' | 'yesno' | 'text' | undefined) ?? 'confirm',
      );
    ctx.env.timeline.add('operator', { prompt: args?.prompt, answer });
  },
  async include() {
    // Includes are expanded by the loader; an unexpanded one has nothing to do.
  },
  async repeat(ctx, args, step) {
    const times = Number(args?.times ?? 0);
    if (!Number.isInteger(times) || times < 0 || times > 1000)
      throw new StepError(`repeat times must be 0..1000, got '${String(args?.times)}'`, 'repeat');
    for (let i = 0; i < times; i++) await ctx.runSteps(step.steps ?? [], `repeat ${i + 1}/${times}`);
  },
  async capture(ctx, args) {
    for (const [name, source] of Object.entries(args ?? {})) {
      const v = await readCaptureSource(String(source), ctx.env);
      if (v === undefined)
        throw new StepError(`capture ${name}: '${String(source)}' has no value`, 'capture');
      ctx.captures[name] = v;
    }
  },
  async expect(ctx, args) {
    await checkExpectation((args ?? {}) as Expectation, ctx.env);
  },
};

/** Before an action step the cursor moves on. */
export function beforeStep(ctx: StepContext, action: string): void {
  if (!OBSERVING_ACTIONS.has(action)) advanceCursor(ctx.env.cursor, ctx.env.timeline);
  markPresentation(ctx.env.cursor, ctx.env.timeline, action);
}
