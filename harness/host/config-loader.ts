/**
 * Loads a host configuration (fixtures/hosts/*.yaml) and resolves its accounts against the card
 * fixtures (fixtures/cards/NAME.yaml) into the issuer's account specs.
 */
import { PayhilError } from '../common/payhil-error.js';
import { packagePath } from '../common/project-root.js';
import { loadYamlFixture } from '../common/schema-check.js';
import { loadCardFixture, type CardFixture } from '../cards/index.js';
import type { AccountSpec } from './account-store.js';
import type { AccountConfig, HostConfig } from './host-config.js';
import { HostConfigError } from './errors.js';

/** The schema every host configuration is validated against. */
export const HOST_SCHEMA = packagePath('harness', 'host', 'host.schema.json');
/** The bundled default host configuration. */
export const DEFAULT_HOST_CONFIG = packagePath('fixtures', 'hosts', 'default.yaml');

/** The card data the issuer needs, as found in a card fixture. */
export interface IssuerCardData {
  pan: string;
  psn?: string | undefined;
  expiry?: string;
  pin?: string;
  pinTryLimit?: number;
  imkAc?: string;
  /** Cryptogram version of the card's first application (10 or 18). */
  cvn?: 10 | 18;
}

/** Reads a host configuration file (default: the bundled default.yaml), validated against host.schema.json. */
export function loadHostConfig(file: string = DEFAULT_HOST_CONFIG): HostConfig {
  return loadYamlFixture<HostConfig>(file, HOST_SCHEMA);
}

/**
 * Reads the issuer-side data of card fixture `name` (bundled name or path) with the cards layer's loader,
 * so `extends` chains resolve exactly as they do for the virtual card.
 */
export function loadCardData(name: string): IssuerCardData {
  let card: CardFixture;
  try {
    card = loadCardFixture(name);
  } catch (e) {
    if (e instanceof PayhilError) throw e;
    throw new HostConfigError(`card fixture '${name}': ${(e as Error).message}`, { cause: e });
  }
  const cvn = card.applications[0]?.cvn;
  const out: IssuerCardData = {
    pan: card.pan,
    psn: card.psn,
    expiry: card.expiry,
    pin: card.pin,
    pinTryLimit: card.pinTryLimit,
  };
  if (card.keys?.imkAc) out.imkAc = card.keys.imkAc;
  if (cvn === 10 || cvn === 18) out.cvn = cvn;
  return out;
}

/**
 * Merges one account entry with its card fixture: values written in the host config win over the card's.
 * `cards` lets tests and callers supply card data without files.
 */
export function resolveAccount(
  cfg: AccountConfig,
  cards: (name: string) => IssuerCardData = (n) => loadCardData(n),
): AccountSpec {
  const card = cfg.card !== undefined ? cards(cfg.card) : undefined;
  const pan = cfg.pan ?? card?.pan;
  if (!pan) throw new HostConfigError(`account needs a card fixture or a pan`);
  const pinTryLimit = cfg.pinTryLimit ?? card?.pinTryLimit ?? 3;
  const spec: AccountSpec = {
    pan,
    pinTryLimit,
    pinTriesLeft: cfg.pinTriesLeft ?? pinTryLimit,
    balance: cfg.balance,
    currency: cfg.currency ?? '156',
    status: cfg.status ?? 'active',
    limits: { ...(cfg.limits ?? {}) },
    risk: cfg.risk ?? [],
  };
  const opt = {
    card: cfg.card,
    psn: cfg.psn ?? card?.psn,
    expiry: cfg.expiry ?? card?.expiry,
    pin: cfg.pin ?? card?.pin,
    imkAc: (cfg.imkAc ?? card?.imkAc)?.toUpperCase(),
    cvn: cfg.cvn ?? card?.cvn,
    regions: cfg.regions,
  };
  for (const [k, v] of Object.entries(opt))
    if (v !== undefined) (spec as unknown as Record<string, unknown>)[k] = v;
  return spec;
}

/** All accounts of a configuration, resolved; a PAN listed twice is a configuration error. */
export function resolveAccounts(config: HostConfig, cards?: (name: string) => IssuerCardData): AccountSpec[] {
  const seen = new Set<string>();
  return config.accounts.map((a, i) => {
    const spec = resolveAccount(a, cards);
    if (seen.has(spec.pan))
      throw new HostConfigError(`accounts[${i}]: PAN ending ${spec.pan.slice(-4)} listed twice`);
    seen.add(spec.pan);
    return spec;
  });
}
