/**
 * Attachments rendered from a scenario's timeline: the decoded timeline, the masked raw ISO 8583
 * frames, ECR frames, the APDU trace, the receipt, and binary evidence (screenshots, the masked pcap).
 * Everything on the timeline is already masked by the bench (PAN first 6/last 4, PIN blocks, keys and
 * track data redacted). The decoded timeline is masked once more by field (`maskReportText`: field 2,
 * tag 5A, track data; a merchant id or a MAC shows as sent), APDUs by the tag dictionary's list of
 * sensitive tags (an AID in a SELECT in clear, PAN 6/4, track data, cardholder name and ID hidden), free
 * text (receipt, ECR trace) by the look of PAN-like digit runs.
 */
import { maskPansInText } from '../common/mask.js';
// Imported file by file, not through the layers' index files: a run loads only what it uses.
import { textMemo } from '../common/text-memo.js';
import {
  maskApduCommandText as maskCommand,
  maskApduResponseText as maskResponse,
} from '../emv/apdu-masking.js';
import { tagInfo, tagSensitivity } from '../emv/tag-dictionary.js';
import { describeTlv, type TlvDescription } from '../emv/tlv-describe.js';
import { parseTlv } from '../emv/tlv.js';
import { maskFieldValue, maskReportText as maskText } from '../net/report-masking.js';
import type { TimelineEntry } from '../runner/timeline.js';
import type { RunTimeline } from './report-run.js';

// Masking is pure and the same texts come back in every scenario (the same cards answer the same APDUs):
// remembered per process, bounded.
const maskApduCommandText = textMemo(maskCommand);
const maskApduResponseText = textMemo(maskResponse);
const maskReportText = textMemo(maskText);

/** Scenario-relative milliseconds as `+1.170s`, right-aligned in 9 characters. */
function ms(t: number): string {
  const whole = Math.round(t);
  // Integer arithmetic for the usual case (a few times faster than toFixed, the same text).
  const text =
    whole >= 0 && whole < 1e12
      ? `+${Math.floor(whole / 1000)}.${String(whole % 1000).padStart(3, '0')}s`
      : `+${(t / 1000).toFixed(3)}s`;
  return text.padStart(9);
}

/**
 * A host message's line, masked field by field ({@link maskFieldValue}: field 2 and tag 5A 6/4, track
 * data and PIN blocks hidden, a merchant id or a MAC as sent) — the same text `maskReportText` makes of
 * the `N=value` pairs, without scanning the line.
 */
function hostLine(d: Record<string, unknown>): string {
  const f = d.fields as Record<string, unknown> | undefined;
  const pairs = f
    ? Object.keys(f)
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => `${k}=${maskFieldValue(k, String(f[k]))}`)
        .join(' ')
    : '';
  const head = maskPansInText(
    `HOST     ${d.direction === 'request' ? '→' : '←'} ${String(d.mti)} conn ${String(d.conn)} `,
  );
  return `${head}${pairs}${d.fault ? maskPansInText(` [fault: ${String(d.fault)}]`) : ''}`;
}

/** One line per timeline entry (an APDU's masked by tag, a host message's field by field). */
export function describeEntry(e: TimelineEntry): string {
  const d = e.data;
  switch (e.kind) {
    case 'step':
      return `STEP     ${String(d.name)}  (${String(d.at)})`;
    case 'host':
      return hostLine(d);
    case 'display':
      return `DISPLAY  ${((d.lines as string[] | undefined) ?? []).join(' | ')}`;
    case 'state':
      return `STATE    ${String(d.previous)} → ${String(d.state)}`;
    case 'apdu':
      return `APDU     ${String(d.via)} C: ${maskApduCommandText(String(d.command))}  R: ${maskApduResponseText(String(d.response))}`;
    case 'card':
      return `CARD     ${String(d.action)} ${String(d.card)} ${d.maskedPan ? String(d.maskedPan) : ''}`;
    case 'receipt':
      return `RECEIPT  ${String(d.copy)} copy printed`;
    case 'result': {
      const r = d.result as Record<string, unknown>;
      return `RESULT   ${String(r.transaction)} ${String(r.outcome)} ${String(r.messageKey)}${r.responseCode ? ` rc=${String(r.responseCode)}` : ''}`;
    }
    case 'reversal':
      return `REVERSAL ${String(d.status)} stan ${String(d.stan)} reason ${String(d.reason)}`;
    case 'host-error':
      return `LINE     ${String(d.reason)} ${String(d.mti)}: ${String(d.text)}`;
    case 'terminal-message':
      return `TERMINAL ${d.direction === 'sent' ? 'sent' : 'got'} ${String(d.mti)}`;
    case 'network':
      return `NETWORK  ${JSON.stringify(d)}`;
    case 'note':
      return `${d.level === 'warning' ? 'WARNING ' : 'NOTE    '} ${String(d.text)}`;
    case 'operator':
      return `OPERATOR ${String(d.prompt)} → ${String(d.answer)}`;
    case 'ecr-frame':
      return `ECR      ${String(d.text)}`;
    case 'screenshot':
    case 'pcap': {
      const a = d.attachment as { name?: string; body?: Buffer } | undefined;
      return `${e.kind.toUpperCase().padEnd(8)} ${String(a?.name)} (${a?.body?.length ?? 0} B)`;
    }
    case 'raw-frame':
      return `FRAME    ${String(d.direction)} ${String(d.mti)} ${String(d.raw)}`;
    default:
      return `${String(e.kind as string)
        .toUpperCase()
        .padEnd(8)} ${JSON.stringify(d)}`;
  }
}

/**
 * The decoded timeline (raw frames left out: they have their own attachment). Each line carries the
 * scenario-relative time on the bench's clock (`+1.170s`), never a wall-clock stamp: on the simulated
 * embedded bench two runs with one seed give the same bytes (docs/simulated-time.md).
 */
export function timelineText(run: RunTimeline): string {
  let text = '';
  for (const e of run.timeline.entries()) {
    if (e.kind === 'raw-frame' || e.kind === 'terminal-message' || e.kind === 'ecr-frame') continue;
    text += `${ms(e.t)} ${timelineLine(e)}\n`;
  }
  return text || '\n';
}

/** An entry's line on the decoded timeline, masked. */
function timelineLine(e: TimelineEntry): string {
  switch (e.kind) {
    case 'apdu':
    case 'host':
      // Masked by describeEntry: an APDU by tag (digit-run masking would hide the AID of a SELECT), a host
      // message field by field.
      return describeEntry(e);
    case 'step':
      // Nearly every step line is new (its name, its file:line): masked without remembering it.
      return maskText(describeEntry(e));
    default:
      // Display, state, card, result… lines come back scenario after scenario.
      return maskReportText(describeEntry(e));
  }
}

/** Raw ISO 8583 frames (hex, sensitive bytes overwritten by the host journal), or '' when none. */
export function rawFramesText(run: RunTimeline): string {
  const lines = run.timeline
    .entries('raw-frame')
    .map(
      (e) =>
        `${ms(e.t)} ${e.data.direction === 'request' ? '→' : '←'} ${String(e.data.mti)} ${String(e.data.raw)}`,
    );
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Command names by INS (ISO 7816-4 and EMV Book 3), for the trace's headings. */
const APDU_COMMANDS: Readonly<Record<string, string>> = {
  A4: 'SELECT',
  A8: 'GET PROCESSING OPTIONS',
  B2: 'READ RECORD',
  CA: 'GET DATA',
  '20': 'VERIFY',
  '24': 'CHANGE REFERENCE DATA',
  '84': 'GET CHALLENGE',
  '88': 'INTERNAL AUTHENTICATE',
  '82': 'EXTERNAL AUTHENTICATE',
  AE: 'GENERATE AC',
  C0: 'GET RESPONSE',
};

/** Printable ASCII of a hex value, or undefined when it is not all printable. */
function printable(hex: string): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-F]+$/.test(hex)) return undefined;
  const b = Buffer.from(hex, 'hex');
  return [...b].every((c) => c >= 0x20 && c < 0x7f) ? b.toString('latin1') : undefined;
}

/**
 * A card's answer decoded tag by tag, each with its name and value: masked by the tag dictionary's list
 * (`describeTlv` with `mask`: PAN 6/4, track data, cardholder name and ID hidden), alphanumeric
 * elements (an application label 50, a preferred name 9F12, a file name) also as text. Nothing when
 * the answer is not BER-TLV or was redacted at the source.
 */
export function decodedTlvLines(hex: string, indent: string): string[] {
  if (!hex || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return [];
  let nodes: TlvDescription[];
  try {
    nodes = describeTlv(parseTlv(Buffer.from(hex, 'hex')), { mask: true });
  } catch {
    return [];
  }
  const lines: string[] = [];
  const walk = (ns: readonly TlvDescription[], depth: number): void => {
    for (const n of ns) {
      const pad = indent + '  '.repeat(depth);
      if (n.children) {
        lines.push(`${pad}${n.tag}  ${n.name}`);
        walk(n.children, depth + 1);
        continue;
      }
      const info = tagInfo(n.tag);
      const text =
        !tagSensitivity(n.tag) &&
        info &&
        (info.format === 'a' || info.format === 'an' || info.format === 'ans')
          ? printable(n.value)
          : undefined;
      lines.push(`${pad}${n.tag}  ${n.name}: ${n.value}${text !== undefined ? ` "${text}"` : ''}`);
    }
  };
  walk(nodes, 0);
  return lines;
}

/** An answer's decoded lines under the trace's `R:` line, remembered like the masking. */
const decodedAnswer = textMemo((hex) => decodedTlvLines(hex, '     ').join('\n'));

/**
 * The APDU trace, or '' when none: per command its name, the command and the answer as hex masked by
 * the tag dictionary's list of sensitive tags (a second time: the terminal masks at the source), PIN
 * blocks redacted, an AID in clear; then the answer decoded tag by tag (names, labels as text, the same
 * masking) — a SELECT's file name also as text.
 */
export function apduTraceText(run: RunTimeline): string {
  const lines = run.timeline.entries('apdu').map((e) => {
    const command = String(e.data.command);
    const response = String(e.data.response);
    const ins = /^[0-9A-Fa-f]{8}/.test(command) ? command.slice(2, 4).toUpperCase() : '';
    const name = APDU_COMMANDS[ins] ?? (ins ? `INS ${ins}` : 'APDU');
    const out = [`${ms(e.t)} ${String(e.data.via)}  ${name}`, `  C: ${maskApduCommandText(command)}`];
    if (ins === 'A4' && /^[0-9A-Fa-f]{10,}$/.test(command)) {
      const lc = parseInt(command.slice(8, 10), 16);
      const data = command.slice(10, 10 + lc * 2).toUpperCase();
      const text = printable(data);
      if (data) out.push(`     ${text !== undefined ? `file name "${text}"` : `AID ${data}`}`);
    }
    out.push(`  R: ${maskApduResponseText(response)}`);
    if (/^[0-9A-Fa-f]{4,}$/.test(response)) {
      const decoded = decodedAnswer(response.slice(0, -4));
      if (decoded) out.push(decoded);
    }
    return out.join('\n');
  });
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The last receipt printed (merchant copy preferred), or ''. */
export function receiptText(run: RunTimeline): string {
  const rs = run.timeline.entries('receipt');
  const merchant = rs.filter((e) => e.data.copy === 'merchant');
  const last = (merchant.length ? merchant : rs)[(merchant.length ? merchant : rs).length - 1];
  return last ? maskPansInText(String(last.data.text)) : '';
}

/** ECR link frames (one line each, PANs masked), or '' when the ECR trace was off. */
export function ecrFramesText(run: RunTimeline): string {
  const lines = run.timeline.entries('ecr-frame').map((e) => `${ms(e.t)} ${String(e.data.text)}`);
  return lines.length ? maskPansInText(lines.join('\n')) + '\n' : '';
}

/** An attachment's bytes as a Buffer (a Buffer arrives from another thread as a Uint8Array), or undefined. */
function bytesOf(body: unknown): Buffer | undefined {
  if (Buffer.isBuffer(body)) return body;
  return body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined;
}

/** The screenshots of the timeline with the time each was taken (epoch ms), oldest first. */
export function timedScreenshots(run: RunTimeline): { at: number; name: string; body: Buffer }[] {
  const out: { at: number; name: string; body: Buffer }[] = [];
  for (const e of run.timeline.entries('screenshot')) {
    const a = e.data.attachment as { name?: unknown; body?: unknown } | undefined;
    const body = bytesOf(a?.body);
    if (a && body && typeof a.name === 'string') out.push({ at: e.at, name: a.name, body });
  }
  return out;
}

/** Binary evidence on the timeline (`screenshot`, `pcap`): name, MIME type and bytes, oldest first. */
export function binaryAttachments(
  run: RunTimeline,
  kind: 'screenshot' | 'pcap',
): { name: string; contentType: string; body: Buffer }[] {
  const out: { name: string; contentType: string; body: Buffer }[] = [];
  for (const e of run.timeline.entries(kind)) {
    const a = e.data.attachment as { name?: unknown; contentType?: unknown; body?: unknown } | undefined;
    const body = bytesOf(a?.body);
    if (a && body && typeof a.name === 'string' && typeof a.contentType === 'string')
      out.push({ name: a.name, contentType: a.contentType, body });
  }
  return out;
}
