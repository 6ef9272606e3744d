import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { TITLE_CHARS, durationWords, stepTitle } from './step-title.js';

describe('step titles in words', () => {
  it('expect host: MTI, presence, values and the wait, as a reviewer reads them', () => {
    assert.equal(
      stepTitle('expect', {
        host: { request: { mti: '0200', '55.9F26': { exists: true } }, response: { '39': '00' } },
        within: '30s',
      }),
      'expect host request 0200 with 55.9F26 present, response 39 = 00, within 30 s',
    );
    assert.equal(
      stepTitle('expect', {
        host: { request: { mti: '0400', '11': '000123', '39': '06' }, response: { '39': '00' } },
        receipt: { not: '/APPROVED/' },
        within: '10s',
      }),
      'expect host request 0400 with 11 = 000123, 39 = 06, response 39 = 00, not (receipt matches /APPROVED/), within 10 s',
    );
  });

  it('expect display, terminal, card, apdu, none, count and matcher operators', () => {
    assert.equal(
      stepTitle('expect', { display: '/DECLINED BY CARD/i' }),
      'expect display matches /DECLINED BY CARD/i',
    );
    assert.equal(
      stepTitle('expect', { terminal: { state: 'idle', responseCode: { oneOf: ['05', '51'] } } }),
      'expect terminal state = idle, responseCode one of 05 | 51',
    );
    assert.equal(
      stepTitle('expect', { card: { '9F36': { gt: 3 }, pinTriesLeft: { lte: 2 } } }),
      'expect card 9F36 > 3, pinTriesLeft ≤ 2',
    );
    assert.equal(
      stepTitle('expect', { apdu: { command: 'GENERATE AC', p1: '80', sw: { not: '9000' } } }),
      'expect apdu GENERATE AC with p1 = 80, sw ≠ 9000',
    );
    assert.equal(
      stepTitle('expect', { none: { host: { request: { mti: '0200' } } }, within: 5000 }),
      'expect no host request 0200, within 5 s',
    );
    assert.equal(
      stepTitle('expect', {
        host: { request: { '2': { startsWith: '622202' }, '52': { absent: true } } },
        count: 2,
      }),
      'expect host request 2 starts with 622202, 52 absent, 2 times',
    );
  });

  it('other steps: the action first, arguments as words, never JSON', () => {
    assert.equal(stepTitle('signIn', null), 'signIn');
    assert.equal(stepTitle('settle', {}), 'settle');
    assert.equal(stepTitle('purchase', { amount: '18.00' }), 'purchase amount 18.00');
    assert.equal(stepTitle('insert', { card: 'card' }), 'insert card card');
    assert.equal(stepTitle('network', 'clear'), 'network clear');
    assert.equal(stepTitle('network', { latency: { ms: 2000 } }), 'network latency {ms: 2000}');
    assert.equal(stepTitle('repeat', { times: 3, steps: [] }), 'repeat 3 times');
    assert.equal(stepTitle('capture', { stan: 'request.11' }), 'capture stan = request.11');
    assert.equal(stepTitle('wait', { ms: '2s' }), 'wait 2 s');
    assert.equal(
      stepTitle('wait', { until: { display: '/IDLE/' }, timeout: '1m' }),
      'wait until display matches /IDLE/, at most 1 min',
    );
    assert.equal(
      stepTitle('host', { rules: [{ mti: '0200', respond: { fields: { '39': '51' } }, times: 1 }] }),
      'host rule {mti: 0200, respond: {fields: {39: 51}}, times: 1}',
    );
    for (const a of ['purchase', 'expect', 'host', 'include', 'wait', 'tap'])
      assert.ok(!/[{"]\s*"/.test(stepTitle(a, { x: { y: 'z' } })), 'no JSON quoting');
  });

  it('no PIN in a title: enterPin by its length, an include parameter named pin hidden', () => {
    assert.equal(stepTitle('enterPin', { pin: '123456' }), 'enterPin (6 digits)');
    assert.equal(stepTitle('enterPin', { cancel: true }), 'enterPin (cancel)');
    const t = stepTitle('include', {
      file: '../common/chip-purchase.steps.yaml',
      with: { card: 'card', amount: '18.00', pin: '123456' },
    });
    assert.equal(t, 'include ../common/chip-purchase.steps.yaml with card card, amount 18.00, pin ****');
    assert.ok(!t.includes('123456'));
  });

  it('long titles are bounded; durations in words', () => {
    const t = stepTitle('expect', { display: 'x'.repeat(500) });
    assert.equal(t.length, TITLE_CHARS);
    assert.ok(t.endsWith('…'));
    assert.equal(durationWords('500ms'), '500 ms');
    assert.equal(durationWords(1500), '1500 ms');
    assert.equal(durationWords('2m'), '2 min');
  });
});
