/**
 * Sets the date and time the terminal and the host believe it is (the `clock` step): the terminal's
 * 9A/9F21 and receipts, the host's field 12/13, the issuer's day change, the terminal's day of sign-in.
 * Not the bench's timer clock: waits and timeouts keep their pace.
 */
export interface CalendarControl {
  /** Sets both calendars to an ISO 8601 date and time; an explicit offset (`+08:00`) becomes their zone. */
  set(iso: string): Promise<void>;
  /** Moves both calendars forward by `ms` milliseconds. */
  advance(ms: number): Promise<void>;
}
