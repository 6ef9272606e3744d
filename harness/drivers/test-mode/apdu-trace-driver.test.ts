import assert from 'node:assert/strict';
import type { Observation } from '../../capabilities/index.js';
import { createFakeTerminal, type FakeTerminal } from '../../emulator/ecr/fake-terminal.test-helper.js';
import { ApduTraceDriver } from './apdu-trace-driver.js';

const EXCHANGE = {
  event: 'apdu',
  via: 'contactless',
  command: '00A404000E325041592E5359532E444446303100',
  response: '6F0A840E9000',
  ms: 3,
} as const;

async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

describe('drivers/test-mode: ApduTraceDriver', () => {
  let terminal: FakeTerminal;
  let driver: ApduTraceDriver | undefined;
  afterEach(async () => {
    await driver?.deactivate();
    await terminal.server.close();
  });

  it('asks for the trace and passes on only apdu observations', async () => {
    terminal = createFakeTerminal({ testMode: true });
    const { host, port } = await terminal.server.listenTcp({ port: 0 });
    driver = new ApduTraceDriver(() => ({ host, port }));
    const seen: Observation[] = [];
    driver.observe((o) => seen.push(o));
    await driver.activate();
    assert.equal(await terminal.server.pushTrace(EXCHANGE), 1);
    await terminal.server.pushEvent({ event: 'display', lines: ['WELCOME'] });
    await eventually(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      seen.map((o) => [o.kind, o.data.command]),
      [['apdu', EXCHANGE.command]],
    );
  });

  it('connects again before a scenario when the terminal closed the idle link', async () => {
    terminal = createFakeTerminal({ testMode: true, idleTimeoutMs: 150 });
    const { host, port } = await terminal.server.listenTcp({ port: 0 });
    driver = new ApduTraceDriver(() => ({ host, port }));
    const seen: Observation[] = [];
    driver.observe((o) => seen.push(o));
    await driver.activate();
    await eventually(() => terminal.server.connections === 0);
    assert.equal(terminal.server.connections, 0, 'the terminal closed the idle link');
    assert.equal(await terminal.server.pushTrace(EXCHANGE), 0, 'nobody hears the trace now');
    await driver.beginScenario();
    assert.equal(await terminal.server.pushTrace(EXCHANGE), 1, 'the trace is asked for again');
    await eventually(() => seen.length === 1);
    assert.equal(seen[0]?.kind, 'apdu');
  });

  it('is broken when the channel is not in test mode', async () => {
    terminal = createFakeTerminal({ testMode: false });
    const { host, port } = await terminal.server.listenTcp({ port: 0 });
    driver = new ApduTraceDriver(() => ({ host, port }));
    await assert.rejects(driver.activate(), (e: unknown) => /not in test mode/.test((e as Error).message));
    driver = undefined;
  });
});
