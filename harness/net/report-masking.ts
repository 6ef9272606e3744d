/**
 * Masking of report text built from decoded messages (the decoded timeline, failure messages with the
 * closest exchange and the field-by-field difference): PANs are masked by field, not by the look of a
 * digit run, so a merchant id (42, 15 digits) or a MAC written as hex digits (64) shows as sent while
 * field 2, tag 5A inside 55 and track data never show in clear (inside 55, the tag dictionary's list of
 * sensitive tags decides). Free text around the fields still gets
 * {@link maskPansInText}. The values on the timeline are masked at the source already (the spy's
 * journal view); this is the second line, and it is idempotent.
 */
import { isRedacted, maskPan, maskPansInText, redact } from '../common/mask.js';
import { maskTlvHex, tagSensitivity } from '../emv/index.js';
import { fieldTreatment } from '../iso8583/index.js';

/**
 * Fields that never carry cardholder data (ISO 8583:1987 meanings, CUP alike): amounts, times, trace and
 * reference numbers, response and authorisation codes, terminal and merchant ids, currency, the batch
 * fields 60/61 and the MACs. A 15-digit merchant id (42) is therefore not mistaken for a PAN.
 */
const NOT_CARDHOLDER_DATA: ReadonlySet<number> = new Set([
  3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 22, 23, 25, 26, 32, 33, 37, 38, 39, 41, 42, 49, 60, 61, 64, 128,
]);

/** `2`, `55.5A`, `request.42`, `response.60.2` → field number and the rest of the path. */
const PATH = /^(?:(?:request|response)\.)?(\d{1,3})(?:\.(.+))?$/;

/**
 * A value at a field path (`2`, `request.55.5A`, `response.42`) as a report may show it: PAN fields and
 * tag 5A masked to first 6 / last 4, track data, PIN blocks and the other sensitive tags hidden, everything else as
 * sent. A path that is not a field path gets {@link maskPansInText}.
 */
export function maskFieldValue(path: string, value: string): string {
  const m = PATH.exec(path);
  if (!m) return maskPansInText(value);
  const n = Number(m[1]);
  const t = fieldTreatment(undefined, n);
  const sub = m[2];
  if (sub !== undefined && t === 'tlv') {
    const sensitivity = tagSensitivity(sub);
    if (sensitivity === 'pan') {
      const digits = value.replace(/F+$/i, '');
      return maskPan(digits) + value.slice(digits.length);
    }
    if (sensitivity !== undefined) return '*'.repeat(value.length);
    return value;
  }
  switch (t) {
    case 'pan':
      return /\d/.test(value) ? maskPan(value) : value;
    case 'track':
      return isRedacted(value) ? value : redact('track data', value);
    case 'pin':
      return isRedacted(value) ? value : redact('PIN block', value);
    case 'tlv':
      // A clear hex string or one masked at the source ('*' in it): masked by tag either way (idempotent).
      return maskTlvHex(value);
    default:
      // Without the dialect a free-text field (48, 59, 63…) looks like any other: only the fields known
      // to hold no cardholder data are shown as sent, the rest keep the digit-run masking.
      return NOT_CARDHOLDER_DATA.has(n) ? value : maskPansInText(value);
  }
}

/**
 * `field=value` (timeline, closest exchange; a value is one word or a `<… redacted, N hex>` marker) or
 * `"field":"value"` (JSON of fields or of a spec).
 */
const PAIR =
  /(?<![\w.*-])((?:(?:request|response)\.)?\d{1,3}(?:\.[0-9A-Za-z]+)*)=(<[^<>\n]*>|\S*)|"((?:(?:request|response)\.)?\d{1,3}(?:\.[0-9A-Za-z]+)*)":"((?:[^"\\]|\\.)*)"/g;
/** A line of a field-by-field difference: `  response.39: expected = 00, got 51`. */
const MISMATCH = /^(\s*)((?:request|response)\.\d{1,3}(?:\.[0-9A-Za-z]+)*): expected (.*), got (.*)$/;

/** The value after `got` in a difference line, and any text after it. */
const GOT_VALUE = /^(<[^<>\n]*>|\S*)([\s\S]*)$/;

/** Whether the value at a field path may hold cardholder data (a PAN, track data, a PIN block, a key). */
function sensitivePath(path: string): boolean {
  const m = PATH.exec(path);
  if (!m) return true;
  const t = fieldTreatment(undefined, Number(m[1]));
  if (t === 'tlv' && m[2] !== undefined) {
    return tagSensitivity(m[2]) !== undefined;
  }
  return t !== 'plain' && t !== 'mac' && t !== 'free';
}

function maskLine(line: string): string {
  const mm = MISMATCH.exec(line);
  if (mm) {
    const [, indent, path, expected, got] = mm as unknown as [string, string, string, string, string];
    // The expectation is a matcher description: shown as written unless the field may hold cardholder data.
    const exp = sensitivePath(path) ? maskPansInText(expected) : expected;
    // The value is one word (or a `<… redacted>` marker); what follows it is free text.
    const [, value, rest] = GOT_VALUE.exec(got) as unknown as [string, string, string];
    const shown = value === 'absent' ? value : maskFieldValue(path, value);
    return `${indent}${path}: expected ${exp}, got ${shown}${maskPansInText(rest)}`;
  }
  let out = '';
  let last = 0;
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(line); m; m = PAIR.exec(line)) {
    out += maskPansInText(line.slice(last, m.index));
    if (m[1] !== undefined) out += `${m[1]}=${maskFieldValue(m[1], m[2] ?? '')}`;
    else out += `"${m[3]}":"${maskFieldValue(m[3] as string, m[4] ?? '')}"`;
    last = m.index + m[0].length;
  }
  return out + maskPansInText(line.slice(last));
}

/**
 * Report text with PANs masked by field: `N=value` and `"N":"value"` pairs and `path: expected …, got …`
 * difference lines through {@link maskFieldValue}, the text around them through {@link maskPansInText}.
 */
export function maskReportText(text: string): string {
  return text.split('\n').map(maskLine).join('\n');
}
