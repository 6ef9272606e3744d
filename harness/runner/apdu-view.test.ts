import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { loadDialect } from '../iso8583/index.js';
import { apduViews } from './apdu-view.js';
import { ExpectationFailedError } from './errors.js';
import { checkExpectation, markPresentation, newCursor, type ExpectEnv } from './expectations.js';
import { Timeline } from './timeline.js';

describe('runner/apdu-view', () => {
  it('names commands, splits header and data, and takes a T=0 GET RESPONSE as the answer', () => {
    const t = new Timeline();
    t.add('apdu', { via: 'contact', command: '00A4040007A000000333010100', response: '6114', ms: 1 });
    // FCI: 6F { 84 AID, A5 { 9F38 PDOL = 9F7A 01, 9F02 06 } }
    t.add('apdu', {
      via: 'contact',
      command: '00C0000014',
      response: '6F148407A0000003330101A5099F38069F7A019F02069000',
      ms: 1,
    });
    t.add('apdu', { via: 'contact', command: '80A80000098307000000000010000000', response: '9000', ms: 1 });
    t.add('apdu', { via: 'contact', command: '0020008008<PIN block redacted>', response: '63C2', ms: 1 });
    const v = apduViews(t, 0).map((a) => a.fields);
    assert.equal(v[0]?.command, 'SELECT');
    assert.equal(v[0]?.sw, '9000');
    assert.equal(v[0]?.['response.9F38'], '9F7A019F0206');
    assert.equal(v[1]?.command, 'GET RESPONSE');
    assert.equal(v[2]?.command, 'GET PROCESSING OPTIONS');
    assert.equal(v[2]?.['data.9F7A'], '00');
    assert.equal(v[2]?.['data.9F02'], '000000001000');
    assert.equal(v[3]?.command, 'VERIFY');
    assert.equal(v[3]?.data, '<PIN block redacted>');
    assert.equal(v[3]?.sw, '63C2');
    // From a later sequence number only later commands count; the DOL read earlier still applies.
    assert.deepEqual(
      apduViews(t, 3).map((a) => a.fields.command),
      ['GET PROCESSING OPTIONS', 'VERIFY'],
    );
  });

  it('expect apdu / none apdu look from the last card presentation', async () => {
    const t = new Timeline();
    const env: ExpectEnv = {
      timeline: t,
      dialect: loadDialect('cup'),
      cursor: newCursor(),
      terminalStatus: async () => ({}),
      cardState: async () => ({}),
      defaultWithinMs: 50,
      defaultNoneMs: 20,
    };
    t.add('apdu', { via: 'contact', command: '80AE800002AABB', response: '77029F279000', ms: 1 });
    await checkExpectation({ apdu: { command: 'GENERATE AC', p1: '80' } }, env);
    await assert.rejects(
      checkExpectation({ none: { apdu: { command: 'GENERATE AC' } } }, env),
      ExpectationFailedError,
    );
    markPresentation(env.cursor, t, 'insert');
    await checkExpectation({ none: { apdu: { command: 'GENERATE AC' } } }, env);
    await assert.rejects(
      checkExpectation({ apdu: { command: 'GENERATE AC' } }, env),
      (e: Error) => /expected apdu/.test(e.message) && /no command to the card/.test(e.message),
    );
  });
});
