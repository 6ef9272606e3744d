import assert from 'node:assert/strict';
import { EcrClient } from './ecr-client.js';
import type { EcrEvent } from './ecr-messages.js';
import type { EcrLinkOptions } from './ecr-link.js';
import { EcrMessageError, EcrRemoteError } from './errors.js';
import { createFakeTerminal, type FakeTerminal } from './fake-terminal.test-helper.js';
import { createMemoryChannelPair } from './memory-channel.js';
import { decodeMessage, encodeMessage } from './message-codec.js';

const FAST: EcrLinkOptions = { ackTimeoutMs: 150, maxRetransmissions: 3, interByteTimeoutMs: 150 };

const GET_DATA = {
  event: 'apdu',
  via: 'contact',
  command: '80CA9F1700',
  response: '9F1701009000',
  ms: 1.5,
} as const;

async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

describe('ECR test mode: the card-reader trace (trace request, apdu events)', () => {
  let terminal: FakeTerminal;
  let traced: EcrClient;
  let plain: EcrClient;
  const seen = { traced: [] as EcrEvent[], plain: [] as EcrEvent[], plainErrors: 0 };

  function connect(testMode: boolean): void {
    terminal = createFakeTerminal({ ...FAST, testMode });
    const [a, b] = createMemoryChannelPair();
    const [c, d] = createMemoryChannelPair();
    terminal.server.attach(b);
    terminal.server.attach(d);
    traced = new EcrClient(a, FAST);
    plain = new EcrClient(c, FAST);
    seen.traced = [];
    seen.plain = [];
    seen.plainErrors = 0;
    traced.on('event', (e) => seen.traced.push(e));
    plain.on('event', (e) => seen.plain.push(e));
    plain.on('protocolError', () => seen.plainErrors++);
  }
  afterEach(async () => {
    await traced.close();
    await plain.close();
    await terminal.server.close();
  });

  it('sends apdu events only to the link that asked, until it asks to stop', async () => {
    connect(true);
    assert.equal(await terminal.server.pushTrace(GET_DATA), 0, 'nobody asked yet');
    await traced.request({ op: 'trace', apdu: true });
    assert.equal(await terminal.server.pushTrace(GET_DATA), 1);
    await eventually(() => seen.traced.length === 1);
    assert.deepEqual(seen.traced[0], { ...GET_DATA, v: 1, kind: 'event' });
    // A plain cash register never sees the trace (it would not know the event).
    await terminal.server.pushEvent({ event: 'state', state: 'idle' });
    await eventually(() => seen.plain.length === 1);
    assert.deepEqual(
      seen.plain.map((e) => e.event),
      ['state'],
    );
    assert.equal(seen.plainErrors, 0);
    await traced.request({ op: 'trace', apdu: false });
    assert.equal(await terminal.server.pushTrace(GET_DATA), 0);
  });

  it('is a test-mode request: refused NOT_TEST_MODE otherwise', async () => {
    connect(false);
    await assert.rejects(
      traced.request({ op: 'trace', apdu: true }),
      (e: unknown) => e instanceof EcrRemoteError && e.remoteCode === 'NOT_TEST_MODE',
    );
  });

  it('codec: trace needs a boolean; an apdu event is checked, a VERIFY with its PIN block refused', () => {
    const req = (body: object) => encodeMessage({ v: 1, kind: 'request', id: 1, ...body } as never);
    assert.throws(() => decodeMessage(req({ op: 'trace', apdu: 'yes' })), /apdu/);
    assert.equal((decodeMessage(req({ op: 'trace', apdu: true })) as { op: string }).op, 'trace');
    const ev = (body: object) => encodeMessage({ v: 1, kind: 'event', ...GET_DATA, ...body } as never);
    assert.equal((decodeMessage(ev({})) as EcrEvent).event, 'apdu');
    assert.throws(() => decodeMessage(ev({ via: 'air' })), EcrMessageError);
    assert.throws(() => decodeMessage(ev({ ms: -1 })), EcrMessageError);
    assert.throws(() => decodeMessage(ev({ command: '0020008008241234FFFFFFFFFF' })), /PIN block in clear/);
    assert.equal(
      (decodeMessage(ev({ command: '0020008008<PIN block redacted>' })) as EcrEvent).event,
      'apdu',
    );
  });
});
