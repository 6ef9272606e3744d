import assert from 'node:assert/strict';
import { EcrMessageError } from './errors.js';
import { decodeMessage, encodeMessage } from './message-codec.js';

const req = (body: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ v: 1, kind: 'request', id: 5, ...body }));

function refusal(payload: Buffer): { wireCode: string; path: string; id: number | undefined } {
  try {
    decodeMessage(payload);
  } catch (e) {
    assert.ok(e instanceof EcrMessageError);
    return { wireCode: e.wireCode, path: e.path, id: e.id };
  }
  assert.fail('expected a refusal');
}

describe('ECR message codec', () => {
  it('round-trips every request of the catalogue as compact JSON', () => {
    const bodies = [
      { op: 'purchase', amount: 1234, currency: '156', ecrReference: 'INV-1' },
      { op: 'void', originalReference: '000000001001' },
      { op: 'refund', amount: 500, originalReference: '000000001001', originalDate: '1121' },
      { op: 'balance' },
      { op: 'preAuth', amount: 10000 },
      { op: 'withdraw', amount: 50000 },
      { op: 'settle' },
      { op: 'signIn' },
      { op: 'cancel' },
      { op: 'status' },
      { op: 'readDisplay' },
      { op: 'readReceipt', copy: 'customer' },
      { op: 'key', keys: ['1', '2', '3', '4', 'ENTER'] },
      { op: 'card', action: 'tap', card: 'phone-wallet', holdMs: 300 },
      { op: 'card', action: 'remove' },
      { op: 'card', action: 'insert', card: 'mine', fixture: { extends: 'cup-debit', pin: '1111' } },
      { op: 'powerCycle' },
      { op: 'cardState' },
      { op: 'device', device: 'contactless', condition: 'weak' },
      { op: 'device', device: 'printer', condition: 'fault' },
      { op: 'mode', mode: 'maintenance' },
      { op: 'mode', mode: 'normal' },
      { op: 'clock', set: '2026-12-31T23:59:50+08:00' },
      { op: 'clock', advance: 3600000 },
      { op: 'clock', reset: true },
      { op: 'cardState', card: 'ec-debit', options: { reset: true } },
      { op: 'cardState', card: 'mine', fixture: { extends: 'cup-debit', ec: { balance: 2000 } } },
    ];
    for (const b of bodies) {
      const m = { v: 1, kind: 'request', id: 7, ...b } as never;
      const bytes = encodeMessage(m);
      assert.ok(!bytes.some((x) => x < 0x20), 'no control bytes');
      assert.deepEqual(decodeMessage(bytes), m);
    }
  });

  it('decodes responses and events', () => {
    const ok = { v: 1, kind: 'response', id: 3, op: 'status', ok: true, result: { state: 'idle' } };
    assert.deepEqual(decodeMessage(Buffer.from(JSON.stringify(ok))), ok);
    const ev = { v: 1, kind: 'event', event: 'display', lines: ['请插卡', 'PLEASE INSERT CARD'] };
    assert.deepEqual(decodeMessage(encodeMessage(ev as never)), ev);
  });

  it('refuses a version other than 1 with UNSUPPORTED_VERSION, keeping the id', () => {
    const r = refusal(Buffer.from('{"v":2,"kind":"request","id":9,"op":"status"}'));
    assert.deepEqual(r, { wireCode: 'UNSUPPORTED_VERSION', path: 'v', id: 9 });
  });

  it('refuses an unknown op with UNKNOWN_OP', () => {
    assert.deepEqual(refusal(req({ op: 'dance' })), { wireCode: 'UNKNOWN_OP', path: 'op', id: 5 });
  });

  const badRequests: [string, Record<string, unknown>, string][] = [
    ['a zero amount', { op: 'purchase', amount: 0 }, 'amount'],
    ['a fractional amount', { op: 'purchase', amount: 12.5 }, 'amount'],
    ['a missing amount', { op: 'refund', originalReference: '1' }, 'amount'],
    ['an alphabetic currency', { op: 'purchase', amount: 1, currency: 'CNY' }, 'currency'],
    ['a void without reference', { op: 'void' }, 'originalReference'],
    [
      'a bad original date',
      { op: 'refund', amount: 1, originalReference: '1', originalDate: '1332' },
      'originalDate',
    ],
    ['an unknown key', { op: 'key', keys: ['1', 'PANIC'] }, 'keys[1]'],
    ['no keys', { op: 'key', keys: [] }, 'keys'],
    ['a card action out of the list', { op: 'card', action: 'throw', card: 'x' }, 'action'],
    ['an insert without card', { op: 'card', action: 'insert' }, 'card'],
    ['a negative hold time', { op: 'card', action: 'tap', card: 'x', holdMs: -1 }, 'holdMs'],
    [
      'an inline card that is not an object',
      { op: 'card', action: 'tap', card: 'x', fixture: 'y' },
      'fixture',
    ],
    [
      'an inline card without the card it extends',
      { op: 'card', action: 'insert', card: 'x', fixture: { pin: '1111' } },
      'fixture.extends',
    ],
    ['card state of an unnamed inline card', { op: 'cardState', fixture: { extends: 'cup-debit' } }, 'card'],
    ['card state with options not an object', { op: 'cardState', card: 'x', options: [] }, 'options'],
    ['device that is no peripheral', { op: 'device', device: 'modem', condition: 'ok' }, 'device'],
    ['device condition unknown', { op: 'device', device: 'pinpad', condition: 'broken' }, 'condition'],
    [
      'weak outside the contactless field',
      { op: 'device', device: 'reader', condition: 'weak' },
      'condition',
    ],
    ['a bad receipt copy', { op: 'readReceipt', copy: 'both' }, 'copy'],
    ['a mode that is none', { op: 'mode', mode: 'supervisor' }, 'mode'],
    ['a mode request without mode', { op: 'mode' }, 'mode'],
    ['a clock request with nothing to do', { op: 'clock' }, 'set'],
    ['a clock request with set and advance', { op: 'clock', set: '2026-01-01T00:00:00Z', advance: 1 }, 'set'],
    ['a clock going back', { op: 'clock', advance: -1 }, 'advance'],
    ['a clock set to a number', { op: 'clock', set: 20261231 }, 'set'],
  ];
  for (const [what, body, path] of badRequests) {
    it(`refuses ${what} with BAD_REQUEST at ${path}`, () => {
      assert.deepEqual(refusal(req(body)), { wireCode: 'BAD_REQUEST', path, id: 5 });
    });
  }

  it('refuses what is not a message: not JSON, an array, an unknown kind, no id', () => {
    assert.equal(refusal(Buffer.from('{"v":1,')).path, '');
    assert.equal(refusal(Buffer.from('[1]')).path, '');
    assert.equal(refusal(Buffer.from('{"v":1,"kind":"shout"}')).path, 'kind');
    assert.deepEqual(refusal(Buffer.from('{"v":1,"kind":"request","op":"status"}')), {
      wireCode: 'BAD_REQUEST',
      path: 'id',
      id: undefined,
    });
  });

  it('refuses a PAN in clear in a result (only first 6 and last 4 digits may show)', () => {
    const clear = {
      v: 1,
      kind: 'response',
      id: 1,
      op: 'purchase',
      ok: true,
      result: { maskedPan: '6222021234567890123' },
    };
    assert.equal(refusal(Buffer.from(JSON.stringify(clear))).path, 'result.maskedPan');
    const masked = { ...clear, result: { maskedPan: '622202*********0123' } };
    assert.deepEqual(decodeMessage(Buffer.from(JSON.stringify(masked))), masked);
    const ev = { v: 1, kind: 'event', event: 'result', result: { maskedPan: '62220212345678' } };
    assert.equal(refusal(Buffer.from(JSON.stringify(ev))).path, 'result.maskedPan');
  });
});
