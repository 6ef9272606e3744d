import { strict as assert } from 'node:assert';
import { cssFor, resolveSelectorMap } from './web-selector-map.js';

describe('web selector map', () => {
  it('defaults to the emulator data-testids; families are prefixes', () => {
    const { map } = resolveSelectorMap();
    assert.equal(cssFor(map, 'display'), '[data-testid="display"]');
    assert.equal(cssFor(map, 'key', '5'), '[data-testid="key-5"]');
    assert.equal(cssFor(map, 'transaction', 'signIn'), '[data-testid="tx-signIn"]');
    assert.equal(cssFor(map, 'displayLine'), '[data-testid^="display-line-"]');
  });

  it('overrides: a bare word is a test id, anything else (or css=) is CSS; {} takes the member; "" = absent', () => {
    const { map, unknown } = resolveSelectorMap({
      display: '#screen .lines',
      result: 'css=output',
      receipt: 'slip',
      key: 'button[data-k="{}"]',
      statusLink: '',
      bogus: 'x',
    });
    assert.deepEqual(unknown, ['bogus']);
    assert.equal(cssFor(map, 'display'), '#screen .lines');
    assert.equal(cssFor(map, 'result'), 'output');
    assert.equal(cssFor(map, 'receipt'), '[data-testid="slip"]');
    assert.equal(cssFor(map, 'key', 'enter'), 'button[data-k="enter"]');
    assert.equal(cssFor(map, 'key', 'a"b'), 'button[data-k="a\\"b"]');
    assert.equal(cssFor(map, 'statusLink'), undefined);
  });
});
