/**
 * Field 61 (CUP 原始信息域, n..29): the original a void, refund or completion refers to —
 * 61.1 original batch n6 ‖ 61.2 original STAN n6 ‖ 61.3 original date MMDD n4 (optional) ‖ further
 * subfields the simulator does not use.
 */

/** The original transaction as field 61 names it. */
export interface OriginalData {
  batch: string;
  stan: string;
  /** MMDD. */
  date?: string;
}

/** Field 61 for an original. */
export function field61(o: OriginalData): string {
  return o.batch + o.stan + (o.date ?? '');
}

/** 61.1 and 61.2 (and 61.3 when present), or undefined when the field is shorter than 12 digits. */
export function readField61(field: string | undefined): OriginalData | undefined {
  if (field === undefined || field.length < 12) return undefined;
  const o: OriginalData = { batch: field.slice(0, 6), stan: field.slice(6, 12) };
  if (field.length >= 16) o.date = field.slice(12, 16);
  return o;
}
