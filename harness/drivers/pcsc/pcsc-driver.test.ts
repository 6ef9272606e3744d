import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { createVirtualCard, type EmvVirtualCard } from '../../cards/index.js';
import { PcscError, PcscUnavailableError } from './errors.js';
import { PcscDriver } from './pcsc-driver.js';
import {
  loadPcsclite,
  openPcscContext,
  type PcscContextHandle,
  type PcscReaderHandle,
} from './pcsclite-module.js';

const PRESENT = 0x20;
const EMPTY = 0x10;

/** A fake node-pcsclite reader (same constants and callbacks) backed by an in-process virtual card. */
class FakeReader extends EventEmitter {
  SCARD_SHARE_SHARED = 2;
  SCARD_SHARE_EXCLUSIVE = 1;
  SCARD_PROTOCOL_T0 = 1;
  SCARD_PROTOCOL_T1 = 2;
  SCARD_STATE_PRESENT = PRESENT;
  SCARD_STATE_EMPTY = EMPTY;
  SCARD_STATE_MUTE = 0x200;
  SCARD_LEAVE_CARD = 0;
  SCARD_RESET_CARD = 1;
  SCARD_UNPOWER_CARD = 2;
  state = EMPTY;
  connected = false;
  card: EmvVirtualCard | undefined;
  constructor(readonly name: string) {
    super();
  }
  insert(card: EmvVirtualCard): void {
    this.card = card;
    this.emit('status', { state: PRESENT, atr: card.atr('contact') });
  }
  remove(): void {
    this.card = undefined;
    this.emit('status', { state: EMPTY });
  }
  connect(_o: unknown, cb: (err: unknown, protocol: number) => void): void {
    if (!this.card) return cb(new Error('SCardConnect error: No smart card inserted.'), 0);
    this.card.powerOnSync('contact');
    this.connected = true;
    cb(undefined, this.SCARD_PROTOCOL_T0);
  }
  disconnect(_d: number, cb: (err: unknown) => void): void {
    this.connected = false;
    cb(undefined);
  }
  transmit(data: Buffer, _len: number, _p: number, cb: (err: unknown, r: Buffer) => void): void {
    setImmediate(() =>
      this.card ? cb(undefined, this.card.transmitSync(data)) : cb(new Error('removed'), Buffer.alloc(0)),
    );
  }
  close(): void {
    this.emit('end');
  }
}

function fakeFactory(readers: FakeReader[]) {
  return (): PcscContextHandle => {
    const ctx = new EventEmitter() as EventEmitter & PcscContextHandle;
    ctx.readers = {};
    ctx.close = () => undefined;
    setImmediate(() => {
      for (const r of readers) ctx.emit('reader', r as unknown as PcscReaderHandle);
    });
    return ctx;
  };
}

describe('drivers/pcsc/pcsc-driver (fake pcsclite peer)', () => {
  it('lists readers, waits for insertion and removal, connects and exchanges with GET RESPONSE', async () => {
    const a = new FakeReader('Fake Reader A');
    const b = new FakeReader('Fake Reader B');
    const driver = new PcscDriver({ factory: fakeFactory([b, a]) });
    await driver.activate();
    assert.deepEqual(await driver.listReaders(), ['Fake Reader A', 'Fake Reader B']);
    assert.equal(await driver.waitForCard('Fake Reader A', 20), undefined, 'nothing inserted yet');
    setTimeout(() => a.insert(createVirtualCard('cup-debit')), 10);
    const st = await driver.waitForCard(undefined, 1000);
    assert.equal(st?.name, 'Fake Reader A');
    assert.equal(st?.atr?.toString('hex'), '3b68000050415948494c4355');
    const conn = await driver.connect('Fake Reader A');
    assert.equal(conn.protocol, 'T0');
    const r = await conn.transmit(Buffer.from('00A404000E315041592E5359532E444446303100', 'hex'));
    assert.equal(r.subarray(-2).toString('hex'), '9000', 'GET RESPONSE followed');
    assert.equal(
      (await conn.transmitRaw(Buffer.from('00A404000E315041592E5359532E444446303100', 'hex'))).toString(
        'hex',
      ),
      '611e',
    );
    await conn.disconnect();
    setTimeout(() => a.remove(), 10);
    assert.equal(await driver.waitForRemoval('Fake Reader A', 1000), true);
    await assert.rejects(driver.connect('Fake Reader A'), PcscError);
    await assert.rejects(
      driver.connect('No Such Reader'),
      (e: unknown) => e instanceof PcscError && /readers: Fake Reader A, Fake Reader B/.test(e.message),
    );
    await driver.deactivate();
    await assert.rejects(
      driver.listReaders(),
      (e: unknown) => e instanceof PcscError && /not activated/.test(e.message),
    );
  });

  it('drops the stale connection node-pcsclite keeps when a card left during a transmit', async () => {
    // node-pcsclite (lib/pcsclite.js): connect() on a reader still marked connected calls back with no
    // protocol and does not connect; a transmit that fails because the card left keeps the mark.
    class StickyReader extends FakeReader {
      disconnects = 0;
      override connect(o: unknown, cb: (err: unknown, protocol: number) => void): void {
        if (this.connected) return (cb as (err?: unknown) => void)();
        super.connect(o, cb);
      }
      override disconnect(d: number, cb: (err: unknown) => void): void {
        this.disconnects++;
        super.disconnect(d, cb);
      }
    }
    const a = new StickyReader('Fake Reader A');
    const driver = new PcscDriver({ factory: fakeFactory([a]) });
    await driver.activate();
    await driver.listReaders();
    a.insert(createVirtualCard('cup-debit'));
    await driver.waitForCard('Fake Reader A', 1000);
    const first = await driver.connect('Fake Reader A');
    a.remove();
    await assert.rejects(first.transmitRaw(Buffer.from('00B2010C00', 'hex')), PcscError);
    assert.equal(a.connected, true, 'the fake keeps the stale mark like node-pcsclite');
    a.insert(createVirtualCard('cup-debit'));
    const second = await driver.connect('Fake Reader A');
    assert.equal(second.protocol, 'T0');
    assert.equal(a.disconnects, 1, 'the stale connection was dropped first');
    const r = await second.transmit(Buffer.from('00A404000E315041592E5359532E444446303100', 'hex'));
    assert.equal(r.subarray(-2).toString('hex'), '9000');
    await driver.deactivate();
  });

  it('says what to install when the pcsclite module is missing, and what to start when pcscd is down', async () => {
    await assert.rejects(
      loadPcsclite('payhil-no-such-pcsclite-module'),
      (e: unknown) =>
        e instanceof PcscUnavailableError &&
        e.reason === 'module-missing' &&
        /apt-get install pcscd libpcsclite-dev/.test(e.message) &&
        /npm install pcsclite/.test(e.message),
    );
    await assert.rejects(
      openPcscContext(() => {
        throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
      }),
      (e: unknown) =>
        e instanceof PcscUnavailableError &&
        e.reason === 'pcscd-not-running' &&
        /pcscd -f/.test(e.message) &&
        e.verdict === 'usage',
    );
  });
});
