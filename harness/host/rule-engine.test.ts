import { strict as assert } from 'node:assert';
import { RC } from '../pos-protocol/index.js';
import { RuleEngine } from './rule-engine.js';

const msg = (fields: Record<string, string>) => (path: string) => fields[path];

describe('host/rule-engine', () => {
  it('first match wins, in the order rules were added', () => {
    const e = new RuleEngine();
    e.add({ id: 'a', mti: '0200', respond: { fields: { '39': RC.ISSUER_UNAVAILABLE } } });
    e.add({ id: 'b', mti: '0200', respond: { fields: { '39': RC.SYSTEM_ERROR } } });
    assert.equal(e.evaluate(msg({ mti: '0200' }))?.id, 'a');
    e.remove('a');
    assert.equal(e.evaluate(msg({ mti: '0200' }))?.id, 'b');
    assert.equal(e.evaluate(msg({ mti: '0100' })), undefined);
  });
  it('matches amount ranges (inclusive), entry-mode prefixes and field matchers', () => {
    const e = new RuleEngine();
    e.add({ id: 'amt', amount: { min: 100, max: 200 }, respond: { noAnswer: true } });
    e.add({ id: 'em', entryMode: '07', respond: { noAnswer: true } });
    e.add({ id: 'field', match: { '3': '310000', '4': { gt: 5 } }, respond: { noAnswer: true } });
    assert.equal(e.evaluate(msg({ '4': '000000000100' }))?.id, 'amt');
    assert.equal(e.evaluate(msg({ '4': '000000000200' }))?.id, 'amt');
    assert.equal(e.evaluate(msg({ '4': '000000000201', '22': '072' }))?.id, 'em');
    assert.equal(e.evaluate(msg({ '3': '310000', '4': '000000000006' }))?.id, 'field');
    assert.equal(e.evaluate(msg({ '3': '310000', '4': '000000000005' })), undefined);
  });
  it('nth fires on the Nth match only; times limits how often a rule fires', () => {
    const e = new RuleEngine();
    e.add({ id: 'n', mti: '0200', nth: 3, respond: { close: true } });
    const hits = [1, 2, 3, 4].map(() => e.evaluate(msg({ mti: '0200' }))?.id);
    assert.deepEqual(hits, [undefined, undefined, 'n', undefined]);
    e.clear();
    e.add({ id: 't', times: 2, respond: { badMac: true } });
    assert.deepEqual(
      [1, 2, 3].map(() => e.evaluate(msg({}))?.id),
      ['t', 't', undefined],
    );
    assert.equal(e.list()[0]?.fired, 2);
  });
  it('refuses rules that cannot work', () => {
    const e = new RuleEngine();
    assert.throws(() => e.add({ respond: {} }), { code: 'E_HOST_RULE' });
    assert.throws(() => e.add({ nth: 0, respond: { close: true } }), { code: 'E_HOST_RULE' });
    assert.throws(() => e.add({ amount: { min: 5, max: 1 }, respond: { close: true } }), {
      code: 'E_HOST_RULE',
    });
    assert.throws(() => e.add({ respond: { delayMs: -1 } }), { code: 'E_HOST_RULE' });
    e.add({ id: 'x', respond: { close: true } });
    assert.throws(() => e.add({ id: 'x', respond: { close: true } }), { code: 'E_HOST_RULE' });
  });

  it('timeOfDay: fires only inside the window on the host time, windows spanning midnight included', () => {
    const e = new RuleEngine();
    e.add({ id: 'night', timeOfDay: { from: '23:00', to: '06:00' }, respond: { fields: { '39': '58' } } });
    e.add({ id: 'noon', timeOfDay: { from: '12:00', to: '12:30:30' }, respond: { fields: { '39': '91' } } });
    const at = (h: number, m: number, s = 0): number => h * 3600 + m * 60 + s;
    assert.equal(e.evaluate(msg({}), at(22, 59, 59)), undefined);
    assert.equal(e.evaluate(msg({}), at(23, 0))?.id, 'night');
    assert.equal(e.evaluate(msg({}), at(0, 0))?.id, 'night');
    assert.equal(e.evaluate(msg({}), at(5, 59, 59))?.id, 'night');
    assert.equal(e.evaluate(msg({}), at(6, 0)), undefined);
    assert.equal(e.evaluate(msg({}), at(12, 30, 29))?.id, 'noon');
    assert.equal(e.evaluate(msg({}), at(12, 30, 30)), undefined);
    assert.equal(e.evaluate(msg({})), undefined, 'no host time: a timed rule never fires');
    for (const bad of [
      { from: '24:00', to: '06:00' },
      { from: '6:00', to: '07:00' },
      { from: '06:00', to: '06:00' },
    ])
      assert.throws(() => e.add({ timeOfDay: bad, respond: { close: true } }), { code: 'E_HOST_RULE' });
  });
});
