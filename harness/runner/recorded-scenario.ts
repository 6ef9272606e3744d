/**
 * The scenario `payhil record` writes (DIR/scenario.yaml): the observed exchanges as expectations, in
 * order, and the steps that drive a terminal to produce them again.
 *
 * Expectations keep what a regression is about: MTI, processing code (3), entry mode (22), amount (4),
 * the presence of PIN block (52), EMV data (55) and MAC (64) in the request, and the answer's MTI and
 * response code (39). Volatile values — STAN (11), times (12, 13), RRN (37), MAC values — are left out.
 *
 * Driving steps cannot be seen on the wire; they are inferred from the messages (docs/record-replay.md):
 * 0800 → `signIn`; 0200 `00xxxx` → `purchase {amount}`, 0200 `31xxxx` → `balance`, 0500 → `settle`,
 * each card transaction presenting the recorded card as field 22 says (05x insert, 07x tap, 02x swipe)
 * and entering the card fixture's PIN when the request carried a PIN (52, or 22 ending in 1). Messages
 * the terminal sends by itself (0400/0420 reversals, 0320 batch upload) are expected after the step
 * they follow; a request that got no answer is expected without one. Exchanges no step can drive (void,
 * refund, pre-authorisation, withdrawal…) and echo tests (0820, on the terminal's timer) are left out
 * and listed in `skipped` so the caller can say so.
 */
import type { IsoMessage } from '../iso8583/index.js';

/** A request and the answer the host gave it (none when it never came). */
export interface ObservedExchange {
  request: IsoMessage;
  response?: IsoMessage | undefined;
}

/** A card the session used: its scenario alias, fixture, and PIN (TEST data from the fixture). */
export interface RecordedCard {
  alias: string;
  fixture: string;
  pin?: string | undefined;
}

export interface RecordedScenarioOptions {
  id: string;
  title?: string;
  /** Text for `description` (who recorded what, when). */
  description?: string;
  /** The card of an exchange (by index), when it carried one the recorder could read. */
  cardOf: (index: number) => RecordedCard | undefined;
  /** `host.replay` of the scenario: the recording folder relative to the scenario file. Default '.'. */
  replay?: string;
  /** The `within` of each host expectation (a duration such as '30s'). Default '30s'. */
  within?: string;
}

export interface RecordedScenario {
  /** The scenario document (plain data, ready for YAML); its `steps` may be empty (nothing drivable). */
  doc: Record<string, unknown>;
  /** Exchanges (index, reason) left out of the scenario. */
  skipped: { index: number; reason: string }[];
}

type Step = Record<string, unknown>;

/** Terminal-initiated requests: expected where they fall, driven by no step. */
const FOLLOW_UPS = new Set(['0400', '0420', '0320', '0220']);

/** Minor units (field 4) → an amount in major units, as the scenario language writes it ('12.50'). */
export function majorAmount(field4: string): string {
  const minor = Number(field4);
  return (minor / 100).toFixed(2);
}

/** The request matcher of an exchange: the fields a regression is about, no volatile value. */
export function requestExpectation(req: IsoMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { mti: req.mti };
  for (const n of [3, 22, 4]) {
    const v = req.fields[n];
    if (v !== undefined) out[String(n)] = v;
  }
  if (req.mti.startsWith('02') || req.mti.startsWith('01') || req.mti.startsWith('04'))
    for (const n of [52, 55, 64])
      out[String(n)] = req.fields[n] !== undefined ? { exists: true } : { absent: true };
  return out;
}

/** The response matcher of an exchange: its MTI and response code; absent when no answer came. */
export function responseExpectation(resp: IsoMessage | undefined): Record<string, unknown> | undefined {
  if (!resp) return undefined;
  const out: Record<string, unknown> = { mti: resp.mti };
  if (resp.fields[39] !== undefined) out['39'] = resp.fields[39];
  return out;
}

function expectStep(x: ObservedExchange, within: string): Step {
  const host: Record<string, unknown> = { request: requestExpectation(x.request) };
  const response = responseExpectation(x.response);
  if (response) host.response = response;
  return { expect: { host, within } };
}

/** The card presentation field 22 says (entry mode 05x insert, 07x tap, 02x swipe). */
function presentation(entryMode: string | undefined): 'insert' | 'tap' | 'swipe' | undefined {
  const mode = entryMode?.slice(0, 2);
  if (mode === '05') return 'insert';
  if (mode === '07') return 'tap';
  if (mode === '02') return 'swipe';
  return undefined;
}

function pinEntered(req: IsoMessage): boolean {
  return req.fields[52] !== undefined || req.fields[22]?.[2] === '1';
}

/** The driving steps of a card transaction (operation, card, PIN), or a reason it cannot be driven. */
function cardTransaction(op: Step, x: ObservedExchange, card: RecordedCard | undefined): Step[] | string {
  const how = presentation(x.request.fields[22]);
  if (!how) return `entry mode '${x.request.fields[22] ?? '(none)'}' is not an insert, tap or swipe`;
  if (!card) return 'the card is not known (no readable PAN, or no card fixture with that PAN: use --card)';
  const steps: Step[] = [op, { [how]: { card: card.alias } }];
  if (pinEntered(x.request)) {
    if (card.pin === undefined) return `a PIN was entered and card fixture '${card.fixture}' has no PIN`;
    steps.push({ enterPin: { pin: card.pin } });
  }
  return steps;
}

/** Builds the scenario of a recorded session (see the file comment). */
export function recordedScenario(
  exchanges: readonly ObservedExchange[],
  o: RecordedScenarioOptions,
): RecordedScenario {
  const steps: Step[] = [];
  const skipped: { index: number; reason: string }[] = [];
  const cards: Record<string, string> = {};
  const requires = new Set<string>(['host']);
  const NEEDS: Record<string, string> = {
    insert: 'chip',
    tap: 'contactless',
    swipe: 'magstripe',
    enterPin: 'pinpad',
  };
  let inserted = false;
  const removeCard = (): void => {
    if (inserted) steps.push({ remove: null });
    inserted = false;
  };
  exchanges.forEach((x, i) => {
    const req = x.request;
    const proc = req.fields[3] ?? '';
    let drive: Step[] | string | undefined;
    if (req.mti === '0820') drive = "an echo test (0820) comes from the terminal's timer, not from a step";
    else if (FOLLOW_UPS.has(req.mti)) drive = [];
    else if (req.mti === '0800') drive = [{ signIn: null }];
    else if (req.mti === '0500') drive = [{ settle: null }];
    else if (req.mti === '0200' && proc.startsWith('00') && req.fields[25] !== '06') {
      if (req.fields[4] === undefined) drive = 'a purchase without an amount (field 4)';
      else drive = cardTransaction({ purchase: { amount: majorAmount(req.fields[4]) } }, x, o.cardOf(i));
    } else if (req.mti === '0200' && proc.startsWith('31'))
      drive = cardTransaction({ balance: null }, x, o.cardOf(i));
    else
      drive = `no step drives ${req.mti} with processing code '${proc}' (only sign-in, purchase, balance, settlement)`;
    if (typeof drive === 'string') {
      skipped.push({ index: i, reason: drive });
      return;
    }
    if (drive.length > 0) removeCard();
    steps.push(...drive);
    for (const st of drive) for (const k of Object.keys(st)) if (NEEDS[k]) requires.add(NEEDS[k]);
    const card = o.cardOf(i);
    if (drive.length > 0 && card) {
      cards[card.alias] = card.fixture;
      if (presentation(req.fields[22]) === 'insert') inserted = true;
    }
    steps.push(expectStep(x, o.within ?? '30s'));
  });
  removeCard();
  const doc: Record<string, unknown> = {
    id: o.id,
    title: o.title ?? `Recorded session ${o.id}`,
    ...(o.description ? { description: o.description } : {}),
    tags: ['recorded'],
    requires: [...requires],
    ...(Object.keys(cards).length > 0 ? { cards } : {}),
    host: { replay: o.replay ?? '.' },
    steps,
    finally: [{ remove: null }],
  };
  return { doc, skipped };
}
