/**
 * The bytes a message MAC covers. For the CUP POS MAC (and the usual ISO 8583 practice) that is the
 * body from the MTI up to the end of the last field before the MAC field, with the bitmap as it will
 * be sent, i.e. with the MAC field's bit set. The MAC field is 64, or 128 when the message uses the
 * secondary bitmap. Length prefix, TPDU and header are not covered.
 */
import { dataBytes } from './field-codec.js';
import { DialectError } from './errors.js';
import { encodeMessage, type IsoMessage } from './message-codec.js';
import type { Dialect } from './dialect-types.js';

/** Which field carries the MAC for this message (64, or 128 with a secondary bitmap). */
export function macField(msg: IsoMessage): 64 | 128 {
  for (const key in msg.fields) {
    const f = +key;
    if (f > 64 && f !== 128 && msg.fields[f] !== undefined) return 128;
  }
  return msg.fields[128] !== undefined ? 128 : 64;
}

/**
 * MTI through the field before the MAC, as encoded in the dialect, with the MAC bit set (a placeholder
 * MAC is used when the message has none yet).
 * @throws EncodeError when the message cannot be encoded; DialectError when the MAC field is not fixed-length.
 */
export function macInput(d: Dialect, msg: IsoMessage): Buffer {
  const mf = macField(msg);
  const spec = d.fields[mf];
  if (!spec || spec.kind !== 'fixed')
    throw new DialectError(d.name, `field ${mf} must be a fixed-length MAC field`);
  const placeholder = spec.type === 'b' ? '00'.repeat(spec.length) : '0'.repeat(spec.length);
  const fields = msg.fields[mf] !== undefined ? msg.fields : { ...msg.fields, [mf]: placeholder };
  const body = encodeMessage(d, { mti: msg.mti, fields });
  return body.subarray(0, body.length - dataBytes(spec, spec.length));
}
