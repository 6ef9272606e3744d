/**
 * Terminal modes and the calendar: a custodian's maintenance (OUT OF SERVICE, transactions refused, an
 * ATM gives an inserted card back, back to WELCOME), the daily sign-in of profile `signIn.daily` on the
 * terminal's calendar, and the host's day change on the host's calendar. A host simulator on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import { createVirtualCard } from '../cards/index.js';
import { Calendar } from '../common/calendar.js';
import { startHost, type HostHandle } from '../host/index.js';
import { createTerminal, type EmulatedTerminal } from './emulated-terminal.js';
import { received } from './emulator-test-kit.test-helper.js';
import { loadTerminalProfile } from './terminal-profile.js';

describe('terminal modes and the calendar', () => {
  let host: HostHandle;
  const calendar = new Calendar();
  const open: EmulatedTerminal[] = [];

  before(async () => {
    host = await startHost({ dialect: 'cup', calendar });
  });
  after(async () => {
    for (const t of open) await t.close();
    await host.close();
  });
  beforeEach(() => calendar.reset());

  async function terminal(profile: string): Promise<EmulatedTerminal> {
    const t = await createTerminal({ profile, host: host.address, calendar });
    open.push(t);
    const s = await t.signIn();
    assert.equal(s.outcome, 'approved', s.message);
    return t;
  }

  it('ATM in maintenance: OUT OF SERVICE, a withdrawal refused unsent, an inserted card returned; normal: WELCOME', async () => {
    const t = await terminal('cup-atm-ci');
    const sent = received(host, '0200').length;
    t.setMode('maintenance');
    assert.equal(t.display.key, 'outOfService');
    assert.equal(t.status().mode, 'maintenance');
    const r = await t.withdraw(10000);
    assert.equal(r.outcome, 'failed');
    assert.equal(r.messageKey, 'outOfService');
    assert.match(t.display.text(), /OUT OF SERVICE/);
    const since = t.events.lastSeq;
    await t.cardSlot.insert(createVirtualCard('cup-debit'));
    assert.equal(t.cardSlot.occupied, false, 'the slot gave the card back');
    assert.ok(t.events.history().some((e) => e.seq > since && e.type === 'card' && e.action === 'return'));
    assert.equal(received(host, '0200').length, sent, 'nothing went to the host');
    t.setMode('normal');
    assert.equal(t.display.key, 'welcome');
    assert.equal(t.state, 'idle');
  });

  it('POS in maintenance refuses a purchase but a custodian can still sign in', async () => {
    const t = await terminal('cup-pos-ci');
    t.setMode('maintenance');
    const r = await t.purchase(100);
    assert.equal(r.messageKey, 'outOfService');
    const s = await t.signIn();
    assert.equal(s.outcome, 'approved');
    assert.equal(t.display.key, 'outOfService', 'still out of service after the sign-in');
    assert.throws(() => t.setMode('supervisor' as never), /unknown mode/);
  });

  it('signIn.daily: the sign-in lapses at the terminal calendar day change, not before', async () => {
    const profile = loadTerminalProfile('cup-pos-ci-daily-sign-in');
    assert.equal(profile.signIn.daily, true);
    calendar.set('2026-12-31T23:58:00+08:00');
    const t = await terminal('cup-pos-ci-daily-sign-in');
    calendar.advance(60_000);
    t.checkDay();
    assert.equal(t.signedIn, true, '23:59 is still the same day');
    calendar.advance(60_000);
    t.checkDay();
    assert.equal(t.signedIn, false);
    assert.equal(t.state, 'notSignedIn');
    assert.equal(t.display.key, 'notSignedIn');
    const r = await t.purchase(100);
    assert.equal(r.messageKey, 'notSignedIn');
  });

  it('without signIn.daily a sign-in of a previous day still counts', async () => {
    calendar.set('2026-12-31T23:58:00+08:00');
    const t = await terminal('cup-pos-ci');
    calendar.advance(3_600_000);
    t.checkDay();
    assert.equal(t.signedIn, true);
  });

  it('an ATM whose sign-in lapsed signs in again by itself', async () => {
    calendar.set('2026-12-31T23:59:00+08:00');
    const t = await createTerminal({
      profile: {
        ...loadTerminalProfile('cup-atm-ci'),
        signIn: { ...loadTerminalProfile('cup-atm-ci').signIn, daily: true },
      },
      host: host.address,
      calendar,
    });
    open.push(t);
    assert.equal((await t.signIn()).outcome, 'approved');
    const before = received(host, '0800').length;
    calendar.advance(120_000);
    t.checkDay();
    assert.equal(t.display.key, 'outOfService');
    await t.events.waitFor((e) => e.type === 'display' && e.key === 'welcome', 5000);
    assert.equal(t.signedIn, true);
    assert.equal(received(host, '0800').length, before + 1);
  });

  it("the host's answers carry its calendar's date and time (field 12/13 in the calendar's zone)", async () => {
    calendar.set('2027-01-01T00:00:30+08:00');
    const t = await terminal('cup-pos-ci');
    assert.ok(t.signedIn);
    const answer = host.journal.entries((e) => e.direction === 'out' && e.mti === '0810').at(-1);
    assert.equal(answer?.fields?.['13'], '0101');
    assert.match(String(answer?.fields?.['12']), /^00003\d$/);
  });
});
