import assert from 'node:assert/strict';
import { EcrClient } from './ecr-client.js';
import type { EcrLink, EcrLinkOptions } from './ecr-link.js';
import { EcrLinkClosedError, EcrMessageError, EcrRemoteError, EcrResponseTimeoutError } from './errors.js';
import { createFakeTerminal, exerciseFlow, type FakeTerminal } from './fake-terminal.test-helper.js';
import { encodeFrame } from './frame-codec.js';
import { createMemoryChannelPair, type MemoryChannel } from './memory-channel.js';
import { WIRE } from './wire-codes.js';

// Short enough to keep the suite fast, long enough that a loaded machine does not retransmit spuriously.
const FAST: EcrLinkOptions = { ackTimeoutMs: 150, maxRetransmissions: 3, interByteTimeoutMs: 150 };

/** Polls `check` every 10 ms until true or `ms` passed (bounded). */
async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

describe('ECR client and server over the in-memory duplex', () => {
  let terminal: FakeTerminal;
  let client: EcrClient;
  let wireClient: MemoryChannel;
  let wireTerminal: MemoryChannel;
  let terminalLink: EcrLink;

  function setUp(testMode = true): void {
    terminal = createFakeTerminal({ ...FAST, testMode });
    [wireClient, wireTerminal] = createMemoryChannelPair();
    terminalLink = terminal.server.attach(wireTerminal);
    client = new EcrClient(wireClient, FAST);
  }
  beforeEach(() => setUp());
  afterEach(async () => {
    await client.close();
    await terminal.server.close();
  });

  it('carries the purchase flow: overlapping requests, events in order, refusal while busy', async () => {
    await exerciseFlow(client, (a, b, m) => assert.deepEqual(a, b, m));
    assert.equal(terminal.calls.purchase, 2);
  });

  it('submits a request once even when the line loses the first ACK and corrupts the response', async () => {
    // Lose the terminal's first ACK (the client retransmits the request) and corrupt its first response
    // frame (the client NAKs, the terminal retransmits).
    let frames = 0;
    wireTerminal.tamper((chunk) => {
      if (chunk[0] === WIRE.ACK && frames === 0) {
        frames++;
        return null;
      }
      if (chunk[0] === WIRE.STX && frames === 1) {
        frames++;
        const bad = Buffer.from(chunk);
        bad[8] = (bad[8] as number) ^ 0x01;
        return bad;
      }
      return chunk;
    });
    const status = await client.request({ op: 'status' });
    assert.equal(status.state, 'idle');
    assert.equal(client.link.stats.naksSent, 1);
    assert.equal(terminalLink.stats.naksReceived, 1);
    // The response can arrive before the client's ACK timer fires; wait for the retransmission.
    await eventually(() => terminalLink.stats.duplicatesDropped > 0);
    assert.equal(client.link.stats.retransmissions, 1);
    assert.equal(terminalLink.stats.duplicatesDropped, 1);
    assert.equal(terminal.calls.status, 1, 'the duplicate request did not reach the terminal twice');
  });

  it('rejects a refusal with EcrRemoteError carrying the wire code', async () => {
    await assert.rejects(client.request({ op: 'withdraw', amount: 100 }), (e: unknown) => {
      assert.ok(e instanceof EcrRemoteError);
      assert.equal(e.remoteCode, 'NOT_SUPPORTED');
      assert.equal(e.op, 'withdraw');
      assert.equal(e.verdict, 'failed');
      return true;
    });
    await assert.rejects(client.request({ op: 'cancel' }), { remoteCode: 'NO_TRANSACTION' });
  });

  it('answers INTERNAL when the handler fails, UNKNOWN_OP and BAD_REQUEST for bad requests', async () => {
    await assert.rejects(client.request({ op: 'powerCycle' }), { remoteCode: 'INTERNAL' });
    const unknown = await client.exchange({ op: 'dance' } as never);
    assert.equal(unknown.ok ? '' : unknown.error.code, 'UNKNOWN_OP');
    const bad = await client.exchange({ op: 'purchase', amount: -5 });
    assert.equal(bad.ok ? '' : bad.error.code, 'BAD_REQUEST');
    assert.match(bad.ok ? '' : bad.error.message, /amount/);
    assert.equal(terminal.calls.purchase, undefined, 'a bad request never reaches the handler');
  });

  it('refuses test-mode requests with NOT_TEST_MODE when the terminal is not in test mode', async () => {
    await client.close();
    await terminal.server.close();
    setUp(false);
    await assert.rejects(client.request({ op: 'key', keys: ['1'] }), { remoteCode: 'NOT_TEST_MODE' });
    assert.equal((await client.request({ op: 'status' })).testMode, false);
    assert.equal(terminal.calls.key, undefined);
  });

  it('times out a request that is acknowledged but never answered (failed, not broken)', async () => {
    await assert.rejects(client.request({ op: 'settle' }, { timeoutMs: 100 }), (e: unknown) => {
      assert.ok(e instanceof EcrResponseTimeoutError);
      assert.equal(e.op, 'settle');
      assert.equal(e.verdict, 'failed');
      return true;
    });
  });

  it('sends a bad payload back as an error event when it has no id', async () => {
    await client.link.send(Buffer.from('{"hello":"world"}'));
    const ev = await client.waitForEvent((e) => e.event === 'error', 1000);
    assert.equal(ev.event === 'error' ? ev.error.code : '', 'UNSUPPORTED_VERSION');
  });

  it('reports payloads that are not valid terminal messages as protocolError and carries on', async () => {
    const seen: EcrMessageError[] = [];
    client.on('protocolError', (e) => seen.push(e));
    // Frames written straight onto the terminal's wire, as broken firmware would send them.
    await wireTerminal.write(encodeFrame(200, Buffer.from('{"v":1,"kind":"request","id":1,"op":"status"}')));
    await wireTerminal.write(
      encodeFrame(201, Buffer.from('{"v":1,"kind":"response","id":77,"op":"x","ok":true,"result":{}}')),
    );
    await wireTerminal.write(encodeFrame(202, Buffer.from('not json')));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      seen.map((e) => e.path),
      ['kind', 'id', ''],
    );
    assert.equal(client.lateResponses, 1);
    assert.equal((await client.request({ op: 'status' })).state, 'idle');
  });

  it('rejects pending requests with EcrLinkClosedError when the terminal goes away', async () => {
    const purchase = client.request({ op: 'purchase', amount: 1 });
    await client.waitForEvent((e) => e.event === 'display');
    await wireTerminal.close();
    await assert.rejects(purchase, EcrLinkClosedError);
    await assert.rejects(client.request({ op: 'status' }), { code: 'E_ECR_LINK_CLOSED' });
  });

  it('pushes events to every attached cash register and counts who ACKed', async () => {
    const [second, terminalEnd] = createMemoryChannelPair();
    terminal.server.attach(terminalEnd);
    const other = new EcrClient(second, FAST);
    const got = other.waitForEvent((e) => e.event === 'state');
    assert.equal(await terminal.server.pushEvent({ event: 'state', state: 'idle' }), 2);
    assert.deepEqual(await got, { v: 1, kind: 'event', event: 'state', state: 'idle' });
    await other.close();
  });
});
