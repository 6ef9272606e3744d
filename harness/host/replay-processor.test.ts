import { strict as assert } from 'node:assert';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { applyMac } from '../pos-protocol/index.js';
import {
  TEST_PANS,
  TEST_PIN,
  TEST_TERMINAL,
  TEST_TMK,
  testHostConfig,
  TestTerminal,
} from '../testing/index.js';
import { startHost, type HostHandle } from './host-server.js';
import { cardHash, loadReplayFixture, type ReplayFixture } from './replay-fixture.js';

const SALT = '00112233445566778899aabbccddeeff';
const card = (pan: string) => ({
  masked: `${pan.slice(0, 6)}*********${pan.slice(-4)}`,
  hash: cardHash(SALT, pan),
});

/** A recording: sign-in approved, a purchase of 12.34 declined 51 by an issuer (what the simulator would approve). */
function fixture(signInCode = '00'): ReplayFixture {
  return {
    version: 1,
    dialect: 'cup',
    cardHash: { algorithm: 'sha256-salted-16', salt: SALT },
    exchanges: [
      { request: { mti: '0800' }, response: { mti: '0810', fields: { '39': signInCode } } },
      {
        request: {
          mti: '0200',
          processingCode: '000000',
          amount: '000000001234',
          card: card(TEST_PANS.credit),
        },
        response: { mti: '0210', fields: { '39': '51' } },
      },
      {
        request: {
          mti: '0200',
          processingCode: '000000',
          amount: '000000001234',
          card: card(TEST_PANS.credit),
        },
        response: { mti: '0210', fields: { '39': '00', '38': 'AB1234' } },
      },
    ],
  };
}

describe('host/replay-processor: payhil host --replay', function () {
  this.timeout(20000);
  let host: HostHandle | undefined;
  let t: TestTerminal | undefined;
  afterEach(async () => {
    await t?.close();
    await host?.close();
    t = undefined;
    host = undefined;
  });
  const start = async (f: ReplayFixture): Promise<TestTerminal> => {
    host = await startHost({ dialect: 'cup', config: testHostConfig(), replay: f });
    t = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
    });
    return t;
  };
  const purchase = (term: TestTerminal, amount: number, pan: string = TEST_PANS.credit) =>
    term.transact('purchase', { card: { pan }, amount, pin: TEST_PIN });

  it('signs in with fresh working keys and answers recorded codes in order, by key not STAN, echoing and MACing', async () => {
    const term = await start(fixture());
    const s = await term.signIn();
    assert.equal(s.fields[39], '00');
    assert.ok(term.keys, 'the working keys of field 62 decrypt and their check values verify');
    const a = await purchase(term, 1234);
    assert.equal(a.answer.fields[39], '51');
    assert.equal(a.answer.fields[11], a.request.fields[11], 'STAN echoed from the new request');
    assert.equal(a.answer.fields[41], TEST_TERMINAL.terminalId);
    assert.equal(a.answer.macOk, true, 'answer MAC under the session MAK');
    const b = await purchase(term, 1234);
    assert.equal(b.answer.fields[39], '00');
    assert.equal(b.answer.fields[38], 'AB1234');
    assert.match(b.answer.fields[37] ?? '', /^\d{12}$/, 'a fresh RRN for an approval');
    const c = await purchase(term, 1234);
    assert.equal(c.answer.fields[39], '00', 'past the last recorded answer the last answers again');
  });

  it('answers 96 with a journal event (masked card) to a request the recording has no answer for', async () => {
    const term = await start(fixture());
    await term.signIn();
    const other = await purchase(term, 999);
    assert.equal(other.answer.fields[39], '96');
    assert.equal(other.answer.macOk, true);
    const otherCard = await purchase(term, 1234, TEST_PANS.debit);
    assert.equal(otherCard.answer.fields[39], '96', 'the card is part of the key');
    const events = host!.journal.entries((e) => e.direction === 'event' && e.event === 'replay-unmatched');
    assert.equal(events.length, 2);
    assert.match(
      events[0]!.message ?? '',
      /MTI 0200, processing code 000000, amount 000000000999, card 625800\*+0022/,
    );
    assert.ok(!JSON.stringify(events).includes(TEST_PANS.credit), 'no clear PAN in the journal');
  });

  it('gives no answer to a request the host never answered when recorded (a timeout replays as a timeout)', async () => {
    const f = fixture();
    f.exchanges.push({
      request: {
        mti: '0200',
        processingCode: '000000',
        amount: '000000000500',
        card: card(TEST_PANS.credit),
      },
      noAnswer: true,
    });
    const term = await start(f);
    await term.signIn();
    const req = term.build('purchase', { card: { pan: TEST_PANS.credit }, amount: 500, pin: TEST_PIN });
    await assert.rejects(term.exchange(req, { timeoutMs: 500 }));
    const withheld = host!.journal.entries((e) => e.direction === 'event' && e.event === 'no-answer');
    assert.equal(withheld.length, 1);
    assert.match(withheld[0]!.message ?? '', /never answered when recorded/);
  });

  it('keeps the session checks: a bad MAC is A0, a recorded failed sign-in gives its code and no keys', async () => {
    let term = await start(fixture());
    await term.signIn();
    const req = term.build('purchase', { card: { pan: TEST_PANS.credit }, amount: 1234, pin: TEST_PIN });
    const macced = applyMac(term.dialect, req, term.keys!.mak);
    macced.fields[64] = '0000000000000000';
    const bad = await term.exchange(macced, { mac: false });
    assert.equal(bad.fields[39], 'A0');
    await term.close();
    await host!.close();
    term = await start(fixture('97'));
    const s = await term.signIn();
    assert.equal(s.fields[39], '97');
    assert.equal(s.fields[62], undefined);
  });

  it('refuses a recording of another dialect', async () => {
    await assert.rejects(
      startHost({ dialect: 'iso87-ascii', config: testHostConfig(), replay: fixture() }),
      /recording is in the ISO 8583 dialect 'cup', this host speaks 'iso87-ascii'/,
    );
  });

  it('loads a recording folder, and refuses a missing or invalid fixture with a located error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-replay-'));
    try {
      assert.throws(() => loadReplayFixture(dir), /no replay fixture at .*replay-host\.yaml/);
      writeFileSync(join(dir, 'replay-host.yaml'), stringify(fixture()));
      assert.equal(loadReplayFixture(dir).exchanges.length, 3);
      const broken = readFileSync(join(dir, 'replay-host.yaml'), 'utf8').replace('mti: "0200"', 'mti: 200x');
      writeFileSync(join(dir, 'replay-host.yaml'), broken);
      assert.throws(() => loadReplayFixture(dir), /replay-host\.yaml:\d+:\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
