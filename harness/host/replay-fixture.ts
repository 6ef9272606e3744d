/**
 * The replay host fixture (DIR/replay-host.yaml, schema replay.schema.json): request → response pairs
 * recorded by `payhil record`, and the book `payhil host --replay DIR` answers from.
 *
 * A request is matched by MTI, processing code (field 3), amount (field 4) and card — never by STAN,
 * time or RRN, which change on every run. The card is a salted hash of the PAN (the first 16 hex digits
 * of SHA-256(salt ‖ PAN), salt in the file) beside the PAN masked 6+4: the file never holds a clear PAN.
 * Several recorded exchanges with the same key answer in their recorded order; past the last, the last
 * answers again (a terminal that signs in twice gets the second answer, then the second again). A request
 * the host never answered is recorded as `noAnswer`: replayed, it gets no answer either.
 *
 * Only the response fields a host decides are kept (`REPLAYED_FIELDS` leaves out echoes, times, RRN,
 * track data, PIN blocks, working keys, EMV data and MACs): the replay host echoes the new request's
 * fields, takes fresh time and RRN, and computes keys, ARPC and MAC for the session being replayed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { maskPan } from '../common/mask.js';
import { packagePath } from '../common/project-root.js';
import { loadYamlFixture } from '../common/schema-check.js';
import { fromHex, toHex } from '../crypto/index.js';
import { flattenTlv, parseTlv } from '../emv/index.js';
import type { IsoMessage } from '../iso8583/index.js';
import { tracksEncrypted } from '../pos-protocol/index.js';
import { HostConfigError } from './errors.js';

/** The schema every replay fixture is validated against. */
export const REPLAY_SCHEMA = packagePath('harness', 'host', 'replay.schema.json');
/** The fixture's file name inside a recording folder. */
export const REPLAY_FILE = 'replay-host.yaml';

/**
 * Response fields that are NOT replayed: echoes of the request (2, 3, 4, 11, 22, 23, 25, 41, 42, 49, 60),
 * host time (12, 13), RRN (37), track data (35, 36, 45), PIN data (52, 53), EMV data (55: the ARPC
 * belongs to the ARQC of the day), working keys (62) and MACs (64, 128). 14 and 61 carry card or
 * original-transaction data of the day.
 */
const NOT_REPLAYED = new Set([
  2, 3, 4, 11, 12, 13, 14, 22, 23, 25, 35, 36, 37, 41, 42, 45, 49, 52, 53, 55, 60, 61, 62, 64, 96, 128,
]);

/** True for a response field the replay host answers as recorded. */
export function isReplayedField(n: number): boolean {
  return !NOT_REPLAYED.has(n);
}

export interface ReplayCard {
  /** PAN masked 6+4, for people. */
  masked?: string;
  /** First 16 hex digits of SHA-256(salt ‖ PAN). */
  hash: string;
}

export interface ReplayRequestKey {
  mti: string;
  processingCode?: string;
  amount?: string;
  /** Field 22 as recorded (documentation, not matched). */
  entryMode?: string;
  card?: ReplayCard;
}

export interface ReplayExchange {
  request: ReplayRequestKey;
  /** The answer; absent with `noAnswer`. */
  response?: { mti: string; fields: Record<string, string> };
  /** The host never answered (the terminal timed out): the replay host stays silent too. */
  noAnswer?: true;
}

export interface ReplayFixture {
  version: 1;
  dialect: string;
  recorded?: string;
  cardHash: { algorithm: 'sha256-salted-16'; salt: string };
  exchanges: ReplayExchange[];
}

/** A fresh random salt for a new recording (32 hex digits). */
export function newCardSalt(): string {
  return randomBytes(16).toString('hex');
}

/** The card hash of `pan` under `salt`. */
export function cardHash(salt: string, pan: string): string {
  return createHash('sha256')
    .update(salt + pan)
    .digest('hex')
    .slice(0, 16);
}

/**
 * The clear PAN a request carries where it can be read without keys: field 2, else EMV tag 5A of field
 * 55, else track 2 (field 35) when field 53 does not say tracks are encrypted. Undefined otherwise.
 */
export function readablePan(req: IsoMessage): string | undefined {
  if (req.fields[2]) return req.fields[2];
  const f55 = req.fields[55];
  if (f55 !== undefined) {
    try {
      const pan = flattenTlv(parseTlv(fromHex(f55))).get('5A');
      if (pan) return toHex(pan).replace(/F+$/i, '');
    } catch {
      // not TLV: fall through to track 2
    }
  }
  const t2 = req.fields[35];
  if (t2 !== undefined && !tracksEncrypted(req.fields[53])) {
    const m = /^(\d{12,19})[=D]/i.exec(t2);
    if (m) return m[1];
  }
  return undefined;
}

/** The matching key of a request: MTI, field 3, field 4 and the card (hash under `salt`). */
export function requestKey(req: IsoMessage, salt: string, pan: string | undefined): ReplayRequestKey {
  const key: ReplayRequestKey = { mti: req.mti };
  if (req.fields[3] !== undefined) key.processingCode = req.fields[3];
  if (req.fields[4] !== undefined) key.amount = req.fields[4];
  if (req.fields[22] !== undefined) key.entryMode = req.fields[22];
  if (pan !== undefined) key.card = { masked: maskPan(pan), hash: cardHash(salt, pan) };
  return key;
}

/**
 * One recorded exchange from a request and its answer (only the replayed response fields are kept), or
 * a request that never got one (`resp` undefined: `noAnswer`).
 */
export function recordExchange(
  req: IsoMessage,
  resp: IsoMessage | undefined,
  salt: string,
  pan: string | undefined = readablePan(req),
): ReplayExchange {
  if (!resp) return { request: requestKey(req, salt, pan), noAnswer: true };
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(resp.fields))
    if (v !== undefined && isReplayedField(Number(k))) fields[k] = v;
  return { request: requestKey(req, salt, pan), response: { mti: resp.mti, fields } };
}

/** True when the recorded key `k` answers the request key `q` (entry mode is not matched). */
export function keyMatches(k: ReplayRequestKey, q: ReplayRequestKey): boolean {
  return (
    k.mti === q.mti &&
    k.processingCode === q.processingCode &&
    k.amount === q.amount &&
    (k.card?.hash ?? '') === (q.card?.hash ?? '')
  );
}

/** A one-line description of a request key (masked card), for journals and errors. */
export function describeKey(k: ReplayRequestKey): string {
  const parts = [`MTI ${k.mti}`];
  if (k.processingCode !== undefined) parts.push(`processing code ${k.processingCode}`);
  if (k.amount !== undefined) parts.push(`amount ${k.amount}`);
  parts.push(k.card ? `card ${k.card.masked ?? '(masked)'} #${k.card.hash}` : 'no card');
  return parts.join(', ');
}

/**
 * The answers of a fixture, consumed in recorded order per key (see the file comment). `reset()` starts
 * every key over (a scenario's `host: reset`).
 */
export class ReplayBook {
  private readonly used = new Map<number, number>();

  constructor(readonly fixture: ReplayFixture) {}

  get salt(): string {
    return this.fixture.cardHash.salt;
  }

  /** The recorded exchange that answers `key`, or undefined when none was recorded. */
  take(key: ReplayRequestKey): ReplayExchange | undefined {
    const all = this.fixture.exchanges;
    let last = -1;
    for (let i = 0; i < all.length; i++) {
      if (!keyMatches((all[i] as ReplayExchange).request, key)) continue;
      last = i;
      if (!this.used.has(i)) {
        this.used.set(i, 1);
        return all[i];
      }
    }
    return last < 0 ? undefined : all[last];
  }

  reset(): void {
    this.used.clear();
  }
}

/**
 * Reads a replay fixture: a recording folder (its replay-host.yaml) or the file itself, validated
 * against replay.schema.json.
 * @throws HostConfigError when the folder holds no fixture; LocatedError (path:line:col) when invalid.
 */
export function loadReplayFixture(dirOrFile: string): ReplayFixture {
  const file =
    existsSync(dirOrFile) && statSync(dirOrFile).isDirectory() ? join(dirOrFile, REPLAY_FILE) : dirOrFile;
  if (!existsSync(file))
    throw new HostConfigError(`replay: no replay fixture at ${file} (write one with \`payhil record\`)`, {
      file,
    });
  return loadYamlFixture<ReplayFixture>(file, REPLAY_SCHEMA);
}
