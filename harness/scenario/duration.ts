/** Durations in scenarios: "500ms", "10s", "2m", "1.5s" or a number of milliseconds. */
const FORM = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
const FACTOR = { ms: 1, s: 1000, m: 60_000 } as const;

/** Milliseconds of a duration, or undefined when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = FORM.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * FACTOR[m[2] as keyof typeof FACTOR]);
}
