/**
 * The card dialogue as `expect apdu` sees it: the `apdu` observations of the timeline (hex as the terminal
 * traced it, PIN blocks redacted, PAN and track data masked) decoded into fields a matcher can address:
 * `command` (the command's name), `via`, `cla`, `ins`, `p1`, `p2`, `data`, `sw`, `response`, and
 * `data.<TAG>` (a value the terminal filled into the command's DOL data) / `response.<TAG>` (a tag of the
 * card's answer).
 */
import { findTag, parseTlv, splitDolData, type Tlv } from '../emv/index.js';
import type { Timeline } from './timeline.js';

/** Command names by INS (ISO 7816-4 and EMV Book 3). */
const COMMAND_NAMES: Readonly<Record<string, string>> = {
  A4: 'SELECT',
  A8: 'GET PROCESSING OPTIONS',
  B2: 'READ RECORD',
  CA: 'GET DATA',
  '20': 'VERIFY',
  '84': 'GET CHALLENGE',
  '88': 'INTERNAL AUTHENTICATE',
  '82': 'EXTERNAL AUTHENTICATE',
  AE: 'GENERATE AC',
  C0: 'GET RESPONSE',
};

/** One command to the card and its answer. */
export interface ApduView {
  /** Timeline sequence number. */
  seq: number;
  /** Field name → value (hex text upper case, or a name). */
  fields: Record<string, string>;
}

const HEX = /^[0-9A-F]*$/;

function tlvOf(hex: string): Tlv[] | undefined {
  if (!hex || hex.length % 2 !== 0 || !HEX.test(hex)) return undefined;
  try {
    return parseTlv(Buffer.from(hex, 'hex'));
  } catch {
    return undefined;
  }
}

/** Every tag of a TLV tree (first occurrence), as `prefix.TAG` → value hex. */
function addTags(out: Record<string, string>, prefix: string, nodes: readonly Tlv[]): void {
  for (const n of nodes) {
    const key = `${prefix}.${n.tag}`;
    if (out[key] === undefined) out[key] = n.value.toString('hex').toUpperCase();
    if (n.children) addTags(out, prefix, n.children);
  }
}

/**
 * The APDUs of the timeline from sequence `from` on, decoded. DOLs (PDOL 9F38 from a SELECT answer,
 * CDOL1 8C / CDOL2 8D from records) are read from the whole timeline up to each command.
 */
export function apduViews(timeline: Timeline, from: number): ApduView[] {
  const out: ApduView[] = [];
  const dols: Dols = { genAcs: 0 };
  let waiting: ApduView | undefined;
  for (const e of timeline.entries('apdu')) {
    const view = decode(e.seq, String(e.data.command ?? ''), String(e.data.response ?? ''), e.data.via);
    // T=0: a command answered 61xx gets its answer by GET RESPONSE; it counts as that command's answer.
    if (view.fields.command === 'GET RESPONSE' && waiting) {
      waiting.fields.sw = view.fields.sw as string;
      waiting.fields.response = view.fields.response as string;
      answered(waiting, dols);
      waiting = undefined;
    } else {
      fillDol(view, dols);
      waiting = view.fields.sw?.startsWith('61') ? view : undefined;
      if (!waiting) answered(view, dols);
    }
    if (e.seq >= from) out.push(view);
  }
  return out;
}

/** DOLs the card gave so far (PDOL from the selected application, CDOL1/2 from its records). */
interface Dols {
  pdol?: Buffer;
  cdol1?: Buffer;
  cdol2?: Buffer;
  genAcs: number;
}

function decode(seq: number, commandText: string, answerText: string, via: unknown): ApduView {
  const command = commandText.toUpperCase();
  const answer = answerText.toUpperCase();
  const hexPart = command.match(/^[0-9A-F]*/)?.[0] ?? '';
  const ins = hexPart.slice(2, 4);
  const f: Record<string, string> = {
    command: COMMAND_NAMES[ins] ?? 'UNKNOWN',
    via: String(via ?? ''),
    cla: hexPart.slice(0, 2),
    ins,
    p1: hexPart.slice(4, 6),
    p2: hexPart.slice(6, 8),
    sw: answer.slice(-4),
    response: answer.slice(0, -4),
  };
  // Case 3/4 commands: Lc then the data; a redacted PIN block stays as the trace shows it.
  if (command.length > hexPart.length) f.data = commandText.slice(10);
  else if (hexPart.length > 10) {
    const lc = parseInt(hexPart.slice(8, 10), 16);
    f.data = hexPart.slice(10, 10 + lc * 2);
  } else f.data = '';
  return { seq, fields: f };
}

/** The values the terminal filled into the command's DOL data (GPO: PDOL; GENERATE AC: CDOL1, CDOL2). */
function fillDol(view: ApduView, dols: Dols): void {
  const f = view.fields;
  let dol: Buffer | undefined;
  let dolData = f.data ?? '';
  if (f.command === 'GET PROCESSING OPTIONS') {
    dol = dols.pdol;
    const t = tlvOf(dolData);
    const v = t ? findTag(t, '83') : undefined;
    dolData = v ? v.value.toString('hex').toUpperCase() : '';
  } else if (f.command === 'GENERATE AC') dol = dols.genAcs++ === 0 ? dols.cdol1 : dols.cdol2;
  if (!dol || !dolData || !HEX.test(dolData)) return;
  try {
    for (const { tag, value } of splitDolData(dol, Buffer.from(dolData, 'hex')))
      f[`data.${tag}`] = value.toString('hex').toUpperCase();
  } catch {
    // data that does not fit the DOL: only `data` is offered
  }
}

/** The card's answer is known: its tags, and the DOLs it gives for the commands that follow. */
function answered(view: ApduView, dols: Dols): void {
  const f = view.fields;
  const resp = tlvOf(f.response ?? '');
  if (!resp) return;
  addTags(f, 'response', resp);
  if (f.sw !== '9000') return;
  if (f.command === 'SELECT') {
    dols.pdol = findTag(resp, '9F38')?.value;
    dols.cdol1 = dols.cdol2 = undefined;
    dols.genAcs = 0;
  }
  dols.cdol1 = findTag(resp, '8C')?.value ?? dols.cdol1;
  dols.cdol2 = findTag(resp, '8D')?.value ?? dols.cdol2;
}

/** A short line for a failure text: the command's name, its P1/P2 and the status word. */
export function describeApdu(a: ApduView): string {
  const f = a.fields;
  return `${f.command} (${f.cla}${f.ins} ${f.p1}${f.p2}${f.data ? ` data ${f.data}` : ''}) → ${f.sw}`;
}
