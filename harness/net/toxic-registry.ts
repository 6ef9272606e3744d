import { bandwidthToxic } from './bandwidth-toxic.js';
import { corruptToxic } from './corrupt-toxic.js';
import { downToxic } from './down-toxic.js';
import { ProxyInputError } from './errors.js';
import { latencyToxic } from './latency-toxic.js';
import { limitDataToxic } from './limit-data-toxic.js';
import { resetPeerToxic } from './reset-peer-toxic.js';
import { slicerToxic } from './slicer-toxic.js';
import { slowCloseToxic } from './slow-close-toxic.js';
import { timeoutToxic } from './timeout-toxic.js';
import type { ToxicDefinition, ToxicType } from './toxic-definition.js';
import type { StreamDirection } from './toxic-stage.js';

/** Every toxic type the proxy knows, by Toxiproxy name. */
export const toxicDefinitions: Readonly<Record<ToxicType, ToxicDefinition>> = {
  latency: latencyToxic,
  bandwidth: bandwidthToxic,
  timeout: timeoutToxic,
  down: downToxic,
  reset_peer: resetPeerToxic,
  slicer: slicerToxic,
  limit_data: limitDataToxic,
  slow_close: slowCloseToxic,
  corrupt: corruptToxic,
};

/** A toxic as the control API shows it (Toxiproxy's JSON shape). */
export interface ToxicSpec {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: StreamDirection;
  /** Probability (0–1) that the toxic applies to a given connection. */
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
}

/** A toxic as given by a caller: everything but `type` has Toxiproxy's defaults. */
export interface ToxicInput {
  readonly name?: string;
  readonly type: ToxicType | string;
  /** Default `downstream`, as in Toxiproxy. */
  readonly stream?: StreamDirection | string;
  /** Default 1. */
  readonly toxicity?: number;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks attribute values against a definition, filling defaults from `base` then the definition. */
export function checkAttributes(
  def: ToxicDefinition,
  input: unknown,
  base?: Readonly<Record<string, number>>,
): Record<string, number> {
  if (input !== undefined && input !== null && !isRecord(input)) {
    throw new ProxyInputError('attributes must be an object', { field: 'attributes' });
  }
  const given = (input ?? {}) as Record<string, unknown>;
  const known = new Set(def.attributes.map((a) => a.name));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) {
      const list = def.attributes.map((a) => a.name).join(', ') || 'none';
      throw new ProxyInputError(`attributes.${key}: unknown attribute for ${def.type} (known: ${list})`, {
        field: `attributes.${key}`,
      });
    }
  }
  const out: Record<string, number> = {};
  for (const a of def.attributes) {
    const raw = given[a.name];
    const field = `attributes.${a.name}`;
    if (raw === undefined || raw === null) {
      out[a.name] = base?.[a.name] ?? a.default;
      continue;
    }
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      throw new ProxyInputError(`${field} must be a number (${a.unit})`, { field });
    }
    if (a.integer && !Number.isInteger(raw))
      throw new ProxyInputError(`${field} must be an integer (${a.unit})`, { field });
    if (raw < a.min) throw new ProxyInputError(`${field} must be at least ${a.min} (${a.unit})`, { field });
    if (raw > a.max) throw new ProxyInputError(`${field} must be at most ${a.max} (${a.unit})`, { field });
    out[a.name] = raw;
  }
  def.validate?.(out);
  return out;
}

function checkToxicity(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new ProxyInputError('toxicity must be a number between 0 and 1', { field: 'toxicity' });
  }
  return v;
}

/** Validates a toxic from a caller (API body or in-process) and fills Toxiproxy's defaults. */
export function normalizeToxic(input: unknown): ToxicSpec {
  if (!isRecord(input)) throw new ProxyInputError('toxic must be a JSON object', { field: '(body)' });
  const type = input.type;
  if (typeof type !== 'string' || type === '') {
    throw new ProxyInputError('missing required field: type', { field: 'type' });
  }
  const def = (toxicDefinitions as Record<string, ToxicDefinition | undefined>)[type];
  if (!def) {
    throw new ProxyInputError(
      `invalid toxic type: ${type} (known: ${Object.keys(toxicDefinitions).join(', ')})`,
      {
        field: 'type',
      },
    );
  }
  const stream = input.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') {
    throw new ProxyInputError('stream was invalid, can be either upstream or downstream', {
      field: 'stream',
    });
  }
  // Toxiproxy clients send "" for "no name" (toxiproxy-cli does): the default name is used then.
  if (
    input.name !== undefined &&
    input.name !== '' &&
    (typeof input.name !== 'string' || !/^[\w.-]{1,100}$/.test(input.name))
  ) {
    throw new ProxyInputError('name must be 1-100 characters of letters, digits, _ . -', { field: 'name' });
  }
  const name = (input.name as string | undefined) || `${type}_${stream}`;
  return {
    name,
    type: def.type,
    stream,
    toxicity: checkToxicity(input.toxicity),
    attributes: checkAttributes(def, input.attributes),
  };
}

/** Applies an update (`attributes` merged over the current ones, optional `toxicity`) to a toxic. */
export function updateToxicSpec(current: ToxicSpec, input: unknown): ToxicSpec {
  if (!isRecord(input)) throw new ProxyInputError('toxic update must be a JSON object', { field: '(body)' });
  for (const key of ['type', 'stream', 'name'] as const) {
    if (input[key] !== undefined && input[key] !== current[key]) {
      throw new ProxyInputError(`${key} of a toxic cannot be changed (remove and add it)`, { field: key });
    }
  }
  const def = toxicDefinitions[current.type];
  return {
    ...current,
    toxicity: input.toxicity === undefined ? current.toxicity : checkToxicity(input.toxicity),
    attributes: checkAttributes(def, input.attributes, current.attributes),
  };
}
