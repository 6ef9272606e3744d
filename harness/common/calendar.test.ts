import assert from 'node:assert/strict';
import { Calendar, CalendarError, parseCalendarStep, parseCalendarTime } from './calendar.js';

/** A base time source the test moves by hand. */
function manualBase(start: number): { now: () => number; move: (ms: number) => void } {
  let t = start;
  return { now: () => t, move: (ms) => (t += ms) };
}

describe('Calendar', () => {
  it('set with +08:00: local fields in Beijing time whatever the process zone, time goes on from there', () => {
    const base = manualBase(Date.UTC(2020, 0, 1));
    const c = new Calendar(base.now);
    c.set('2026-12-31T23:59:50+08:00');
    assert.equal(c.zone, 480);
    assert.equal(c.now().toISOString(), '2026-12-31T15:59:50.000Z');
    assert.deepEqual(c.local(), { year: 2026, month: 12, day: 31, hours: 23, minutes: 59, seconds: 50 });
    assert.equal(c.mmdd(), '1231');
    assert.equal(c.hhmmss(), '235950');
    assert.equal(c.yymmdd(), '261231');
    assert.equal(c.dayOf(), 20261231);
    base.move(10_000);
    assert.equal(c.dayOf(), 20270101, 'ten seconds later it is the next day (and year) in Beijing');
    assert.equal(c.hhmmss(), '000000');
  });

  it('advance moves forward across the day change; the day number changes once', () => {
    const base = manualBase(0);
    const c = new Calendar(base.now, 0);
    c.set('2026-03-01T22:30:00');
    assert.equal(c.dayOf(), 20260301);
    c.advance(parseCalendarStep('1h'));
    assert.equal(c.hhmmss(), '233000');
    assert.equal(c.dayOf(), 20260301);
    c.advance(parseCalendarStep('90m'));
    assert.equal(c.dayOf(), 20260302);
    assert.equal(c.secondOfDay(), 3600);
    assert.equal(c.moved, true);
  });

  it('a text without zone is read in the calendar zone; Z fixes UTC', () => {
    const c = new Calendar(() => 0, -300);
    c.set('2026-07-04T12:00:00');
    assert.equal(c.now().toISOString(), '2026-07-04T17:00:00.000Z');
    c.set('2026-07-04T12:00:00Z');
    assert.equal(c.zone, 0);
    assert.equal(c.hhmmss(), '120000');
  });

  it('without zone the fields are the process local ones (as Date#getHours)', () => {
    const c = new Calendar(() => Date.UTC(2026, 5, 15, 6, 7, 8));
    const d = c.now();
    assert.equal(
      c.hhmmss(),
      [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(''),
    );
    assert.equal(c.moved, false);
  });

  it('reset goes back to the base and the zone given', () => {
    const c = new Calendar(() => 1000, 0);
    c.set('2030-01-01T00:00:00+08:00');
    c.reset(0);
    assert.equal(c.now().getTime(), 1000);
    assert.equal(c.zone, 0);
  });

  for (const bad of [
    'tomorrow',
    '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-12-31T24:00:00Z',
    '2026-12-31T23:59:50+15:00',
    '',
  ])
    it(`refuses '${bad}' with a CalendarError naming it`, () => {
      assert.throws(
        () => parseCalendarTime(bad),
        (e: unknown) =>
          e instanceof CalendarError && e.code === 'E_CALENDAR' && e.message.includes(`'${bad}'`),
      );
    });

  it('advance refuses a step back or a step of no size', () => {
    const c = new Calendar(() => 0, 0);
    for (const ms of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e15])
      assert.throws(() => c.advance(ms), CalendarError);
    assert.equal(c.now().getTime(), 0);
  });

  it('with an origin: starts there, goes on at the base pace, and reset goes back to it and its zone', () => {
    const base = manualBase(Date.UTC(2031, 4, 5, 6, 7, 8));
    const origin = parseCalendarTime('2026-06-15T10:00:00+08:00');
    const c = new Calendar(base.now, origin.zone, origin.ms);
    assert.equal(c.now().toISOString(), '2026-06-15T02:00:00.000Z');
    assert.equal(c.hhmmss(), '100000');
    assert.equal(c.moved, false);
    base.move(1500);
    assert.equal(c.hhmmss(), '100001');
    c.set('2026-12-31T23:59:00Z');
    c.advance(60_000);
    assert.equal(c.moved, true);
    assert.equal(c.yymmdd(), '270101');
    base.move(86_400_000);
    c.reset();
    assert.equal(c.moved, false);
    assert.equal(c.zone, 480);
    assert.equal(c.now().toISOString(), '2026-06-15T02:00:00.000Z');
    assert.equal(c.mmdd(), '0615');
  });

  it('parseCalendarStep takes ms, s, m, h, d and plain milliseconds; refuses the rest', () => {
    assert.equal(parseCalendarStep('1h'), 3_600_000);
    assert.equal(parseCalendarStep('1.5d'), 129_600_000);
    assert.equal(parseCalendarStep('250ms'), 250);
    assert.equal(parseCalendarStep(42), 42);
    for (const bad of ['1 h', '-1h', 'h', '1w', -5, null])
      assert.throws(() => parseCalendarStep(bad), CalendarError);
  });
});
