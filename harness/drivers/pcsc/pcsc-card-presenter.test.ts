/**
 * The `pcsc` card presenter against stand-ins: a fake vpcd (a real TCP server on 127.0.0.1, free port,
 * speaking vpcd's framing and playing the terminal's side: ATR request, power, APDUs, power off) and a
 * fake PC/SC watcher that sees the card while the fake vpcd holds a connection. The error paths are the
 * point: pcscd down, reader missing or busy, vpcd unreachable, pcscd never seeing the card, no swipe.
 * The real pcscd + vpcd path is test/e2e/run-lab-pcsc.test.ts.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server, type Socket } from 'node:net';
import type { CardPresenter, Observation } from '../../capabilities/index.js';
import { exchangeWithGetResponse, loadCardFixture, vpcdFrame, VpcdFrameParser } from '../../cards/index.js';
import { maskPan } from '../../common/mask.js';
import { readEmvCard } from './emv-card-reader.js';
import { PcscPresenterError, PcscUnavailableError } from './errors.js';
import { PcscCardPresenter, vpcdReaderName, type PcscReaderWatch } from './pcsc-card-presenter.js';
import type { ReaderStatus } from './pcsc-driver.js';

const READER = 'Virtual PCD 00 00';
const SELECT_PPSE = Buffer.from('00A404000E325041592E5359532E444446303100', 'hex');

/** A PC/SC watcher that reports a card while `present` is true. */
class FakeWatch implements PcscReaderWatch {
  present = false;
  active = false;
  deactivations = 0;
  private readonly waiters = new Set<() => void>();
  constructor(
    private readonly readers: string[] = [READER, 'Virtual PCD 00 01'],
    private readonly failActivate?: Error,
  ) {}
  async activate(): Promise<void> {
    if (this.failActivate) throw this.failActivate;
    this.active = true;
  }
  async deactivate(): Promise<void> {
    this.active = false;
    this.deactivations++;
  }
  async listReaders(): Promise<string[]> {
    return [...this.readers];
  }
  readerStatus(): ReaderStatus[] {
    return this.readers.map((name) => ({ name, present: name === READER && this.present, mute: false }));
  }
  set(present: boolean): void {
    this.present = present;
    for (const w of [...this.waiters]) w();
  }
  private until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = (): void => {
        if (!check()) return;
        clearTimeout(t);
        this.waiters.delete(w);
        resolve(true);
      };
      const t = setTimeout(() => {
        this.waiters.delete(w);
        resolve(check());
      }, timeoutMs);
      this.waiters.add(w);
    });
  }
  async waitForCard(reader: string | undefined, timeoutMs: number): Promise<ReaderStatus | undefined> {
    const ok = await this.until(() => this.present, timeoutMs);
    return ok ? { name: reader ?? READER, present: true, mute: false } : undefined;
  }
  async waitForRemoval(_reader: string, timeoutMs: number): Promise<boolean> {
    return this.until(() => !this.present, timeoutMs);
  }
}

/**
 * vpcd's side on a free port: one card connection at a time; tells the watcher about it (unless
 * `blind`), and plays the terminal: `ask` sends a control byte or an APDU and waits for the answer.
 */
class FakeVpcd {
  readonly server: Server = createServer();
  socket: Socket | undefined;
  blind = false;
  connections = 0;
  private parser = new VpcdFrameParser();
  private frames: Buffer[] = [];
  private waiting: ((b: Buffer) => void) | undefined;
  private closedWaiters: (() => void)[] = [];

  constructor(private readonly watch: FakeWatch) {
    this.server.on('connection', (s) => {
      this.connections++;
      this.socket = s;
      this.parser = new VpcdFrameParser();
      s.on('data', (c: Buffer) => {
        for (const f of this.parser.push(c)) {
          const w = this.waiting;
          this.waiting = undefined;
          if (w) w(f);
          else this.frames.push(f);
        }
      });
      s.on('close', () => {
        if (this.socket === s) this.socket = undefined;
        if (!this.blind) this.watch.set(false);
        for (const w of this.closedWaiters.splice(0)) w();
      });
      if (!this.blind) setImmediate(() => this.watch.set(true));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return (this.server.address() as { port: number }).port;
  }

  ask(payload: Buffer): Promise<Buffer> {
    this.socket?.write(vpcdFrame(payload));
    const q = this.frames.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no answer within 2 s')), 2000);
      this.waiting = (b) => {
        clearTimeout(t);
        resolve(b);
      };
    });
  }

  /** Power off (control 00): no answer expected. */
  powerOff(): void {
    this.socket?.write(vpcdFrame(Buffer.from([0x00])));
  }

  /** Resolves when the card connection closes (at most 3 s). */
  closed(): Promise<void> {
    if (!this.socket) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the card stayed connected')), 3000);
      this.closedWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

function isPresenterError(reason: string, verdict: string, re: RegExp) {
  return (e: unknown): boolean =>
    e instanceof PcscPresenterError && e.reason === reason && e.verdict === verdict && re.test(e.message);
}

/** A port nothing listens on (a server's port, closed again). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('drivers/pcsc/pcsc-card-presenter (fake vpcd and PC/SC watcher)', () => {
  let watch: FakeWatch;
  let vpcd: FakeVpcd;
  let port: number;
  let presenter: PcscCardPresenter | undefined;
  let seen: Observation[];

  beforeEach(async () => {
    watch = new FakeWatch();
    vpcd = new FakeVpcd(watch);
    port = await vpcd.listen();
    seen = [];
  });

  afterEach(async () => {
    await presenter?.deactivate();
    presenter = undefined;
    await vpcd.close();
  });

  /** An active presenter on the fake vpcd. */
  async function active(extra: Partial<ConstructorParameters<typeof PcscCardPresenter>[0]> = {}) {
    presenter = new PcscCardPresenter({
      reader: READER,
      vpcdPort: port,
      watch: () => watch,
      seenTimeoutMs: 1000,
      stateFields: (s) => ({ atc: s.atc, pinTriesLeft: s.pinTriesLeft, ecBalance: s.ecBalance }),
      ...extra,
    });
    presenter.observe((o) => seen.push(o));
    await presenter.activate();
    return presenter;
  }

  it('names vpcd readers by port (default configuration: 35963 and 35964 only)', () => {
    assert.equal(vpcdReaderName(), 'Virtual PCD 00 00');
    assert.equal(vpcdReaderName(35964), 'Virtual PCD 00 01');
    assert.equal(vpcdReaderName(40000), undefined);
    assert.throws(
      () => new PcscCardPresenter({ vpcdPort: 40000 }),
      isPresenterError('reader-missing', 'broken', /name the reader/),
    );
  });

  it('pcscd not running: broken, naming pcscd and vpcd', async () => {
    const down = new FakeWatch(
      [],
      new PcscUnavailableError('pcscd-not-running', 'SCardEstablishContext error: Service not available'),
    );
    presenter = new PcscCardPresenter({ watch: () => down });
    await assert.rejects(
      presenter.activate(),
      isPresenterError('pcsc-unavailable', 'broken', /pcscd is not running.*pcscd -f.*vsmartcard-vpcd/),
    );
    await assert.rejects(
      presenter.cards.insert('cup-debit'),
      isPresenterError('inactive', 'broken', /not active/),
    );
  });

  it('no vpcd reader, or a reader already holding a card: broken, and the PC/SC context is closed', async () => {
    const other = new FakeWatch(['ACS ACR122U 00 00']);
    presenter = new PcscCardPresenter({ watch: () => other });
    await assert.rejects(
      presenter.activate(),
      isPresenterError(
        'reader-missing',
        'broken',
        /no reader 'Virtual PCD 00 00' \(readers: ACS ACR122U 00 00\).*vsmartcard-vpcd.*restart pcscd/,
      ),
    );
    assert.equal(other.deactivations, 1);
    watch.present = true;
    presenter = new PcscCardPresenter({ reader: 'Virtual PCD', watch: () => watch, seenTimeoutMs: 300 });
    await assert.rejects(
      presenter.activate(),
      isPresenterError('reader-busy', 'broken', /'Virtual PCD 00 00' already holds a card.*card serve/),
    );
    assert.equal(watch.deactivations, 1);
    // A card its last user just took out (pcscd not polled yet) is waited for, not taken as busy.
    watch.present = true;
    setTimeout(() => (watch.present = false), 50);
    presenter = new PcscCardPresenter({ reader: 'Virtual PCD', watch: () => watch, seenTimeoutMs: 2000 });
    await presenter.activate();
    assert.equal(presenter.reader, 'Virtual PCD 00 00');
  });

  it('vpcd not listening, or pcscd never seeing the card: broken, naming vpcd and the reader', async () => {
    const p = await active();
    const dead = await deadPort();
    const elsewhere = new PcscCardPresenter({ reader: READER, vpcdPort: dead, watch: () => new FakeWatch() });
    await elsewhere.activate();
    await elsewhere.cards.prepare({ card: 'cup-debit' });
    await assert.rejects(
      elsewhere.cards.insert('card'),
      isPresenterError('vpcd-unreachable', 'broken', new RegExp(`vpcd at 127\\.0\\.0\\.1:${dead}.*pcscd`)),
    );
    await elsewhere.deactivate();
    vpcd.blind = true; // vpcd takes the card but pcscd never reports it
    await p.cards.prepare({ card: 'cup-debit' });
    await assert.rejects(
      p.cards.tap('card'),
      isPresenterError(
        'not-seen',
        'broken',
        /pcscd did not report it in reader 'Virtual PCD 00 00' within 1000 ms/,
      ),
    );
    await vpcd.closed(); // the card was taken back out of vpcd
  });

  it('inserts with the contact ATR, traces masked APDUs, waits before removal and takes the card out', async () => {
    let removable = 0;
    const p = await active({
      untilRemovable: async () => {
        removable++;
      },
    });
    await p.cards.prepare({ card: 'cup-debit' });
    await p.cards.insert('card');
    assert.equal(watch.present, true);
    const atr = await vpcd.ask(Buffer.from([0x04]));
    assert.equal(atr.toString('hex'), '3b68000050415948494c4355', 'contact ATR (3B 68 … "PAYHILCU")');
    vpcd.socket?.write(vpcdFrame(Buffer.from([0x01])));
    // A terminal's read (SELECT, GPO, READ RECORD…) through the fake vpcd: the records carry the PAN (5A)
    // and track 2 equivalent data (57), which the APDU trace must mask.
    const session = await readEmvCard((apdu) => exchangeWithGetResponse((c) => vpcd.ask(c), apdu));
    const pan = loadCardFixture('cup-debit').pan;
    assert.equal(session.identity.maskedPan, maskPan(pan), 'the card was really read through vpcd');
    const apdus = seen.filter((o) => o.kind === 'apdu');
    assert.ok(apdus.length >= 5, `APDUs traced: ${apdus.length}`);
    assert.equal(apdus[0]?.data.reader, READER);
    assert.equal(apdus[0]?.data.card, 'card');
    assert.equal(apdus[0]?.data.via, 'contact');
    assert.ok(
      apdus.some((o) => /^70.*\*{10}/.test(String(o.data.response))),
      'a record with masked PAN/track data',
    );
    assert.ok(!JSON.stringify(seen).includes(pan), 'no PAN in clear in any observation');
    await p.cards.remove();
    assert.equal(removable, 1, 'untilRemovable asked before an inserted card is taken out');
    await vpcd.closed();
    assert.equal(watch.present, false);
    const moves = seen.filter((o) => o.kind === 'card').map((o) => o.data.action);
    assert.deepEqual(moves, ['insert', 'remove']);
    const note = seen.find((o) => o.kind === 'note');
    assert.match(
      String(note?.data.text),
      new RegExp(`taken out of PC/SC reader 'Virtual PCD 00 00' \\(removed\\) after ${apdus.length} APDUs`),
    );
    await p.cards.remove(); // nothing in: no-op
    assert.equal(seen.filter((o) => o.kind === 'card').length, 2);
  });

  it('a tap with holdMs leaves the field holdMs after the first APDU; without, when the terminal powers it off', async () => {
    const p = await active();
    await p.cards.prepare({ card: 'ec-debit' });
    await p.cards.tap('card', 30);
    const atr = await vpcd.ask(Buffer.from([0x04]));
    assert.equal(atr.subarray(0, 4).toString('hex').slice(0, 2), '3b');
    assert.equal((atr[1] as number) & 0xf0, 0x80, 'contactless ATR: 3B 8n 80 01 …');
    assert.equal(atr.subarray(2, 4).toString('hex'), '8001');
    await new Promise((r) => setTimeout(r, 60)); // no APDU yet: still in the field
    assert.ok(vpcd.socket, 'the hold starts at the first APDU, not at the presentation');
    await vpcd.ask(SELECT_PPSE);
    await vpcd.closed();
    assert.match(
      String(seen.filter((o) => o.kind === 'note').at(-1)?.data.text),
      /moved away from PC\/SC reader 'Virtual PCD 00 00' \(left the field\) after 1 APDUs/,
    );

    await p.cards.tap('card');
    vpcd.socket?.write(vpcdFrame(Buffer.from([0x01]))); // power on: no answer
    await vpcd.ask(SELECT_PPSE);
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(vpcd.socket, 'stays in the field while the terminal talks to it');
    vpcd.powerOff();
    await vpcd.closed();
    assert.equal(watch.present, false);
    assert.equal(vpcd.connections, 2);
  });

  it('reports the scenario cards state; prepare builds fresh cards, inline ones included', async () => {
    const p = await active();
    await p.cards.prepare({ card: { extends: 'ec-debit', ec: { balance: 2000 } } });
    const fixture = loadCardFixture('ec-debit');
    assert.notEqual(fixture.ec?.balance, 2000);
    assert.deepEqual(await p.cards.state(), {
      atc: fixture.atc ?? 0,
      pinTriesLeft: fixture.pinTriesLeft ?? fixture.pinTryLimit,
      ecBalance: 2000,
    });
    await p.cards.prepare({ card: 'ec-debit' });
    assert.equal((await p.cards.state('card')).ecBalance, fixture.ec?.balance);
    await assert.rejects(
      p.cards.prepare({ card: 'no-such-card-fixture' }),
      isPresenterError('unknown-card', 'usage', /card 'card'/),
    );
    await assert.rejects(
      p.cards.insert('neither-alias-nor-fixture'),
      isPresenterError('unknown-card', 'usage', /unknown card/),
    );
  });

  it('a swipe goes to the other presenter, or is refused (broken) when the bench has none', async () => {
    const calls: unknown[][] = [];
    let refuse = false;
    const other: CardPresenter = {
      prepare: async (m) => {
        calls.push(['prepare', m]);
        if (refuse) throw new Error('inline cards are not in the page list');
      },
      insert: async () => undefined,
      tap: async () => undefined,
      swipe: async (c, t) => {
        calls.push(['swipe', c, t]);
      },
      remove: async () => undefined,
      state: async () => ({}),
    };
    const p = await active({ swipeVia: () => other });
    await p.cards.prepare({ stripe: 'magstripe-only' });
    await p.cards.swipe('stripe', 'both');
    assert.deepEqual(calls, [
      ['prepare', { stripe: 'magstripe-only' }],
      ['swipe', 'stripe', 'both'],
    ]);
    refuse = true;
    await p.cards.prepare({ stripe: 'magstripe-only' }); // refused cards only matter for a swipe
    await assert.rejects(p.cards.swipe('stripe'), /not in the page list/);
    await p.deactivate();
    presenter = undefined;

    const lone = await active();
    await lone.cards.prepare({ stripe: 'magstripe-only' });
    await assert.rejects(
      lone.cards.swipe('stripe'),
      isPresenterError('no-swipe', 'broken', /no magnetic stripe head.*drop 'magstripe'/),
    );
  });

  it('notices vpcd dropping the card, and takes any card out at the end of a scenario', async () => {
    const p = await active();
    await p.cards.prepare({ card: 'cup-debit' });
    await p.cards.insert('card');
    vpcd.socket?.destroy();
    await vpcd.closed();
    await new Promise((r) => setTimeout(r, 20));
    assert.match(String(seen.find((o) => o.kind === 'note')?.data.text), /vpcd dropped card 'card'/);
    await p.cards.insert('card');
    await p.endScenario();
    await vpcd.closed();
    assert.equal(watch.present, false);
  });
});
