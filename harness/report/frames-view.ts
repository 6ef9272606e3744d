/**
 * The "ISO 8583 frames (masked)" attachment: per message of the scenario's host traffic, a table of its
 * decoded fields (number, name from the dialect, value masked for reports; field 55 split into its EMV
 * tags with their names) and beside it the hex dump of the frame as the host journal kept it (sensitive
 * bytes already overwritten there). A self-contained HTML page (no script, no external resource), and
 * the same as plain text for the evidence bundle and terminals.
 *
 * Masking: the values go through `maskFields` (the dialect's sensitive markers: PAN 6/4, track, PIN
 * block, keys hidden; TLV by the tag dictionary) and each tag of 55 through `maskValue`; the hex is the
 * journal's masked frame. A frame that does not decode is shown as hex with the reason.
 */
// Imported file by file, not through the layers' index files: a run loads only what it uses.
import { describeTlv, type TlvDescription } from '../emv/tlv-describe.js';
import { parseTlv } from '../emv/tlv.js';
import { BUNDLED_DIALECTS, loadDialect } from '../iso8583/dialect-loader.js';
import type { Dialect } from '../iso8583/dialect-types.js';
import { maskFields } from '../iso8583/frame-masking.js';
import { decodeFrame } from '../iso8583/message-codec.js';
import { maskReportText } from '../net/report-masking.js';
import type { RunTimeline } from './report-run.js';

/** One row of a message's table: a field or (indented) a tag of a TLV field. */
export interface FrameRow {
  /** `2`, `55`, `55.9F26`. */
  field: string;
  name: string;
  value: string;
}

/** A message of the scenario, decoded and masked. */
export interface FrameView {
  /** Milliseconds since the scenario's start. */
  t: number;
  direction: 'request' | 'response';
  mti: string;
  conn?: number;
  /** Decoded rows, empty when the frame did not decode. */
  rows: FrameRow[];
  /** Why the frame did not decode. */
  error?: string;
  /** The masked frame's bytes. */
  bytes: Buffer;
}

const dialectCache = new Map<string, Dialect | undefined>();

function dialectNamed(name: string): Dialect | undefined {
  if (!dialectCache.has(name)) {
    try {
      dialectCache.set(name, loadDialect(name));
    } catch {
      dialectCache.set(name, undefined);
    }
  }
  return dialectCache.get(name);
}

/** The frame decoded with its dialect, else the first bundled dialect that decodes it to the same MTI. */
function decodeWith(
  bytes: Buffer,
  named: string | undefined,
  mti: string,
): { dialect: Dialect; fields: Record<number, string> } | { error: string } {
  const names = named ? [named] : ['cup', ...BUNDLED_DIALECTS.filter((n) => n !== 'cup')];
  let error = 'no dialect';
  for (const n of names) {
    const d = dialectNamed(n);
    if (!d) continue;
    try {
      const f = decodeFrame(d, bytes);
      if (!named && mti && f.mti !== mti) continue;
      return { dialect: d, fields: f.fields };
    } catch (e) {
      error = (e as Error).message;
    }
  }
  return { error: maskReportText(error) };
}

function tlvRows(prefix: string, nodes: readonly TlvDescription[]): FrameRow[] {
  const rows: FrameRow[] = [];
  for (const n of nodes) {
    rows.push({ field: `${prefix}.${n.tag}`, name: n.name, value: n.children ? '' : n.value });
    if (n.children) rows.push(...tlvRows(`${prefix}.${n.tag}`, n.children));
  }
  return rows;
}

/** The rows of a decoded message: fields in number order, the tags of a TLV field after it. */
export function frameRows(d: Dialect, fields: Readonly<Record<number, string>>): FrameRow[] {
  const masked = maskFields(d, fields);
  const rows: FrameRow[] = [];
  for (const n of Object.keys(fields)
    .map(Number)
    .sort((a, b) => a - b)) {
    const spec = d.fields[n];
    rows.push({ field: String(n), name: spec?.name ?? '', value: masked[n] ?? '' });
    if (spec?.content === 'tlv') {
      try {
        // Tags described from the clear value and masked tag by tag (maskValue by the tag dictionary).
        rows.push(
          ...tlvRows(String(n), describeTlv(parseTlv(Buffer.from(fields[n] ?? '', 'hex')), { mask: true })),
        );
      } catch {
        // Not BER-TLV: the field's row (masked as a whole) is all there is.
      }
    }
  }
  return rows;
}

/** The scenario's ISO 8583 messages, decoded and masked, in time order. */
export function frameViews(run: RunTimeline): FrameView[] {
  return run.timeline.entries('raw-frame').map((e) => {
    const raw = String(e.data.raw ?? '');
    const bytes =
      raw.length % 2 === 0 && /^[0-9A-Fa-f]*$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.alloc(0);
    const mti = String(e.data.mti ?? '');
    const decoded = decodeWith(bytes, typeof e.data.dialect === 'string' ? e.data.dialect : undefined, mti);
    return {
      t: e.t,
      direction: e.data.direction === 'response' ? 'response' : 'request',
      mti,
      ...(typeof e.data.conn === 'number' ? { conn: e.data.conn } : {}),
      rows: 'fields' in decoded ? frameRows(decoded.dialect, decoded.fields) : [],
      ...('error' in decoded ? { error: decoded.error } : {}),
      bytes,
    };
  });
}

const HTML_SPECIAL = /[&<>"']/;

export function htmlEscape(text: string): string {
  if (!HTML_SPECIAL.test(text)) return text;
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));
const PRINTABLE = Array.from({ length: 256 }, (_, b) =>
  b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.',
);
const PRINTABLE_HTML = PRINTABLE.map((c) => htmlEscape(c));

function dump(bytes: Uint8Array, printable: readonly string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    let hex = '';
    let ascii = '';
    for (let k = 0; k < 16 && i + k < bytes.length; k++) {
      const b = bytes[i + k] as number;
      hex += (k === 0 ? '' : k === 8 ? '  ' : ' ') + (HEX[b] as string);
      ascii += printable[b] as string;
    }
    lines.push(`${i.toString(16).padStart(4, '0')}  ${hex.padEnd(49)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** A classic hex dump: offset, 16 bytes in hex, the printable ASCII. */
export function hexDump(bytes: Uint8Array): string {
  return dump(bytes, PRINTABLE);
}

function secs(t: number): string {
  return `+${(t / 1000).toFixed(3)} s`;
}

function title(v: FrameView): string {
  return `${secs(v.t)}  ${v.direction === 'request' ? '→ request' : '← response'} ${v.mti}${v.conn !== undefined ? ` (connection ${v.conn})` : ''}, ${v.bytes.length} bytes`;
}

/** Field names come from a few dialects: escaped once each. */
const escapedNames = new Map<string, string>();

function nameHtml(name: string): string {
  let html = escapedNames.get(name);
  if (html === undefined) {
    html = htmlEscape(name);
    if (escapedNames.size < 4096) escapedNames.set(name, html);
  }
  return html;
}

/** The HTML page, or '' when the scenario had no ISO 8583 traffic. */
export function framesHtml(run: RunTimeline): string {
  const views = frameViews(run);
  if (views.length === 0) return '';
  const parts = views.map((v) => {
    let rows = '';
    for (const r of v.rows)
      rows += `<tr${r.field.includes('.') ? ' class="tag"' : ''}><td>${htmlEscape(r.field)}</td><td>${nameHtml(r.name)}</td><td>${htmlEscape(r.value)}</td></tr>`;
    const table = v.error
      ? `<p class="err">does not decode: ${htmlEscape(v.error)}</p>`
      : `<table><thead><tr><th>field</th><th>name</th><th>value (masked)</th></tr></thead><tbody>${rows}</tbody></table>`;
    return `<section><h2>${htmlEscape(title(v))}</h2><div class="pair"><div>${table}</div><pre>${dump(v.bytes, PRINTABLE_HTML)}</pre></div></section>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>ISO 8583 frames (masked)</title><style>
body{font:13px system-ui,sans-serif;margin:8px;color:#222}
h2{font-size:13px;margin:14px 0 4px;font-weight:600}
.pair{display:flex;gap:16px;align-items:flex-start}
.pair>div{flex:0 1 auto;min-width:0}
pre{flex:none}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
td:first-child,td:last-child,pre{font-family:ui-monospace,monospace}
td:last-child{word-break:break-all;max-width:36em}
td:nth-child(2){min-width:16em}
tr.tag td:first-child{padding-left:18px;color:#555}
pre{margin:0;background:#f6f6f6;padding:6px;font-size:12px}
.err{color:#a00}
</style></head><body>${parts.join('\n')}</body></html>
`;
}

/** The same as text: per message its title, the table, then the hex dump; '' when none. */
export function framesText(run: RunTimeline): string {
  const views = frameViews(run);
  if (views.length === 0) return '';
  return (
    views
      .map((v) => {
        const fw = Math.max(5, ...v.rows.map((r) => r.field.length));
        const nw = Math.max(4, ...v.rows.map((r) => r.name.length));
        const table = v.error
          ? `  does not decode: ${v.error}`
          : v.rows.map((r) => `  ${r.field.padEnd(fw)}  ${r.name.padEnd(nw)}  ${r.value}`).join('\n');
        return `${title(v)}\n${table}\n${hexDump(v.bytes)
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}`;
      })
      .join('\n\n') + '\n'
  );
}
