import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EcrClient,
  EcrRemoteError,
  EcrServer,
  createMemoryChannelPair,
  type CardStateRequest,
  type CardStateResult,
  type EcrEvent,
  type EcrRequestBody,
} from './ecr/index.js';
import {
  EcrTerminalAdapter,
  forwardEcrEvents,
  toEcrEvent,
  toTransactionResult,
} from './ecr-terminal-adapter.js';
import { startRig, type Rig } from './emulator-test-kit.test-helper.js';
import { inlineCardFixture } from './inline-card.js';
import type { TerminalEvent } from './terminal-events.js';

const ev = (body: Record<string, unknown>): TerminalEvent => ({ at: 0, seq: 1, ...body }) as TerminalEvent;

async function refused(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EcrRemoteError, String(e));
    assert.equal(e.remoteCode, code, e.message);
    return true;
  });
}

describe('ECR terminal adapter', () => {
  describe('mapping', () => {
    it('turns display, state, receipt, indicator and result events into ECR events; keeps the rest off the link', () => {
      assert.deepEqual(toEcrEvent(ev({ type: 'display', lines: ['WELCOME'], key: 'welcome' })), {
        event: 'display',
        lines: ['WELCOME'],
      });
      assert.deepEqual(toEcrEvent(ev({ type: 'state', state: 'idle', previous: 'result' })), {
        event: 'state',
        state: 'idle',
      });
      assert.deepEqual(toEcrEvent(ev({ type: 'receipt', text: 'SLIP', copy: 'customer' })), {
        event: 'receipt',
        text: 'SLIP',
        copy: 'customer',
      });
      assert.deepEqual(toEcrEvent(ev({ type: 'indicator', beep: 3, leds: { red: 'on' } })), {
        event: 'indicator',
        beep: 3,
        leds: { red: 'on' },
      });
      const r = toEcrEvent(
        ev({
          type: 'result',
          result: {
            transaction: 'completion',
            outcome: 'approved',
            messageKey: 'approved',
            message: 'APPROVED',
          },
        }),
      );
      assert.equal(r?.event, 'result');
      assert.equal(r?.event === 'result' && r.result.transaction, 'preAuth');
      for (const type of ['apdu', 'message', 'note', 'card', 'reversal', 'host-error'])
        assert.equal(toEcrEvent(ev({ type })), undefined, type);
    });

    it('puts only a masked PAN on the link and keeps the message key', () => {
      const base = {
        transaction: 'purchase',
        outcome: 'approved',
        messageKey: 'approved',
        message: 'APPROVED',
      } as const;
      const ok = toTransactionResult(
        { ...base, maskedPan: '622202*********0017', amount: 5 },
        'purchase',
        '156',
      );
      assert.equal(ok.maskedPan, '622202*********0017');
      assert.equal(ok.currency, '156');
      assert.deepEqual(ok.details, { messageKey: 'approved' });
      // A PAN the terminal could not mask (e.g. a card read through a PC/SC reader before its PAN is
      // known), or anything not masked, never crosses the link.
      assert.equal(toTransactionResult({ ...base, maskedPan: '' }, 'purchase').maskedPan, undefined);
      assert.equal(
        toTransactionResult({ ...base, maskedPan: '6222021000000000017' }, 'purchase').maskedPan,
        undefined,
      );
    });
  });

  describe('requests against the emulated terminal and the host simulator', function () {
    this.timeout(15000);
    let rig: Rig;
    let adapter: EcrTerminalAdapter;
    const call = (r: EcrRequestBody) => adapter.handle(r);
    const cardState = (r: Omit<CardStateRequest, 'op'>) =>
      adapter.handle({ op: 'cardState', ...r }) as Promise<CardStateResult>;
    before(async () => {
      rig = await startRig();
      adapter = new EcrTerminalAdapter({ terminal: rig.terminal, firmware: 'test-fw' });
    });
    after(async () => rig.close());

    it('answers status, readDisplay and readReceipt', async () => {
      assert.deepEqual(await call({ op: 'status' }), {
        state: 'idle',
        signedIn: true,
        busy: false,
        testMode: true,
        profile: 'cup-pos-ci',
        firmware: 'test-fw',
        batch: '000001',
        pendingReversal: false,
        defects: [],
        devices: { reader: 'ok', pinpad: 'ok', printer: 'ok', contactless: 'ok' },
        cardInserted: false,
        retained: false,
      });
      assert.deepEqual(await call({ op: 'readDisplay' }), { lines: ['WELCOME'] });
      assert.deepEqual(await call({ op: 'readReceipt' }), { text: null });
    });

    it('refuses what the terminal does not offer or cannot take', async () => {
      await refused(call({ op: 'withdraw', amount: 100 }), 'NOT_SUPPORTED');
      await refused(call({ op: 'purchase', amount: 100, currency: '840' }), 'BAD_REQUEST');
      await refused(call({ op: 'purchase', amount: 0 }), 'BAD_REQUEST');
      await refused(call({ op: 'cancel' }), 'NO_TRANSACTION');
      await refused(call({ op: 'powerCycle' }), 'NOT_SUPPORTED');
      await refused(call({ op: 'card', action: 'insert' }), 'BAD_REQUEST');
      await refused(call({ op: 'card', action: 'insert', card: 'no-such-card' }), 'BAD_REQUEST');
      await refused(call({ op: 'explode' } as unknown as EcrRequestBody), 'UNKNOWN_OP');
    });

    it("cardState with options.fault changes a wallet's condition on the same card, device sets a peripheral", async () => {
      assert.equal(
        (await cardState({ card: 'phone-wallet', options: { fault: { kind: 'nfc-off' } } })).state
          .walletState,
        'nfc-off',
      );
      assert.equal((await cardState({ card: 'phone-wallet' })).state.walletState, 'nfc-off');
      assert.equal(
        (await cardState({ card: 'phone-wallet', options: { fault: { kind: 'wallet-open' } } })).state
          .walletState,
        'open',
      );
      assert.deepEqual(await call({ op: 'device', device: 'contactless', condition: 'weak' }), {});
      assert.equal(rig.terminal.devices.contactless, 'weak');
      await call({ op: 'device', device: 'contactless', condition: 'ok' });
      assert.equal(rig.terminal.devices.contactless, 'ok');
    });

    it("clock sets, moves and resets the terminal's calendar; a bad time is BAD_REQUEST", async () => {
      assert.deepEqual(await call({ op: 'clock', set: '2026-12-31T23:59:50+08:00' }), {});
      assert.equal(rig.terminal.calendar.yymmdd(), '261231');
      await call({ op: 'clock', advance: 20_000 });
      assert.equal(rig.terminal.calendar.yymmdd(), '270101');
      await refused(call({ op: 'clock', set: '2026-02-30T00:00:00Z' }), 'BAD_REQUEST');
      await call({ op: 'clock', reset: true });
      assert.equal(rig.terminal.calendar.moved, false);
    });

    it('mode switches maintenance on (OUT OF SERVICE, a purchase refused) and off (WELCOME)', async () => {
      assert.deepEqual(await call({ op: 'mode', mode: 'maintenance' }), {});
      assert.equal(rig.terminal.mode, 'maintenance');
      assert.deepEqual(await call({ op: 'readDisplay' }), { lines: ['OUT OF SERVICE'] });
      const r = await rig.terminal.purchase(100);
      assert.equal(r.messageKey, 'outOfService');
      await call({ op: 'mode', mode: 'normal' });
      assert.equal(rig.terminal.mode, 'normal');
      assert.deepEqual(await call({ op: 'readDisplay' }), { lines: ['WELCOME'] });
    });

    it('keeps one card object per fixture (its PIN tries and ATC live on)', () => {
      assert.equal(adapter.card('cup-debit'), adapter.card('cup-debit'));
      assert.notEqual(adapter.card('cup-debit'), adapter.card('cup-credit'));
    });

    it('makes inline cards in memory: the base with fields changed (objects merged), one per name and content', async () => {
      const fixture = { extends: 'ec-debit', ec: { balance: 2000 } };
      const st = await cardState({ card: 'short', fixture });
      // The base's name (the host knows the account by it), the purse changed, the rest of `ec` kept.
      assert.equal(st.card, 'ec-debit');
      assert.equal(st.state['9F79'], 2000);
      assert.equal(st.state.ecBalance, 2000);
      // ec-debit's purse: only the balance changed (objects merge key by key, as fixture files extend).
      assert.deepEqual(inlineCardFixture(fixture).ec, {
        balance: 2000,
        balanceLimit: 100000,
        singleTransactionLimit: 30000,
        resetThreshold: 10000,
      });
      const c = adapter.card('short', fixture);
      assert.equal(c.snapshot().ecBalance, 2000);
      assert.equal(adapter.card('short', { ...fixture }), c, 'the same content is the same card');
      // The same name with other content (the next scenario's inline card) is another card.
      const other = adapter.card('short', { extends: 'ec-debit', ec: { balance: 100 } });
      assert.notEqual(other, c);
      assert.equal(other.snapshot().ecBalance, 100);
    });

    it('refuses an inline card it cannot make: unknown base, a field the card schema refuses', async () => {
      await refused(
        call({ op: 'card', action: 'insert', card: 'x', fixture: { extends: 'no-such-card' } }),
        'BAD_REQUEST',
      );
      await refused(cardState({ card: 'x', fixture: { extends: 'cup-debit', pin: 1234 } }), 'BAD_REQUEST');
      await refused(
        cardState({ card: 'x', fixture: { extends: 'cup-debit', colour: 'red' } }),
        'BAD_REQUEST',
      );
    });

    it('reads a configured fixture again when asked for a fresh card (the file may hold another card)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'payhil-adapter-'));
      try {
        const file = join(dir, 'lab-card.yaml');
        const configured = new EcrTerminalAdapter({ terminal: rig.terminal, cardDirs: [dir] });
        const state = (r: Omit<CardStateRequest, 'op'>) =>
          configured.handle({ op: 'cardState', ...r }) as Promise<CardStateResult>;
        writeFileSync(file, 'name: ec-debit\nextends: ec-debit\nec: { balance: 1500 }\n');
        const a = await state({ card: 'lab-card', options: { reset: true } });
        assert.equal(a.state.ecBalance, 1500);
        writeFileSync(file, 'name: cup-debit\nextends: cup-debit\npinTriesLeft: 1\n');
        const b = await state({ card: 'lab-card', options: { reset: true } });
        assert.equal(b.card, 'cup-debit');
        assert.equal(b.state.pinTriesLeft, 1);
        assert.equal(b.state.ecBalance, 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('presses keys: F-keys only beep, a too-short PIN is refused, CANCEL cancels', async () => {
      const beeps = rig.terminal.events.lastSeq;
      await call({ op: 'key', keys: ['F1', 'MENU'] });
      const after = rig.terminal.events.history().filter((e) => e.seq > beeps);
      assert.deepEqual(
        after.map((e) => e.type),
        ['indicator', 'indicator'],
      );
      const p = call({ op: 'purchase', amount: 100 });
      await rig.terminal.events.waitFor((e) => e.type === 'state' && e.state === 'waitingForCard');
      await refused(call({ op: 'balance' }), 'BUSY');
      await refused(call({ op: 'key', keys: ['1', '2', 'ENTER'] }), 'BAD_REQUEST');
      await call({ op: 'key', keys: ['CANCEL'] });
      const r = await p;
      assert.equal('outcome' in r && r.outcome, 'cancelled');
    });

    it('runs a purchase over an in-memory ECR link with events pushed as they happen', async () => {
      const [a, b] = createMemoryChannelPair();
      const server = new EcrServer({ handler: adapter.handler });
      server.attach(a);
      const stop = forwardEcrEvents(rig.terminal.events, (e) => server.pushEvent(e));
      const client = new EcrClient(b);
      const events: EcrEvent[] = [];
      client.on('event', (e) => events.push(e));
      try {
        const result = client.request(
          { op: 'purchase', amount: 777, ecrReference: 'R-1' },
          { timeoutMs: 10000 },
        );
        await client.waitForEvent((e) => e.event === 'state' && e.state === 'waitingForCard');
        await client.request({ op: 'key', keys: ['1', '2', '3', '4', '5', '6', 'ENTER'] }); // PIN typed ahead
        await client.request({ op: 'card', action: 'insert', card: 'cup-debit' });
        const r = await result;
        assert.equal(r.outcome, 'approved', r.message);
        assert.equal(r.ecrReference, 'R-1');
        assert.equal(r.maskedPan, '622202*********0017');
        assert.equal(r.currency, '156');
        // The idle state event is pushed before the answer to `remove`: wait from before the request.
        const idle = client.waitForEvent((e) => e.event === 'state' && e.state === 'idle');
        await client.request({ op: 'card', action: 'remove' });
        await idle;
        const receipt = await client.request({ op: 'readReceipt', copy: 'customer' });
        assert.match(receipt.text ?? '', /622202\*{9}0017/);
        // The card's run state after the online purchase: one more ATC, an online cryptogram last.
        const before = adapter.card('cup-debit').snapshot();
        const st = await client.request({ op: 'cardState' });
        assert.equal(st.card, 'cup-debit');
        assert.equal(st.state['9F36'], before.atc);
        assert.equal(st.state.logEntries, before.log.length);
        assert.ok(before.atc >= 2, 'the purchase counted on the card');
        assert.equal(st.state.pinTriesLeft, 3);
        assert.equal(JSON.stringify(st).includes('6222021000000000017'), false, 'no PAN');
        const states = events
          .filter((e) => e.event === 'state')
          .map((e) => (e.event === 'state' ? e.state : ''));
        assert.deepEqual(states.slice(0, 2), ['amount', 'waitingForCard']);
        assert.ok(events.some((e) => e.event === 'receipt'));
        assert.ok(events.some((e) => e.event === 'result' && e.result.outcome === 'approved'));
      } finally {
        stop();
        await client.close();
        await server.close();
      }
    });
  });
});
