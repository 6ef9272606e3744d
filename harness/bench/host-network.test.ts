import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { packagePath } from '../common/project-root.js';
import { TEST_PANS, TEST_TERMINAL, TEST_TMK, TestTerminal } from '../testing/index.js';
import { loadHostConfig, startHost, type HostHandle } from '../host/index.js';
import type { Scenario } from '../scenario/index.js';
import { createHostNetwork, presentedFixtures } from './host-network.js';

const scenario = (over: Partial<Scenario>): Scenario =>
  ({ id: 's', bench: {}, cards: {}, steps: [], finally: [], ...over }) as unknown as Scenario;

describe('host network: a scenario with host.replay on the simulator', () => {
  it('a missing recording is broken with the reason, not a crash', async () => {
    const net = createHostNetwork({ dialect: 'cup', emit: () => undefined });
    await net.driver.activate();
    try {
      await net.driver.beginScenario?.(
        scenario({ host: { rules: [], accounts: {}, replay: '/nonexistent/rec' } } as Partial<Scenario>),
      );
      await assert.rejects(
        net.host.reset({ accounts: {}, cardOverrides: {} }),
        (e: Error & { code?: string; verdict?: string }) => {
          assert.equal(e.code, 'E_BENCH_HOST_SETUP');
          assert.equal(e.verdict, 'broken');
          assert.match(e.message, /host\.replay: replay: no replay fixture at \/nonexistent\/rec/);
          return true;
        },
      );
    } finally {
      await net.driver.deactivate();
    }
  });
});

describe('host network: the simulator as a replay host', () => {
  it('answers from the recording, and puts a request with no recorded answer on the timeline as a note', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-hn-replay-'));
    const notes: string[] = [];
    const net = createHostNetwork({
      dialect: 'cup',
      emit: (kind, data) => void (kind === 'note' && notes.push(String(data.text))),
    });
    try {
      writeFileSync(
        join(dir, 'replay-host.yaml'),
        stringify({
          version: 1,
          dialect: 'cup',
          cardHash: { algorithm: 'sha256-salted-16', salt: '0'.repeat(32) },
          exchanges: [{ request: { mti: '0800' }, response: { mti: '0810', fields: { '39': '00' } } }],
        }),
      );
      await net.driver.activate();
      await net.driver.beginScenario?.(
        scenario({ host: { rules: [], accounts: {}, replay: dir } } as Partial<Scenario>),
      );
      await net.host.reset({ accounts: {}, cardOverrides: {} });
      const target = net.terminalTarget();
      const t = await TestTerminal.connect({ dialect: 'cup', ...target, ...TEST_TERMINAL, tmk: TEST_TMK });
      try {
        assert.equal((await t.signIn()).fields[39], '00');
        const { answer } = await t.transact('purchase', { card: { pan: TEST_PANS.debit }, amount: 100 });
        assert.equal(answer.fields[39], '96');
      } finally {
        await t.close();
      }
      for (let i = 0; i < 50 && notes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.match(notes.join('\n'), /replay: no recorded answer for MTI 0200, .*card 622202\*+0017/);
    } finally {
      await net.driver.deactivate();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('host network with an external host', () => {
  let external: HostHandle;
  before(async () => {
    external = await startHost({
      dialect: 'cup',
      config: loadHostConfig(packagePath('fixtures', 'hosts', 'default.yaml')),
    });
  });
  after(() => external.close());

  const make = () =>
    createHostNetwork({ dialect: 'cup', externalHost: external.address, emit: () => undefined });

  it('a scenario host profile, another dialect, accounts, rules and account changes are broken with what is missing', async () => {
    const net = make();
    await net.driver.activate();
    try {
      await net.driver.beginScenario?.(scenario({ bench: { host: 'strict' } }));
      await assert.rejects(
        net.host.reset({ accounts: {}, cardOverrides: {} }),
        (e: Error & { code?: string; verdict?: string }) => {
          assert.equal(e.code, 'E_BENCH_HOST_SETUP');
          assert.equal(e.verdict, 'broken');
          assert.match(e.message, /external host 127\.0\.0\.1:\d+.*host profile 'strict' \(bench\.host\)/);
          return true;
        },
      );
      await assert.rejects(
        net.driver.beginScenario?.(scenario({ bench: { dialect: 'iso87-ascii' } })) ?? Promise.resolve(),
        /dialect 'iso87-ascii' \(bench\.dialect\); this bench's host and proxy speak 'cup'/,
      );
      await net.driver.beginScenario?.(
        scenario({ host: { rules: [], accounts: {}, replay: '/rec/x' } } as Partial<Scenario>),
      );
      await assert.rejects(net.host.reset({ accounts: {}, cardOverrides: {} }), /host\.replay \(\/rec\/x\)/);
      await net.driver.beginScenario?.(scenario({ bench: { dialect: 'cup' } }));
      await net.host.reset({ accounts: {}, cardOverrides: {} }); // nothing to set up: fine
      await assert.rejects(
        net.host.reset({ accounts: { 'cup-debit': { balance: '1.00' } }, cardOverrides: {} }),
        /host\.accounts \(cup-debit\)/,
      );
      await assert.rejects(
        net.host.addRules([{ id: 'slow', respond: { delay: '5s' } }]),
        /host\.rules \(1 rule: slow\)/,
      );
      await assert.rejects(
        net.host.updateAccounts({ 'cup-debit': { status: 'frozen' } }),
        /account changes of a host step \(cup-debit\)/,
      );
    } finally {
      await net.driver.deactivate();
    }
  });

  it('finds the fixtures a scenario presents, through aliases and inline cards', () => {
    const s = scenario({
      cards: { a: 'cup-debit', b: { extends: 'cup-credit', pin: '1' }, c: 'expired' },
      steps: [
        { action: 'insert', args: { card: 'b' } },
        { action: 'tap', args: { card: 'visa' } },
      ],
      finally: [{ action: 'remove', args: { card: 'a' } }],
    } as unknown as Partial<Scenario>);
    assert.deepEqual([...presentedFixtures(s)].sort(), ['cup-credit', 'cup-debit', 'visa']);
  });
});
