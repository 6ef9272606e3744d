import { strict as assert } from 'node:assert';
import { checkMatcher, describeMatcher, matchFields, matches, regexOf } from './matcher.js';

describe('common/matcher', () => {
  it('plain scalars match exactly; numbers and numeric strings compare as decimals', () => {
    assert.equal(matches('0200', '0200'), true);
    assert.equal(matches('00', '05'), false);
    assert.equal(matches(100, '000100'), true);
    assert.equal(matches('12.50', 12.5), true);
    assert.equal(matches('12.50', '12.51'), false);
    // 19-digit PANs differ in the last digit: exact, no floating-point rounding
    assert.equal(matches('6222021234567890123', '6222021234567890124'), false);
    assert.equal(matches('9F27', '9f27'), false);
    assert.equal(matches(true, true), true);
    assert.equal(matches(true, 'true'), true);
    assert.equal(matches(false, true), false);
    assert.equal(matches(null, undefined), true);
    assert.equal(matches(null, '00'), false);
    assert.equal(matches('00', undefined), false);
  });

  it('"/re/flags" strings are regular expressions', () => {
    assert.equal(matches('/^APPROVED/', 'APPROVED 000123'), true);
    assert.equal(matches('/approved/i', 'Approved'), true);
    assert.equal(matches('/approved/', 'Approved'), false);
    assert.equal(matches('/^9\\d$/', 96), true);
    assert.equal(matches('/x/', undefined), false);
    // stateful flags do not make repeated matches flip
    assert.equal(matches('/a/g', 'a'), true);
    assert.equal(matches('/a/g', 'a'), true);
    assert.equal(regexOf('not/a/regex'), undefined);
  });

  it('exists and absent', () => {
    assert.equal(matches({ exists: true }, 'x'), true);
    assert.equal(matches({ exists: true }, undefined), false);
    assert.equal(matches({ exists: false }, undefined), true);
    assert.equal(matches({ absent: true }, undefined), true);
    assert.equal(matches({ absent: true }, ''), false);
  });

  it('oneOf, not and their nesting', () => {
    assert.equal(matches({ oneOf: ['51', '61', '65'] }, '61'), true);
    assert.equal(matches({ oneOf: ['51', '/^9/'] }, '96'), true);
    assert.equal(matches({ oneOf: ['51'] }, '00'), false);
    assert.equal(matches({ not: '00' }, '05'), true);
    assert.equal(matches({ not: '00' }, '00'), false);
    assert.equal(matches({ not: { oneOf: ['00', '10'] } }, '10'), false);
  });

  it('lt, lte, gt, gte compare decimals and combine as AND', () => {
    assert.equal(matches({ lt: 500 }, '499'), true);
    assert.equal(matches({ lt: 500 }, 500), false);
    assert.equal(matches({ lte: '500' }, 500), true);
    assert.equal(matches({ gt: 0 }, '-1'), false);
    assert.equal(matches({ gte: -2.5 }, '-2.50'), true);
    assert.equal(matches({ gte: 1, lt: 10 }, 10), false);
    assert.equal(matches({ gte: 1, lt: 10 }, '000009'), true);
    assert.equal(matches({ lt: 5 }, 'abc'), false);
    assert.equal(matches({ lt: 5 }, undefined), false);
  });

  it('contains and startsWith', () => {
    assert.equal(matches({ contains: 'INSERT' }, 'PLEASE INSERT CARD'), true);
    assert.equal(matches({ contains: 'TAP' }, 'INSERT'), false);
    assert.equal(matches({ contains: '9F26' }, ['9F27', '9F26']), true);
    assert.equal(matches({ startsWith: '622202' }, '6222021234567890123'), true);
    assert.equal(matches({ startsWith: '4' }, '6222'), false);
    assert.equal(matches({ contains: 'x' }, undefined), false);
  });

  it('malformed matchers do not match and are reported by checkMatcher', () => {
    assert.equal(matches({}, 'x'), false);
    assert.equal(matches({ bogus: 1 } as never, 'x'), false);
    assert.equal(checkMatcher({ bogus: 1 }), "unknown matcher operator 'bogus'");
    assert.match(checkMatcher('/(unclosed/') ?? '', /invalid regular expression/);
    assert.match(checkMatcher({ lt: 'abc' }) ?? '', /lt takes a number/);
    assert.match(checkMatcher({ not: { oneOf: ['/[/'] } }) ?? '', /invalid regular expression/);
    assert.equal(checkMatcher({ oneOf: ['00', { gte: 1 }] }), undefined);
    assert.equal(checkMatcher('plain'), undefined);
  });

  it('matchFields reports every failing path with expected and actual', () => {
    const msg: Record<string, string> = { mti: '0210', '39': '51', '55.9F27': '80' };
    const r = matchFields(
      { mti: '0210', '39': { not: '51' }, '55.9F27': '80', '38': { exists: true } },
      (p) => msg[p],
    );
    assert.equal(r.ok, false);
    // JavaScript orders integer-like keys first and ascending
    assert.deepEqual(r.mismatches, [
      { path: '38', expected: { exists: true }, actual: undefined },
      { path: '39', expected: { not: '51' }, actual: '51' },
    ]);
    assert.equal(matchFields({ mti: '0210' }, (p) => msg[p]).ok, true);
  });

  it('describes matchers for reports', () => {
    assert.equal(describeMatcher('00'), '= 00');
    assert.equal(describeMatcher('/^9/'), '~ /^9/');
    assert.equal(describeMatcher({ not: '00' }), 'not 00');
    assert.equal(describeMatcher({ gte: 1, lt: 10 }), '>= 1 and < 10');
    assert.equal(describeMatcher({ oneOf: ['51', '61'] }), 'one of 51, 61');
  });

  it('equals matches exactly, decimals as decimals, and never as a regular expression', () => {
    assert.equal(matches({ equals: '000124' }, '000124'), true);
    assert.equal(matches({ equals: 124 }, '000124'), true);
    assert.equal(matches({ equals: '000124' }, '000125'), false);
    assert.equal(matches({ equals: '/^0/' }, '000124'), false);
    assert.equal(matches({ equals: '/^0/' }, '/^0/'), true);
    assert.equal(matches({ equals: false }, false), true);
    assert.equal(matches({ equals: '1' }, undefined), false);
    assert.equal(checkMatcher({ equals: '1' }), undefined);
    assert.equal(describeMatcher({ equals: '1' }), '= 1');
  });
});
