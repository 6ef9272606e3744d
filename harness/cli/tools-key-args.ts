import { parseArgs } from 'node:util';
import { isHex } from '../crypto/hex.js';
import type { CliIo } from './command.js';
import { UsageError } from './usage-error.js';

/**
 * Argument handling shared by the payment-crypto tools (kcv, pinblock, mac, key, emv): strict
 * parsing with node:util parseArgs, one-line usage errors that name the argument, JSON output.
 */
export type ToolValues = Record<string, string | boolean | undefined>;

export interface ToolOptionSpec {
  readonly [name: string]: { readonly type: 'string' | 'boolean' };
}

interface NodeArgError {
  code?: string;
  message?: string;
}

/** Parses `argv` against `options`; unknown options, missing values and stray words → UsageError. */
export function parseToolArgs(
  argv: string[],
  options: ToolOptionSpec,
  allowPositionals = false,
): { values: ToolValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options },
      strict: true,
      allowPositionals,
    });
    return { values: values as ToolValues, positionals };
  } catch (e) {
    const err = e as NodeArgError;
    const quoted = /'([^']+)'/.exec(err.message ?? '')?.[1] ?? '';
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`${quoted}: unknown option`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (/does not take an argument/.test(err.message ?? ''))
          throw new UsageError(`${quoted}: takes no value`);
        throw new UsageError(`${quoted.split(' ')[0] ?? quoted}: needs a value`);
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`'${quoted}': unexpected argument`);
      default:
        throw new UsageError(String(err.message ?? e).split('\n')[0] ?? 'bad arguments');
    }
  }
}

/** What a tool takes on its command line. */
export interface ToolSpec<A extends string> {
  /** Printed on stdout for `--help`. */
  readonly usage: string;
  /** The tool's options; `--help` is added. */
  readonly options: ToolOptionSpec;
  /** For a tool that does one of several things: the words one of which comes first, and nothing after. */
  readonly actions?: readonly A[];
}

/**
 * A tool's `run(argv, io)`: parses `argv` against the spec's options as `parseToolArgs` does; `--help`
 * prints the usage on stdout (exit 0); otherwise checks the action word, then runs `body` with the
 * option values and the action (undefined for a tool without actions), and exits with what it returns.
 */
export function toolRun<A extends string = never>(
  spec: ToolSpec<A>,
  body: (io: CliIo, values: ToolValues, action: A) => number,
): (argv: string[], io: CliIo) => Promise<number> {
  const { usage, options, actions } = spec;
  return async (argv, io) => {
    const { values, positionals } = parseToolArgs(
      argv,
      { ...options, help: { type: 'boolean' } },
      actions !== undefined,
    );
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const [action, ...extra] = positionals;
    if (actions !== undefined) {
      if (action === undefined) throw new UsageError(`${actions.join('|')}: required`);
      if (!(actions as readonly string[]).includes(action))
        throw new UsageError(`'${action}': must be ${orList([...actions])}`);
      if (extra.length > 0) throw new UsageError(`'${extra[0]}': unexpected argument`);
    }
    return body(io, values, action as A);
  };
}

/** The string value of `--name`, or UsageError when it is missing. */
export function requireString(values: ToolValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name}: required`);
  return v;
}

/** The string value of `--name`, or undefined. */
export function optionalString(values: ToolValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function orList(items: string[]): string {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Hex of `--name` as bytes; `lengths` (bytes) restricts the size, `max` caps it. */
export function hexArg(
  name: string,
  value: string,
  limits: { lengths?: readonly number[]; max?: number } = {},
): Buffer {
  if (!isHex(value)) throw new UsageError(`--${name}: must be an even number of hex digits`);
  const bytes = value.length / 2;
  if (limits.lengths && !limits.lengths.includes(bytes))
    throw new UsageError(
      `--${name}: must be ${orList(limits.lengths.map((n) => String(n * 2)))} hex digits, got ${value.length}`,
    );
  if (limits.max !== undefined && bytes > limits.max)
    throw new UsageError(`--${name}: at most ${limits.max * 2} hex digits, got ${value.length}`);
  return Buffer.from(value, 'hex');
}

/** A whole number of `--name` within [min, max]. */
export function intArg(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name}: must be a whole number from ${min} to ${max}`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name}: must be from ${min} to ${max}, got ${n}`);
  return n;
}

/** One of the listed choices for `--name`. */
export function choiceArg<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name}: must be ${orList([...choices])}, got '${value}'`);
  return value as T;
}

/** Digits only, `min`–`max` of them. */
export function digitsArg(name: string, value: string, min: number, max: number): string {
  if (!/^\d+$/.test(value) || value.length < min || value.length > max)
    throw new UsageError(`--${name}: must be ${min === max ? min : `${min} to ${max}`} digits`);
  return value;
}

/** Prints one JSON object on stdout and returns exit code 0. */
export function printJson(io: CliIo, result: Record<string, unknown>): number {
  io.out(JSON.stringify(result));
  return 0;
}
