/**
 * Record → scenario and replay host, end to end: the reference emulator (in process) talks to the host
 * simulator through `payhil record` (its own process); the session (sign-in, an approved purchase, a
 * purchase the issuer declines for funds) is written as DIR/scenario.yaml and DIR/replay-host.yaml. The
 * scenario then runs on the embedded bench against the replay host (host.replay) and passes — though the
 * bench's own simulator would approve the declined purchase — and fails with a defect switch on;
 * `payhil host --replay DIR` answers the same requests the same way, and 96 to one never recorded.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVirtualCard } from '../../harness/cards/index.js';
import { createTerminal, type EmulatedTerminal } from '../../harness/emulator/emulated-terminal.js';
import { DEFAULT_HOST_CONFIG, loadHostConfig, startHost, type HostHandle } from '../../harness/host/index.js';
import type { IsoMessage } from '../../harness/iso8583/index.js';
import { startProxy, type Proxy } from '../../harness/net/index.js';
import { loadScenarios } from '../../harness/scenario/index.js';
import { runPayhil } from './payhil-cli.test-helper.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

/** Starts `payhil ARGS` and resolves once its output matches `ready` (with the output so far). */
async function startPayhil(
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; out: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  for (let i = 0; i < 400 && !ready.test(out); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.match(out, ready);
  return { child, out: () => out, exited };
}

/** A chip purchase with PIN of cup-debit; the card is removed after. */
async function pay(t: EmulatedTerminal, minor: number) {
  const p = t.purchase(minor);
  await t.keypad.enterPin('123456');
  await t.cardSlot.insert(createVirtualCard('cup-debit'));
  const r = await p;
  await t.cardSlot.remove();
  return r;
}

describe('e2e: payhil record → scenario + replay host', function () {
  this.timeout(120_000);
  let dir: string;
  let host: HostHandle;
  let tap: Proxy;
  /** Every message between recorder and host, in clear (to prove the files hold none of its secrets). */
  const clear: IsoMessage[] = [];
  let recordOut = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-record-e2e-'));
    const config = loadHostConfig(DEFAULT_HOST_CONFIG);
    const debit = config.accounts.find((a) => a.card === 'cup-debit');
    assert.ok(debit);
    debit.balance = 5000; // 50.00: a purchase of 100.00 is declined 51 here, approved by the default host
    host = await startHost({ dialect: 'cup', config });
    tap = await startProxy({
      upstream: `127.0.0.1:${host.address.port}`,
      dialect: 'cup',
      onMessage: ({ message }) => clear.push({ mti: message.mti, fields: { ...message.fields } }),
    });
    const rec = await startPayhil(
      [
        'record',
        '--upstream',
        tap.listen,
        '-o',
        join(dir, 'rec'),
        '--id',
        'recorded/e2e-session',
        '--within',
        '8s',
      ],
      /listening on \S+:\d+/,
    );
    const port = Number(/listening on [^:\s]+:(\d+)/.exec(rec.out())?.[1]);
    const t = await createTerminal({ profile: 'cup-pos-ci', host: { host: '127.0.0.1', port } });
    try {
      assert.equal((await t.signIn()).outcome, 'approved');
      const ok = await pay(t, 1000);
      assert.equal(ok.responseCode, '00');
      const declined = await pay(t, 10000);
      assert.equal(declined.responseCode, '51');
    } finally {
      await t.close();
    }
    rec.child.kill('SIGINT');
    assert.equal(await rec.exited, 0, rec.out());
    recordOut = rec.out();
  });
  after(async () => {
    await tap?.close();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a loadable scenario whose expectations are the exchanges in order, and the replay fixture', () => {
    assert.match(
      recordOut,
      /3 exchanges \(3 answered\).*scenario\.yaml \(3 expectations\).*replay-host\.yaml \(3 requests\)/s,
    );
    const [s, ...more] = loadScenarios([join(dir, 'rec', 'scenario.yaml')]);
    assert.equal(more.length, 0);
    assert.equal(s!.id, 'recorded/e2e-session');
    assert.equal(s!.host.replay, join(dir, 'rec'));
    const expects = s!.steps
      .filter((st) => st.action === 'expect')
      .map(
        (st) => st.args as { host: { request: Record<string, unknown>; response: Record<string, unknown> } },
      );
    assert.deepEqual(
      expects.map((e) => [e.host.request.mti, e.host.request['4'], e.host.response['39']]),
      [
        ['0800', undefined, '00'],
        ['0200', '000000001000', '00'],
        ['0200', '000000010000', '51'],
      ],
    );
    assert.deepEqual(
      s!.steps.map((st) => st.action),
      [
        'signIn',
        'expect',
        'purchase',
        'insert',
        'enterPin',
        'expect',
        'remove',
        'purchase',
        'insert',
        'enterPin',
        'expect',
        'remove',
      ],
    );
  });

  it('keeps no clear PAN, track, PIN block, key or MAC value in the files', () => {
    const text = ['scenario.yaml', 'replay-host.yaml']
      .map((f) => readFileSync(join(dir, 'rec', f), 'utf8'))
      .join('\n');
    const secrets = new Set<string>();
    for (const m of clear)
      for (const n of [2, 35, 36, 52, 62, 64]) if (m.fields[n]) secrets.add(m.fields[n] as string);
    assert.ok(
      [...secrets].some((v) => v.startsWith('6222021000000000017')),
      'the tap saw the clear PAN',
    );
    assert.ok(
      clear.some((m) => m.fields[52]) && clear.some((m) => m.fields[62]),
      'and a PIN block and working keys',
    );
    for (const v of secrets) assert.ok(!text.includes(v), `the recording holds ${v.slice(0, 4)}…`);
    assert.match(text, /622202\*+0017/);
  });

  it('the generated scenario passes against the replay host on the embedded bench', async () => {
    const r = await runPayhil(['run', join(dir, 'rec', 'scenario.yaml')], dir, 90_000);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /PASS .* recorded\/e2e-session/);
  });

  it('and fails with a defect switch that changes the 0200 (its MAC leaves out field 63)', async () => {
    const r = await runPayhil(
      ['run', join(dir, 'rec', 'scenario.yaml'), '--defect', 'mac-excludes-field-63'],
      dir,
      90_000,
    );
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /FAIL .* recorded\/e2e-session/);
    assert.match(r.out, /response\.39: expected = 00, got A0/);
    assert.match(r.out, /waited 8000 ms/);
  });

  it('the same steps and expectations pass on a lab bench whose external host is `payhil host --replay DIR`', async () => {
    const h = await startPayhil(
      ['host', '--dialect', 'cup', '--listen', '127.0.0.1:0', '--replay', join(dir, 'rec')],
      /listening on \S+:\d+ \(replaying/,
    );
    try {
      const address = /listening on (\S+:\d+)/.exec(h.out())?.[1] as string;
      const lab = join(dir, 'lab.yaml');
      writeFileSync(
        lab,
        [
          'name: replay-lab',
          'capabilities: [chip, contactless, magstripe, pinpad, printer, display, ecr, emulator, host, network]',
          'terminal: { driver: emulated, profile: cup-pos-ci }',
          'card: { presenter: in-process }',
          `host: { mode: external, address: '${address}' }`,
          'dialect: cup',
          '',
        ].join('\n'),
      );
      // host.replay asks for the bench's own simulator (broken on an external host): the copy drops it.
      const copy = join(dir, 'external', 'scenario.yaml');
      mkdirSync(join(dir, 'external'));
      const text = readFileSync(join(dir, 'rec', 'scenario.yaml'), 'utf8');
      assert.match(text, /\nhost:\n {2}replay: \.\n/);
      writeFileSync(copy, text.replace(/\nhost:\n {2}replay: \.\n/, '\n'));
      const r = await runPayhil(['run', copy, '--lab', lab], dir, 90_000);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /PASS .* recorded\/e2e-session/);
      const broken = await runPayhil(['run', join(dir, 'rec', 'scenario.yaml'), '--lab', lab], dir, 90_000);
      assert.equal(broken.code, 1, broken.out);
      assert.match(broken.out, /BROKEN[\s\S]*host\.replay/);
    } finally {
      h.child.kill('SIGTERM');
      await h.exited;
    }
  });

  it('payhil host --replay DIR answers the recorded requests the same way, 96 and a journal event to another', async () => {
    const journal = join(dir, 'replay.jsonl');
    const h = await startPayhil(
      [
        'host',
        '--dialect',
        'cup',
        '--listen',
        '127.0.0.1:0',
        '--replay',
        join(dir, 'rec'),
        '--journal',
        journal,
      ],
      /listening on \S+:\d+ \(replaying/,
    );
    const port = Number(/listening on [^:\s]+:(\d+)/.exec(h.out())?.[1]);
    const t = await createTerminal({ profile: 'cup-pos-ci', host: { host: '127.0.0.1', port } });
    try {
      assert.equal(
        (await t.signIn()).outcome,
        'approved',
        'working keys of the replay host decrypt and check',
      );
      const ok = await pay(t, 1000);
      assert.equal(ok.outcome, 'approved', 'the card accepted the ARPC computed for this ARQC');
      assert.equal((await pay(t, 10000)).responseCode, '51');
      assert.equal((await pay(t, 1234)).responseCode, '96');
    } finally {
      await t.close();
      h.child.kill('SIGTERM');
      assert.equal(await h.exited, 0, h.out());
    }
    const events = readFileSync(journal, 'utf8')
      .split('\n')
      .filter((l) => l.includes('replay-unmatched'));
    assert.equal(events.length, 1);
    assert.match(events[0]!, /amount 000000001234, card 622202\*+0017/);
    assert.ok(!readFileSync(journal, 'utf8').includes('6222021000000000017'));
  });
});
