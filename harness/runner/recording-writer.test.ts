import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardHash, loadReplayFixture } from '../host/index.js';
import type { IsoMessage } from '../iso8583/index.js';
import { findYamlFiles, loadScenarios } from '../scenario/index.js';
import {
  majorAmount,
  recordedScenario,
  requestExpectation,
  type ObservedExchange,
} from './recorded-scenario.js';
import { writeRecording } from './recording-writer.js';

const DEBIT = '6222021000000000017'; // fixtures/cards/cup-debit.yaml (TEST card)
const UNKNOWN = '6212345678901234566'; // no card fixture has it
const TRACK2 = `${DEBIT}D30122201234567`;
const PIN_BLOCK = '1A2B3C4D5E6F7081';
const KEYS62 = '0123456789ABCDEF'.repeat(3) + 'FEDCBA9876543210'.repeat(2);
const MAC = '9988776655443322';

const msg = (mti: string, fields: Record<number, string>): IsoMessage => ({ mti, fields });
const answer = (mti: string, code: string, extra: Record<number, string> = {}): IsoMessage =>
  msg(mti, { 11: '000009', 12: '101010', 13: '1206', 37: '000000000042', 39: code, 64: MAC, ...extra });

/** A session: sign-in; chip purchase with PIN; its reversal; a tap without PIN; a void; an unknown card. */
function session(): ObservedExchange[] {
  return [
    {
      request: msg('0800', { 11: '000001', 41: '12345678', 60: '00000001004' }),
      response: answer('0810', '00', { 62: KEYS62 }),
    },
    {
      request: msg('0200', {
        2: DEBIT,
        3: '000000',
        4: '000000001250',
        11: '000002',
        22: '051',
        35: TRACK2,
        52: PIN_BLOCK,
        55: '9F2608AABBCCDDEEFF0011',
        64: MAC,
      }),
      response: answer('0210', '00', { 2: DEBIT, 38: 'AB12CD' }),
    },
    {
      request: msg('0400', { 2: DEBIT, 3: '000000', 4: '000000001250', 11: '000002', 22: '051', 64: MAC }),
      response: answer('0410', '00'),
    },
    {
      request: msg('0200', {
        2: DEBIT,
        3: '000000',
        4: '000000000100',
        11: '000003',
        22: '072',
        55: '9F2608AABBCCDDEEFF0011',
        64: MAC,
      }),
      response: answer('0210', '51'),
    },
    {
      request: msg('0200', { 2: DEBIT, 3: '200000', 4: '000000001250', 11: '000004', 22: '051', 64: MAC }),
      response: answer('0210', '00'),
    },
    {
      request: msg('0200', {
        2: UNKNOWN,
        3: '000000',
        4: '000000000500',
        11: '000005',
        22: '051',
        52: PIN_BLOCK,
        64: MAC,
      }),
      response: answer('0210', '05'),
    },
  ];
}

describe('runner/recorded-scenario and recording-writer: payhil record output', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'payhil-record-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('expects MTI, 3, 22, 4, presence of 52/55/64 and the response code; no STAN, time, RRN or MAC value', () => {
    const x = session()[1]!;
    assert.deepEqual(requestExpectation(x.request), {
      mti: '0200',
      '3': '000000',
      '4': '000000001250',
      '22': '051',
      '52': { exists: true },
      '55': { exists: true },
      '64': { exists: true },
    });
    assert.equal(majorAmount('000000001250'), '12.50');
  });

  it('infers the driving steps: sign-in, purchase + insert + PIN, follow-ups expected, tap without PIN; leaves out what no step drives', () => {
    const card = { alias: 'cup-debit', fixture: 'cup-debit', pin: '123456' };
    const { doc, skipped } = recordedScenario(session(), {
      id: 'recorded/t',
      cardOf: (i) => (i === 5 ? undefined : card),
    });
    const steps = doc.steps as Record<string, unknown>[];
    const names = steps.map((s) => Object.keys(s)[0]);
    assert.deepEqual(names, [
      'signIn',
      'expect',
      'purchase',
      'insert',
      'enterPin',
      'expect',
      'expect',
      'remove',
      'purchase',
      'tap',
      'expect',
    ]);
    assert.deepEqual(steps[2], { purchase: { amount: '12.50' } });
    assert.deepEqual(steps[4], { enterPin: { pin: '123456' } });
    assert.deepEqual(
      skipped.map((s) => s.index),
      [4, 5],
    );
    assert.match(skipped[0]!.reason, /no step drives 0200 with processing code '200000'/);
    assert.match(skipped[1]!.reason, /card is not known/);
    assert.deepEqual(doc.host, { replay: '.' });
  });

  it('writes a scenario the loader loads (schema-valid) and a replay fixture, with no clear PAN, track, PIN block, key or MAC', () => {
    const r = writeRecording(dir, session(), { id: 'recorded/unit', dialect: 'cup', salt: 'ab'.repeat(16) });
    const [s, ...more] = loadScenarios([r.scenarioFile]);
    assert.equal(more.length, 0);
    assert.equal(s!.id, 'recorded/unit');
    assert.equal(s!.host.replay, dir);
    assert.deepEqual(s!.cards, { 'cup-debit': 'cup-debit' });
    assert.equal(r.skipped.length, 2);
    assert.match(r.skipped[1]!, /card 621234\*+4566/);
    const fixture = loadReplayFixture(dir);
    assert.equal(fixture.exchanges.length, 6);
    assert.deepEqual(
      findYamlFiles([dir]).files,
      [r.scenarioFile],
      'a folder search (run, validate) skips the fixture',
    );
    for (const file of [r.scenarioFile, r.replayFile]) {
      const text = readFileSync(file, 'utf8');
      for (const secret of [DEBIT, UNKNOWN, TRACK2, PIN_BLOCK, KEYS62, MAC, '000000000042'])
        assert.ok(!text.includes(secret), `${file} holds ${secret}`);
    }
  });

  it('keeps a request that got no answer (expected without a response, noAnswer in the fixture); leaves out echo tests', () => {
    const x: ObservedExchange[] = [
      session()[0]!,
      { request: msg('0820', { 11: '000005', 60: '00000001301' }), response: answer('0830', '00') },
      { request: session()[1]!.request },
      { request: session()[2]!.request, response: answer('0410', '00') },
    ];
    const r = writeRecording(dir, x, { id: 'recorded/timeout', dialect: 'cup' });
    const [s] = loadScenarios([r.scenarioFile]);
    const expects = s!.steps
      .filter((st) => st.action === 'expect')
      .map((st) => st.args as { host: Record<string, unknown> });
    assert.deepEqual(
      expects.map((e) => Object.keys(e.host)),
      [['request', 'response'], ['request'], ['request', 'response']],
    );
    assert.match(r.skipped[0]!, /#2 0820: an echo test \(0820\) comes from the terminal's timer/);
    const fixture = loadReplayFixture(dir);
    assert.deepEqual(
      fixture.exchanges.map((e) => e.noAnswer ?? false),
      [false, false, true, false],
    );
  });

  it('maps a PAN no fixture has to --card FIXTURE, hashed as the fixture PAN the scenario will present', () => {
    const salt = 'cd'.repeat(16);
    const r = writeRecording(dir, session().slice(5), {
      id: 'recorded/card',
      dialect: 'cup',
      salt,
      cardFixture: 'cup-debit',
    });
    assert.deepEqual(r.skipped, []);
    const fixture = loadReplayFixture(dir);
    assert.equal(fixture.exchanges[0]!.request.card?.hash, cardHash(salt, DEBIT));
    assert.ok(!readFileSync(r.replayFile, 'utf8').includes(UNKNOWN));
  });
});
