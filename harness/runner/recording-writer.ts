/**
 * Writes a recorded session (`payhil record`) into its folder: DIR/scenario.yaml (recorded-scenario.ts)
 * and DIR/replay-host.yaml (the replay host fixture, host/replay-fixture.ts).
 *
 * Cards: the clear PAN of each request (field 2, EMV tag 5A, a clear track 2) is read in memory only,
 * to find the card fixture with that PAN (a bundled TEST card, or `cardFixture` for every PAN no bundled
 * fixture has) and to hash it. Neither file holds a clear PAN, track, PIN block, key or MAC value: the
 * fixture keeps the PAN masked 6+4 and salted-hashed, the scenario names card fixtures. A PAN mapped to
 * `cardFixture` is hashed as the fixture's PAN, so the replay host recognises the card the scenario
 * presents.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { listBundledCards, loadCardFixture } from '../cards/index.js';
import { maskPan } from '../common/mask.js';
import { REPLAY_FILE, newCardSalt, readablePan, recordExchange, type ReplayFixture } from '../host/index.js';
import type { IsoMessage } from '../iso8583/index.js';
import { scenarioSchemaPath } from '../scenario/index.js';
import { recordedScenario, type ObservedExchange, type RecordedCard } from './recorded-scenario.js';

export const SCENARIO_FILE = 'scenario.yaml';

export interface RecordingOptions {
  /** Scenario id. */
  id: string;
  dialect: string;
  /** Card fixture for every PAN no bundled card fixture has (a real card of a field incident). */
  cardFixture?: string;
  /** Salt of the card hashes (default: fresh random). */
  salt?: string;
  /** What the description says was recorded (e.g. `127.0.0.1:6000 → 10.0.0.5:5000`). */
  source?: string;
  /** Recording time (default now). */
  at?: Date;
  /** The `within` of each host expectation (default 30s). */
  within?: string;
}

export interface RecordingResult {
  scenarioFile: string;
  replayFile: string;
  /** Exchanges written to each file. */
  replayed: number;
  expected: number;
  /** Exchanges left out of the scenario, with the reason (masked). */
  skipped: string[];
}

/**
 * The document with every mapping as a Map whose `mti` comes first (plain objects list integer-like keys
 * such as '39' before 'mti'), so the YAML reads as a message does.
 */
function mtiFirst(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(mtiFirst);
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v as Record<string, unknown>);
  const m = new Map<string, unknown>();
  for (const [k, x] of entries) if (k === 'mti') m.set(k, mtiFirst(x));
  for (const [k, x] of entries) if (k !== 'mti') m.set(k, mtiFirst(x));
  return m;
}

/** Card fixtures by PAN (the bundled ones), loaded once. */
function bundledByPan(): Map<string, { name: string; pin?: string | undefined }> {
  const out = new Map<string, { name: string; pin?: string | undefined }>();
  for (const name of listBundledCards()) {
    try {
      const f = loadCardFixture(name);
      if (!out.has(f.pan)) out.set(f.pan, { name, pin: f.pin });
    } catch {
      // a fixture that does not load is no candidate
    }
  }
  return out;
}

/** Writes DIR/scenario.yaml and DIR/replay-host.yaml; returns what went where. */
export function writeRecording(
  dir: string,
  exchanges: readonly ObservedExchange[],
  o: RecordingOptions,
): RecordingResult {
  const salt = o.salt ?? newCardSalt();
  const byPan = bundledByPan();
  const fallback = o.cardFixture ? loadCardFixture(o.cardFixture) : undefined;
  const cards: (RecordedCard & { pan: string })[] = [];
  const cardOfIndex: (RecordedCard | undefined)[] = [];
  const panOfIndex: (string | undefined)[] = [];
  exchanges.forEach((x, i) => {
    const pan = readablePan(x.request);
    if (pan === undefined) return;
    const known = byPan.get(pan);
    const card = known
      ? { alias: known.name, fixture: known.name, pin: known.pin, pan }
      : fallback && o.cardFixture
        ? { alias: fallback.name ?? 'card', fixture: o.cardFixture, pin: fallback.pin, pan: fallback.pan }
        : undefined;
    if (card && !cards.some((c) => c.alias === card.alias)) cards.push(card);
    cardOfIndex[i] = card;
    // the PAN the replay host will see: the fixture's when the scenario presents a stand-in card
    panOfIndex[i] = card ? card.pan : pan;
  });
  const at = o.at ?? new Date();
  const { doc, skipped } = recordedScenario(exchanges, {
    id: o.id,
    title: `Recorded session ${o.id}`,
    description:
      `Recorded by payhil record${o.source ? ` (${o.source})` : ''} on ${at.toISOString()}: ` +
      `${exchanges.length} exchanges. Runs against the replay host of this folder (host.replay).`,
    cardOf: (i) => cardOfIndex[i],
    ...(o.within ? { within: o.within } : {}),
  });
  const skippedText = skipped.map(({ index, reason }) => {
    const r = exchanges[index]?.request as IsoMessage;
    const pan = readablePan(r);
    return `#${index + 1} ${r.mti}${r.fields[3] ? ` ${r.fields[3]}` : ''}${pan ? ` card ${maskPan(pan)}` : ''}: ${reason}`;
  });
  if (skippedText.length > 0)
    doc.description = `${String(doc.description)} Left out (no step drives them): ${skippedText.join('; ')}.`;

  const fixture: ReplayFixture = {
    version: 1,
    dialect: o.dialect,
    recorded: at.toISOString(),
    cardHash: { algorithm: 'sha256-salted-16', salt },
    exchanges: exchanges.map((x, i) => recordExchange(x.request, x.response, salt, panOfIndex[i])),
  };

  mkdirSync(dir, { recursive: true });
  const scenarioFile = join(dir, SCENARIO_FILE);
  const replayFile = join(dir, REPLAY_FILE);
  const schema = relative(dir, scenarioSchemaPath()).split('\\').join('/');
  writeFileSync(
    scenarioFile,
    `# yaml-language-server: $schema=${schema}\n` +
      '# Written by `payhil record` (docs/record-replay.md). Card fixtures are TEST cards; no clear PAN,\n' +
      '# track, PIN block or key is in this file. Run it: payhil run ' +
      SCENARIO_FILE +
      '\n' +
      stringify(mtiFirst(doc), { lineWidth: 0 }),
  );
  writeFileSync(
    replayFile,
    '# Replay host fixture written by `payhil record`: `payhil host --replay DIR` answers from it.\n' +
      '# Matched by MTI, processing code, amount and card (salted hash, PAN masked); never by STAN.\n' +
      stringify(mtiFirst(fixture), { lineWidth: 0 }),
  );
  const steps = doc.steps as unknown[];
  return {
    scenarioFile,
    replayFile,
    replayed: fixture.exchanges.length,
    expected: steps.filter((s) => typeof s === 'object' && s !== null && 'expect' in s).length,
    skipped: skippedText,
  };
}
