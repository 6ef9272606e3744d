/**
 * The calendar: the date and time of day a terminal or a host believes it is (field 12/13 of a host's
 * answer, EMV 9A/9F21, the receipt's date, the issuer's day change for daily limits, the terminal's day of
 * sign-in). Not the scheduler of timers: waits and timeouts never read it.
 *
 * A calendar is a base time source (the real clock by default) plus an offset a scenario sets (`clock:
 * {set}`) or moves forward (`clock: {advance}`), and a time zone: the UTC offset its local fields are in.
 * Without a zone the fields are in the process's local zone (as `Date#getHours`); `set` with an explicit
 * offset (`+08:00`, Beijing time of a CUP host) or `Z` fixes the zone to it.
 */
import { PayhilError } from './payhil-error.js';

/** A calendar time that cannot be used (not ISO 8601, out of range, a step backwards by `advance`). */
export class CalendarError extends PayhilError {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super('E_CALENDAR', message);
  }
}

/** The local fields of an instant on a calendar (month 1–12, day 1–31). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** ISO 8601 date and time, seconds and fraction optional, zone optional (`Z`, `+08:00`, `+0800`). */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Longest step `advance` takes (100 years): beyond it the date fields overflow anyway. */
const MAX_ADVANCE_MS = 100 * 366 * 86_400_000;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Parses an ISO 8601 date-time. Returns the instant (ms since the epoch) and the zone offset in minutes
 * east of UTC, or undefined as zone when the text has none (then the instant is read in `fallbackZone`,
 * or in the process's local zone when that is undefined too).
 * @throws CalendarError for anything else.
 */
export function parseCalendarTime(
  text: string,
  fallbackZone?: number,
): { ms: number; zone: number | undefined } {
  const m = ISO.exec(text.trim());
  if (!m) throw new CalendarError(text, `'${text}' is not a date and time such as 2026-12-31T23:59:50+08:00`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const frac = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
    throw new CalendarError(text, `'${text}' is not a date and time (a field is out of range)`);
  const utcFields = Date.UTC(y, mo - 1, d, h, mi, s, frac);
  // Date.UTC rolls 31 February over into March: refuse rather than move the date.
  if (new Date(utcFields).getUTCDate() !== d)
    throw new CalendarError(text, `'${text}' is not a date (day ${d} of month ${mo} does not exist)`);
  let zone: number | undefined;
  const z = m[8];
  if (z === 'Z') zone = 0;
  else if (z !== undefined) {
    const digits = z.replace(':', '');
    const hh = Number(digits.slice(1, 3));
    const mm = Number(digits.slice(3, 5));
    if (hh > 14 || mm > 59) throw new CalendarError(text, `'${text}': zone offset ${z} is out of range`);
    zone = (z[0] === '-' ? -1 : 1) * (hh * 60 + mm);
  }
  const readIn = zone ?? fallbackZone;
  if (readIn !== undefined) return { ms: utcFields - readIn * 60_000, zone };
  // No zone anywhere: the fields are local time of this process.
  return { ms: new Date(y, mo - 1, d, h, mi, s, frac).getTime(), zone };
}

const STEP = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const STEP_FACTOR = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Milliseconds of a calendar step: `90s`, `10m`, `1h`, `1.5d`, or a number of milliseconds.
 * @throws CalendarError for anything else.
 */
export function parseCalendarStep(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const m = typeof value === 'string' ? STEP.exec(value.trim()) : null;
  if (!m)
    throw new CalendarError(String(value), `'${String(value)}' is not a step such as 90s, 10m, 1h or 1d`);
  return Math.round(Number(m[1]) * STEP_FACTOR[m[2] as keyof typeof STEP_FACTOR]);
}

export class Calendar {
  /** Milliseconds added to the base time source. */
  private offsetMs = 0;
  /** UTC offset of the local fields in minutes east (undefined: the process's local zone). */
  private zoneMinutes: number | undefined;
  /** The zone given at construction: `reset()` returns to it. */
  private readonly homeZone: number | undefined;

  /**
   * @param base the time source in ms since the epoch (default the real clock); a bench whose time is
   *   simulated passes its own, so the calendar moves with it.
   * @param zone UTC offset of the local fields in minutes east of UTC (default: the process's zone).
   * @param origin an instant (ms since the epoch) the calendar starts at, and returns to on `reset()`,
   *   instead of the base's now: the simulated embedded bench starts every scenario at one fixed instant
   *   (SIMULATED_EPOCH, docs/simulated-time.md), so two runs show the same dates and times of day.
   */
  constructor(
    private readonly base: () => number = Date.now,
    zone?: number,
    private readonly origin?: number,
  ) {
    this.zoneMinutes = zone;
    this.homeZone = zone;
    this.offsetMs = this.originOffset();
  }

  /** Offset that puts the calendar at its origin now (0 without an origin). */
  private originOffset(): number {
    return this.origin === undefined ? 0 : this.origin - this.base();
  }

  /** The calendar's instant now. */
  now(): Date {
    return new Date(this.base() + this.offsetMs);
  }

  /** True once `set` or `advance` moved the calendar away from its base (or its origin). */
  get moved(): boolean {
    return this.stepped;
  }
  private stepped = false;

  /** The zone of the local fields in minutes east of UTC, undefined for the process's local zone. */
  get zone(): number | undefined {
    return this.zoneMinutes;
  }

  /**
   * Sets the date and time (ISO 8601). An explicit offset in the text becomes the calendar's zone; a
   * text without one is read in the calendar's zone. Time goes on from there at the base's pace.
   * @throws CalendarError for a text that is no date and time.
   */
  set(iso: string): void {
    const { ms, zone } = parseCalendarTime(iso, this.zoneMinutes);
    if (zone !== undefined) this.zoneMinutes = zone;
    this.offsetMs = ms - this.base();
    this.stepped = true;
  }

  /**
   * Moves the calendar forward by `ms` (never back: a clock that goes back would undo a day change).
   * @throws CalendarError for a negative, non-finite or over-long step.
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_ADVANCE_MS)
      throw new CalendarError(String(ms), `advance: ${ms} ms is not a step forward of at most 100 years`);
    this.offsetMs += ms;
    this.stepped = true;
  }

  /**
   * Back to the base time source (or to the origin, when the calendar has one) and to `zone`, by default
   * the zone given at construction.
   */
  reset(zone?: number): void {
    this.offsetMs = this.originOffset();
    this.zoneMinutes = zone ?? this.homeZone;
    this.stepped = false;
  }

  /** The local fields of `at` (default now) in the calendar's zone. */
  local(at: Date = this.now()): LocalTime {
    if (this.zoneMinutes === undefined)
      return {
        year: at.getFullYear(),
        month: at.getMonth() + 1,
        day: at.getDate(),
        hours: at.getHours(),
        minutes: at.getMinutes(),
        seconds: at.getSeconds(),
      };
    const d = new Date(at.getTime() + this.zoneMinutes * 60_000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hours: d.getUTCHours(),
      minutes: d.getUTCMinutes(),
      seconds: d.getUTCSeconds(),
    };
  }

  /** The local day of `at` as the number yyyymmdd (a day change is a change of this number). */
  dayOf(at: Date = this.now()): number {
    const l = this.local(at);
    return l.year * 10000 + l.month * 100 + l.day;
  }

  /** MMDD of `at` (field 13, field 15). */
  mmdd(at: Date = this.now()): string {
    const l = this.local(at);
    return pad2(l.month) + pad2(l.day);
  }

  /** hhmmss of `at` (field 12, EMV 9F21). */
  hhmmss(at: Date = this.now()): string {
    const l = this.local(at);
    return pad2(l.hours) + pad2(l.minutes) + pad2(l.seconds);
  }

  /** YYMMDD of `at` (EMV 9A). */
  yymmdd(at: Date = this.now()): string {
    const l = this.local(at);
    return pad2(l.year % 100) + pad2(l.month) + pad2(l.day);
  }

  /** Seconds since local midnight of `at` (time-of-day rules). */
  secondOfDay(at: Date = this.now()): number {
    const l = this.local(at);
    return l.hours * 3600 + l.minutes * 60 + l.seconds;
  }
}
