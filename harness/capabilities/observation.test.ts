import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { OBSERVATION, OBSERVATION_KINDS } from './observation.js';

describe('observation kinds', () => {
  it('names each kind once, as the timeline and reports spell it', () => {
    assert.equal(new Set(OBSERVATION_KINDS).size, OBSERVATION_KINDS.length);
    assert.equal(OBSERVATION.TERMINAL_MESSAGE, 'terminal-message');
    assert.equal(OBSERVATION.HOST_ERROR, 'host-error');
    assert.ok(OBSERVATION_KINDS.includes('pcap'));
  });
});
