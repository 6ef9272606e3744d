import assert from 'node:assert/strict';
import { observationOf } from './ecr-observations.js';

describe('drivers/ecr: observations of ECR events', () => {
  it("an apdu trace event is an 'apdu' observation, PAN and track data in the answer masked", () => {
    // READ RECORD answer: 70 { 5A PAN 6212345678901234, 57 track 2 equivalent }, SW 9000.
    const pan = '6212345678901234';
    const record = `5A08${pan}5708${pan}`;
    const body = `70${(record.length / 2).toString(16).padStart(2, '0').toUpperCase()}${record}`;
    const o = observationOf(
      {
        v: 1,
        kind: 'event',
        event: 'apdu',
        via: 'contact',
        command: '00B2010C00',
        response: `${body}9000`,
        ms: 2,
      },
      'idle',
      1000,
    );
    assert.ok(o);
    assert.equal(o.kind, 'apdu');
    assert.equal(o.at, 1000);
    assert.equal(o.data.via, 'contact');
    assert.equal(o.data.command, '00B2010C00');
    const response = String(o.data.response);
    assert.ok(response.endsWith('9000'), response);
    assert.ok(!response.includes(pan), response);
    assert.match(response, /^7014/, 'the TLV structure stays readable');
  });
});
