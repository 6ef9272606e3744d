import { UsageError } from './usage-error.js';

/** A duration of the lab commands (`500ms`, `30s`, `15m`, `2h`, `1d`) in ms; UsageError naming `what`. */
export function labDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: '${text}' is not a duration (30s, 15m, 2h, 1d)`);
  const unit = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms <= 0 || ms > 30 * 86400000) throw new UsageError(`${what}: '${text}' is out of range (up to 30d)`);
  return ms;
}

/** The `--queue` address: the option, else PAYHIL_QUEUE; UsageError when neither. */
export function queueUrl(value: string | undefined, command: string): string {
  const url = value ?? process.env.PAYHIL_QUEUE;
  if (url === undefined || url === '')
    throw new UsageError(`${command}: --queue redis://HOST:PORT is needed (or PAYHIL_QUEUE)`);
  return url;
}
