import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import {
  failingStep,
  failureFingerprint,
  normaliseFailureMessage,
  sameFailure,
} from './failure-fingerprint.js';

// Two failures of the same expectation in two runs, as the runner words them: STAN, times, RRN,
// authorisation code, chip data, MAC, connection and exchange numbers differ; the response code does not.
function hostFailure(o: {
  stan: string;
  time: string;
  mac: string;
  conn: number;
  rc: string;
  arqc: string;
}): string {
  return [
    `expected host {"response":{"39":"00","mti":"0210"}}`,
    `  closest exchange #${o.conn - 2} (connection ${o.conn}):`,
    `    request:  0200 2=622202*********0017 4=000000001250 11=${o.stan} 55=9F2608${o.arqc}9F2701 64=${o.mac}`,
    `    response: 0210 11=${o.stan} 12=${o.time} 13=1206 37=${o.time}000001 38=A1B2C3 39=${o.rc} 64=${o.mac}`,
    '  difference:',
    `    response.39: expected = 00, got ${o.rc}`,
    `    response.11: expected = 000001, got ${o.stan}`,
    '  (waited 5000 ms)',
  ].join('\n');
}

describe('report/failure-fingerprint', () => {
  const a = hostFailure({
    stan: '000002',
    time: '201418',
    mac: '3032363641463545',
    conn: 4,
    rc: 'A0',
    arqc: 'FCCC53CF967BE5ED',
  });
  const b = hostFailure({
    stan: '000917',
    time: '093001',
    mac: '4644424235313337',
    conn: 9,
    rc: 'A0',
    arqc: '3DE38F9A305C3FE8',
  });
  const c = hostFailure({
    stan: '000002',
    time: '201418',
    mac: '3032363641463545',
    conn: 4,
    rc: '51',
    arqc: 'FCCC53CF967BE5ED',
  });

  it('drops STAN, times, RRN, auth code, chip data, MAC, connection numbers and durations', () => {
    const n = normaliseFailureMessage(a);
    for (const gone of [
      '000002',
      '201418',
      '3032363641463545',
      'FCCC53CF',
      'A1B2C3',
      'connection 4',
      '5000 ms',
    ])
      assert.ok(!n.includes(gone), `${gone} left in:\n${n}`);
    assert.match(n, /11=<v>/);
    assert.match(n, /64=<v>/);
    assert.match(n, /response\.11: <v>/);
  });

  it('keeps response codes, field numbers, amounts and the PAN as masked', () => {
    const n = normaliseFailureMessage(a);
    assert.match(n, /39=A0/);
    assert.match(n, /response\.39: expected = 00, got A0/);
    assert.match(n, /4=000000001250/);
    assert.match(n, /2=622202\*{9}0017/);
  });

  it('is the same for the same failure in two runs and differs when the response code differs', () => {
    const steps = [
      { action: 'signIn', status: 'passed', children: [] },
      { action: 'expect', status: 'failed', children: [] },
    ];
    const fa = failureFingerprint({ status: 'failed', code: 'E_EXPECT_HOST', message: a, steps });
    const fb = failureFingerprint({ status: 'failed', code: 'E_EXPECT_HOST', message: b, steps });
    const fc = failureFingerprint({ status: 'failed', code: 'E_EXPECT_HOST', message: c, steps });
    assert.match(fa, /^expect@2#[0-9a-f]{12}$/);
    assert.equal(fa, fb);
    assert.notEqual(fa, fc);
    assert.ok(!sameFailure(fa, fc));
  });

  it('drops reference numbers shown on the display, keeps the display texts and amounts', () => {
    const shown = (rrn: string): string =>
      `expected display ~ /DECLINED/i\n  display showed:\n    "APPROVED 10.00"\n    "REF ${rrn}"\n  (waited 5000 ms)`;
    assert.equal(
      normaliseFailureMessage(shown('201418000001')),
      normaliseFailureMessage(shown('093001000917')),
    );
    assert.match(normaliseFailureMessage(shown('201418000001')), /"APPROVED 10\.00"\n {4}"REF <n>"/);
  });

  it('differs by verdict, code and failing step', () => {
    const base = { status: 'failed', code: 'E_X', message: 'expected display ~ /EXPIRED/i' };
    const f = failureFingerprint(base);
    assert.notEqual(f, failureFingerprint({ ...base, status: 'broken' }));
    assert.notEqual(f, failureFingerprint({ ...base, code: 'E_Y' }));
    const at3 = failureFingerprint({
      ...base,
      steps: [{ action: 'a' }, { action: 'b' }, { action: 'expect', status: 'failed' }],
    });
    const at4 = failureFingerprint({
      ...base,
      steps: [{ action: 'a' }, { action: 'b' }, { action: 'c' }, { action: 'expect', status: 'failed' }],
    });
    assert.ok(!sameFailure(at3, at4));
  });

  it('a source without steps (JUnit) matches on the hash alone', () => {
    const m = { status: 'failed', code: 'E_X', message: 'expected display ~ /EXPIRED/i' };
    const junit = failureFingerprint(m);
    const withStep = failureFingerprint({ ...m, steps: [{ action: 'expect', status: 'failed' }] });
    assert.match(junit, /^#[0-9a-f]{12}$/);
    assert.ok(sameFailure(junit, withStep));
    assert.ok(!sameFailure(junit, failureFingerprint({ ...m, message: 'expected display ~ /DECLINED/i' })));
  });

  it('finds the innermost failing step (repeat, finally) and reads Allure step names', () => {
    assert.deepEqual(
      failingStep([
        { action: 'signIn', status: 'passed' },
        {
          action: 'repeat',
          status: 'failed',
          children: [
            { action: 'tap', status: 'passed' },
            { action: 'expect', status: 'failed' },
          ],
        },
      ]),
      { action: 'expect', path: '2.2' },
    );
    assert.deepEqual(failingStep([{ name: 'enterPin (6 digits)', status: 'broken', steps: [] }]), {
      action: 'enterPin',
      path: '1',
    });
    assert.equal(failingStep([{ action: 'x', status: 'passed' }]), undefined);
  });
});
