import { strict as assert } from 'node:assert';
import { amountToMinorUnits } from './amount.js';
import { parseDuration } from './duration.js';
import { findVarRefs, interpolate, walkStrings } from './interpolate.js';
import { describeCombination, expandMatrix, matrixSize } from './matrix.js';

describe('scenario/interpolate, matrix, duration, amount', () => {
  it('finds ${name} references and skips the $${ escape', () => {
    assert.deepEqual(findVarRefs('a ${x} b ${y_2}'), [
      { name: 'x', index: 2, length: 4 },
      { name: 'y_2', index: 9, length: 6 },
    ]);
    assert.deepEqual(findVarRefs('$${x} and $x'), []);
  });

  it('keeps the type of a whole-string reference and writes text inside longer strings', () => {
    const scope = { amount: 12.5, card: 'debit', ok: true };
    assert.deepEqual(
      interpolate(
        { a: '${amount}', t: 'pay ${amount} by ${card}', b: ['${ok}'], k: { '${card}': 1 } },
        scope,
      ),
      { a: 12.5, t: 'pay 12.5 by debit', b: [true], k: { '${card}': 1 } },
    );
  });

  it('leaves unknown names (captures) and turns $${ into a literal ${', () => {
    assert.equal(interpolate('${rrn}', {}), '${rrn}');
    assert.equal(interpolate('void ${rrn} of ${card}', { card: 'c' }), 'void ${rrn} of c');
    assert.equal(interpolate('$${card}', { card: 'c' }), '${card}');
  });

  it('walks every string with its path', () => {
    const seen: string[] = [];
    walkStrings({ a: ['x', { b: 'y' }], n: 1 }, (t, p) => seen.push(`${p.join('.')}=${t}`));
    assert.deepEqual(seen, ['a.0=x', 'a.1.b=y']);
  });

  it('expands a matrix as a cartesian product, first variable slowest', () => {
    const combos = expandMatrix({ card: ['a', 'b'], amount: [1, 2, 3] });
    assert.equal(combos.length, 6);
    assert.equal(matrixSize({ card: ['a', 'b'], amount: [1, 2, 3] }), 6);
    assert.deepEqual(combos[0], { card: 'a', amount: 1 });
    assert.deepEqual(combos[3], { card: 'b', amount: 1 });
    assert.equal(describeCombination(combos[5] ?? {}), 'card=b,amount=3');
    assert.deepEqual(expandMatrix(undefined), [{}]);
  });

  it('parses durations into milliseconds', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration('10 s'), undefined);
    assert.equal(parseDuration('ten'), undefined);
    assert.equal(parseDuration(-1), undefined);
  });

  it('converts amounts in major units to minor units', () => {
    assert.equal(amountToMinorUnits('12.50'), 1250);
    assert.equal(amountToMinorUnits(12.5), 1250);
    assert.equal(amountToMinorUnits(100), 10000);
    assert.equal(amountToMinorUnits('0.01'), 1);
    assert.equal(amountToMinorUnits('7'), 700);
    assert.equal(amountToMinorUnits('1.234'), undefined);
    assert.equal(amountToMinorUnits('1.230'), 123);
    assert.equal(amountToMinorUnits('abc'), undefined);
    assert.equal(amountToMinorUnits('5', 0), 5);
  });

  it("computes ${name + N} / ${name - N} with decimals, keeping a digit string's width", () => {
    const scope = { stan: '000123', n: 5, amount: '12.50', wrap: '000000' };
    assert.equal(interpolate('${stan + 1}', scope), '000124');
    assert.equal(interpolate('${ stan - 23 }', scope), '000100');
    assert.equal(interpolate('${n + 2}', scope), 7);
    assert.equal(interpolate('${amount + 0.75}', scope), '13.25');
    assert.equal(interpolate('${wrap - 1}', scope), '-1');
    assert.equal(interpolate('STAN ${stan + 1}!', scope), 'STAN 000124!');
    // not in scope (a capture at load time): left as written; the reference names the variable
    assert.equal(interpolate('${later + 1}', scope), '${later + 1}');
    assert.deepEqual(
      findVarRefs('${later + 1}').map((r) => r.name),
      ['later'],
    );
    // a value that is no decimal is not computed
    assert.equal(interpolate('${x + 1}', { x: 'abc' }), '${x + 1}');
  });
});
