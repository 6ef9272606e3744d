/**
 * Terminal profiles (fixtures/terminals/NAME.yaml, schema harness/emulator/terminal.schema.json): the raw
 * YAML shape, and the resolved profile the emulator runs with (durations in ms, amounts in minor units,
 * defaults filled in).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { findFixture, fixtureNames } from '../common/fixture-search.js';
import { packagePath } from '../common/project-root.js';
import { loadYamlFixture } from '../common/schema-check.js';
import { resolveDefects, type DefectName } from './defects.js';
import {
  resolveDevices,
  type DeviceCondition,
  type DeviceConditions,
  type TerminalDevice,
} from './terminal-devices.js';
import { ProfileDurationError, TerminalProfileError } from './errors.js';

type Duration = number | string;
type Amount = number | string;

/** A terminal profile as written in YAML. */
export interface TerminalProfileSpec {
  name: string;
  extends?: string;
  description?: string;
  kind: 'pos' | 'atm';
  model?: string;
  terminalId: string;
  merchantId: string;
  merchantName?: string;
  tmk: string;
  tmkKcv?: string;
  dialect?: string;
  tpdu?: string;
  header?: string;
  batch?: string;
  language?: 'en' | 'zh';
  keyScheme?: '001' | '003' | '004';
  trackEncryption?: boolean;
  capabilities?: Partial<
    Record<
      'chip' | 'contactless' | 'magstripe' | 'pinpad' | 'printer' | 'display' | 'ecr' | 'ec' | 'fallback',
      boolean
    >
  >;
  transactions?: TransactionType[];
  kernel?: {
    terminalType?: string;
    terminalCapabilities?: string;
    additionalCapabilities?: string;
    countryCode?: string;
    currencyCode?: string;
    currencyExponent?: number;
    floorLimit?: Amount;
    contactlessTransactionLimit?: Amount;
    contactlessCvmLimit?: Amount;
    contactlessFloorLimit?: Amount;
    ecTerminalLimit?: Amount;
    ttq?: string;
    tacDefault?: string;
    tacDenial?: string;
    tacOnline?: string;
    applicationVersion?: string;
    contactlessReadMs?: number;
    aids?: { aid: string; label?: string; partialSelection?: boolean; contactless?: boolean }[];
  };
  timeouts?: Partial<
    Record<'host' | 'pinEntry' | 'cardRead' | 'cardRemoval' | 'idle' | 'signIn' | 'reversal', Duration>
  >;
  /** Simulated durations the terminal charges per step (see {@link TerminalTiming}). */
  timing?: { contactApdu?: Duration; cardCrypto?: Duration };
  reversal?: { retries?: number; interval?: Duration };
  signIn?: { retries?: number; interval?: Duration; auto?: boolean; daily?: boolean };
  atm?: { retainCodes?: string[]; dispenseMultiple?: Amount };
  /** Peripheral conditions (device faults); all `ok` when absent. */
  devices?: Partial<Record<TerminalDevice, DeviceCondition>>;
  /** `contactless: false` = an outdated menu that does not open the contactless field. */
  menu?: { contactless?: boolean };
  defects?: string[] | Record<string, boolean>;
}

export type TransactionType = 'purchase' | 'void' | 'refund' | 'balance' | 'preAuth' | 'withdraw' | 'settle';

/** A supported application (AID) of the terminal. */
export interface TerminalAid {
  aid: string;
  label: string;
  partialSelection: boolean;
  contactless: boolean;
}

/**
 * What each step of a card read costs in time, charged on a simulated clock (the embedded bench) so
 * timing expectations mean what they mean on a real terminal; on a real clock the exchange takes its
 * real time and is not charged again (only the `slow-kernel` defect waits there). Milliseconds.
 *
 * - `contactApduMs`: one contact APDU exchange, GET RESPONSE included (T=1 I/O and card processing).
 *   Default 10.
 * - `cardCryptoMs`: on top of its exchange, a contact command that makes the card compute a
 *   cryptogram or signature (GENERATE AC, INTERNAL AUTHENTICATE). Default 20.
 * - A contactless APDU costs `kernel.contactlessReadMs / 6` (times the weak-field factor), the card's
 *   time in the field; it is charged on the clock too.
 * - Display updates, PIN encryption and MACs are not charged (0).
 * - The `slow-kernel` defect switch adds 300 ms to every APDU, contact or contactless.
 */
export interface TerminalTiming {
  contactApduMs: number;
  cardCryptoMs: number;
}

/** The profile the emulator runs: every value resolved. */
export interface TerminalProfile {
  name: string;
  file?: string;
  description: string;
  kind: 'pos' | 'atm';
  model: string;
  terminalId: string;
  merchantId: string;
  merchantName: string;
  /** TEST KEY, hex. */
  tmk: string;
  dialect: string;
  tpdu?: string;
  header?: string;
  batch: string;
  language: 'en' | 'zh';
  keyScheme: '001' | '003' | '004';
  trackEncryption: boolean;
  capabilities: Record<
    'chip' | 'contactless' | 'magstripe' | 'pinpad' | 'printer' | 'display' | 'ecr' | 'ec' | 'fallback',
    boolean
  >;
  transactions: TransactionType[];
  kernel: {
    terminalType: string;
    terminalCapabilities: string;
    additionalCapabilities: string;
    countryCode: string;
    currencyCode: string;
    currencyExponent: number;
    /** Minor units. */
    floorLimit: number;
    contactlessTransactionLimit: number;
    contactlessCvmLimit: number;
    contactlessFloorLimit: number;
    ecTerminalLimit: number;
    ttq: string;
    tacDefault: string;
    tacDenial: string;
    tacOnline: string;
    applicationVersion: string;
    contactlessReadMs: number;
    aids: TerminalAid[];
  };
  /** Milliseconds. */
  timeouts: Record<'host' | 'pinEntry' | 'cardRead' | 'cardRemoval' | 'idle' | 'signIn' | 'reversal', number>;
  timing: TerminalTiming;
  reversal: { retries: number; intervalMs: number };
  /** `daily`: a sign-in counts for its calendar day only (CUP terminals sign in every day). */
  signIn: { retries: number; intervalMs: number; auto: boolean; daily: boolean };
  atm: { retainCodes: string[]; dispenseMultiple: number };
  /** Peripheral conditions at power-up (the terminal may change them at run time). */
  devices: DeviceConditions;
  /** `contactless` false: the purchase menu does not open the contactless field (outdated application). */
  menu: { contactless: boolean };
  defects: Set<DefectName>;
}

/** The JSON Schema of terminal profiles. */
export function terminalSchemaPath(): string {
  return packagePath('harness', 'emulator', 'terminal.schema.json');
}

/** Folder of the bundled profiles. */
export function bundledTerminalsDir(): string {
  return packagePath('fixtures', 'terminals');
}

/** Names of the bundled profiles, sorted. */
export function listBundledTerminals(): string[] {
  return readdirSync(bundledTerminalsDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Parses a profile duration ("500ms", "10s", "2m" or a number of ms) to ms. */
export function parseDuration(d: Duration | undefined, fallback: number): number {
  if (d === undefined) return fallback;
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(d);
  if (!m) throw new ProfileDurationError(d);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60000);
}

/** Parses an amount in major units (number or "12.50") into minor units. */
export function parseAmount(a: Amount | undefined, exponent: number, fallback: number): number {
  if (a === undefined) return fallback;
  const s = typeof a === 'number' ? a.toFixed(exponent) : a;
  const [int, frac = ''] = s.split('.');
  return Number(int) * 10 ** exponent + Number(frac.padEnd(exponent, '0').slice(0, exponent) || '0');
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.ya?ml$/i.test(ref);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? merge(b, v) : v;
  }
  return out;
}

function resolveRef(ref: string, baseDir?: string): string {
  if (looksLikePath(ref)) return isAbsolute(ref) ? ref : resolve(baseDir ?? process.cwd(), ref);
  if (baseDir) {
    const local = resolve(baseDir, `${ref}.yaml`);
    if (existsSync(local)) return local;
  }
  return findFixture('terminals', ref) ?? resolve(bundledTerminalsDir(), `${ref}.yaml`);
}

/** Reads a profile spec by bundled name or path, resolving `extends` (8 deep at most). Schema-checked. */
export function loadTerminalProfileSpec(ref: string, options: { cwd?: string } = {}): TerminalProfileSpec {
  const chain: string[] = [];
  const load = (r: string, baseDir: string | undefined): Record<string, unknown> => {
    const file = resolveRef(r, baseDir);
    if (!existsSync(file))
      throw new TerminalProfileError(
        `terminal profile '${r}' not found${looksLikePath(r) ? '' : ` (profiles: ${fixtureNames('terminals').join(', ')})`}`,
        r,
      );
    if (chain.includes(file) || chain.length >= 8)
      throw new TerminalProfileError(
        `profile 'extends' chain too deep or circular: ${[...chain, file].join(' → ')}`,
        r,
      );
    chain.push(file);
    const spec = loadYamlFixture<Record<string, unknown>>(file, terminalSchemaPath());
    const parent = spec.extends;
    if (typeof parent !== 'string') return spec;
    const base = load(parent, dirname(file));
    const { extends: _drop, ...own } = spec;
    void _drop;
    return merge(base, own);
  };
  return load(ref, options.cwd) as unknown as TerminalProfileSpec;
}

/** Fills defaults and converts units. `defects` are added to the profile's own. */
export function resolveTerminalProfile(
  spec: TerminalProfileSpec,
  extra: { defects?: readonly string[]; file?: string } = {},
): TerminalProfile {
  const k = spec.kernel ?? {};
  const exp = k.currencyExponent ?? 2;
  const amount = (a: Amount | undefined, fb: number) => parseAmount(a, exp, fb);
  const t = spec.timeouts ?? {};
  const caps = spec.capabilities ?? {};
  const atm = spec.kind === 'atm';
  return {
    name: spec.name,
    ...(extra.file ? { file: extra.file } : {}),
    description: spec.description ?? '',
    kind: spec.kind,
    model: spec.model ?? 'payhil reference terminal',
    terminalId: spec.terminalId,
    merchantId: spec.merchantId,
    merchantName: spec.merchantName ?? 'PAYHIL MERCHANT',
    tmk: spec.tmk.toUpperCase(),
    dialect: spec.dialect ?? 'cup',
    ...(spec.tpdu ? { tpdu: spec.tpdu.toUpperCase() } : {}),
    ...(spec.header ? { header: spec.header.toUpperCase() } : {}),
    batch: spec.batch ?? '000001',
    language: spec.language ?? 'en',
    keyScheme: spec.keyScheme ?? '004',
    trackEncryption: spec.trackEncryption ?? false,
    capabilities: {
      chip: caps.chip ?? true,
      contactless: caps.contactless ?? !atm,
      magstripe: caps.magstripe ?? !atm,
      pinpad: caps.pinpad ?? true,
      printer: caps.printer ?? true,
      display: caps.display ?? true,
      ecr: caps.ecr ?? false,
      ec: caps.ec ?? false,
      fallback: caps.fallback ?? !atm,
    },
    transactions:
      spec.transactions ??
      (atm ? ['withdraw', 'balance'] : ['purchase', 'void', 'refund', 'balance', 'preAuth', 'settle']),
    kernel: {
      terminalType: (k.terminalType ?? (atm ? '14' : '22')).toUpperCase(),
      terminalCapabilities: (k.terminalCapabilities ?? 'E0E1C8').toUpperCase(),
      additionalCapabilities: (k.additionalCapabilities ?? 'FF80F0A001').toUpperCase(),
      countryCode: (k.countryCode ?? '0156').padStart(4, '0'),
      currencyCode: (k.currencyCode ?? '0156').padStart(4, '0'),
      currencyExponent: exp,
      floorLimit: amount(k.floorLimit, 0),
      contactlessTransactionLimit: amount(k.contactlessTransactionLimit, 100000),
      contactlessCvmLimit: amount(k.contactlessCvmLimit, 100000),
      contactlessFloorLimit: amount(k.contactlessFloorLimit, 0),
      ecTerminalLimit: amount(k.ecTerminalLimit, amount(k.contactlessFloorLimit, 0)),
      ttq: (k.ttq ?? '36000080').toUpperCase(),
      tacDefault: (k.tacDefault ?? 'D84000A800').toUpperCase(),
      tacDenial: (k.tacDenial ?? '0010000000').toUpperCase(),
      tacOnline: (k.tacOnline ?? 'D84004F800').toUpperCase(),
      applicationVersion: (k.applicationVersion ?? '0030').toUpperCase(),
      contactlessReadMs: k.contactlessReadMs ?? 300,
      aids: (k.aids ?? [{ aid: 'A000000333010101' }, { aid: 'A000000333010102' }]).map((a) => ({
        aid: a.aid.toUpperCase(),
        label: a.label ?? a.aid,
        partialSelection: a.partialSelection ?? true,
        contactless: a.contactless ?? true,
      })),
    },
    timeouts: {
      host: parseDuration(t.host, 30000),
      pinEntry: parseDuration(t.pinEntry, 60000),
      cardRead: parseDuration(t.cardRead, 30000),
      cardRemoval: parseDuration(t.cardRemoval, 10000),
      idle: parseDuration(t.idle, 60000),
      signIn: parseDuration(t.signIn, parseDuration(t.host, 30000)),
      reversal: parseDuration(t.reversal, parseDuration(t.host, 30000)),
    },
    timing: {
      contactApduMs: parseDuration(spec.timing?.contactApdu, 10),
      cardCryptoMs: parseDuration(spec.timing?.cardCrypto, 20),
    },
    reversal: {
      retries: spec.reversal?.retries ?? 3,
      intervalMs: parseDuration(spec.reversal?.interval, 5000),
    },
    signIn: {
      retries: spec.signIn?.retries ?? 2,
      intervalMs: parseDuration(spec.signIn?.interval, 3000),
      auto: spec.signIn?.auto ?? true,
      daily: spec.signIn?.daily ?? false,
    },
    atm: {
      retainCodes: spec.atm?.retainCodes ?? ['33', '34', '35', '36', '41', '43', '67', '75'],
      dispenseMultiple: amount(spec.atm?.dispenseMultiple, 0),
    },
    devices: resolveDevices(spec.devices),
    menu: { contactless: spec.menu?.contactless ?? true },
    defects: resolveDefects(spec.defects, extra.defects),
  };
}

/** Loads and resolves a profile by bundled name (`cup-pos`) or path. */
export function loadTerminalProfile(
  ref: string,
  options: { cwd?: string; defects?: readonly string[] } = {},
): TerminalProfile {
  const spec = loadTerminalProfileSpec(ref, options);
  const file = resolveRef(ref, options.cwd);
  return resolveTerminalProfile(spec, { file, ...(options.defects ? { defects: options.defects } : {}) });
}
