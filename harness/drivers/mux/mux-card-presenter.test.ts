import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { LoadedStep, Scenario } from '../../scenario/index.js';
import { MockMultiplexer } from '../../testing/mock-mux-robot.js';
import { MuxCardPresenter } from './mux-card-presenter.js';

function presenterOn(mux: MockMultiplexer, slots: Record<string, number | { slot: number; label?: string }>) {
  const device = { name: 'mux test', activate: async () => undefined, deactivate: async () => undefined };
  return new MuxCardPresenter(device, mux, { slots });
}

const at = { line: 7, column: 3 };
function scenario(cards: Scenario['cards'], steps: Partial<LoadedStep>[]): Scenario {
  return { cards, steps: steps.map((s) => ({ at, args: null, ...s })), finally: [] } as unknown as Scenario;
}

describe('MuxCardPresenter', () => {
  it('preflight passes when every slot holds its card (by fixture name or label)', async () => {
    const mux = new MockMultiplexer({ 3: 'cup-debit', 5: 'CUP CREDIT 12' });
    const p = presenterOn(mux, { 'cup-debit': 3, 'cup-credit': { slot: 5, label: 'CUP CREDIT 12' } });
    await p.activate();
    assert.deepEqual(
      mux.calls.map((c) => c.method),
      ['slotCard', 'slotCard', 'deselect'],
    );
  });

  it('preflight names every empty or wrong slot and what to put there', async () => {
    const mux = new MockMultiplexer({ 3: 'ec-debit' });
    const p = presenterOn(mux, { 'cup-debit': 3, 'cup-credit': 4 });
    await assert.rejects(p.activate(), (e: Error & { code: string; verdict: string }) => {
      assert.equal(e.code, 'E_MUX_SLOT');
      assert.equal(e.verdict, 'broken');
      assert.match(
        e.message,
        /slot 3 holds 'ec-debit', not 'cup-debit': put 'cup-debit' in slot 3 or fix card.slots/,
      );
      assert.match(e.message, /slot 4 is empty: put card 'cup-credit' in it/);
      return true;
    });
  });

  it('with a monitor reader, each slot is also read there and a wrong PAN is named', async () => {
    const mux = new MockMultiplexer({ 3: 'cup-debit', 5: 'cup-credit' });
    const checked: string[] = [];
    const device = { name: 'mux test', activate: async () => undefined, deactivate: async () => undefined };
    const p = new MuxCardPresenter(device, mux, {
      slots: { 'cup-debit': 3, 'cup-credit': 5 },
      monitor: () => ({
        open: async () => void checked.push('open'),
        close: async () => void checked.push('close'),
        check: async (slot, card) => {
          checked.push(`${slot}=${card}`);
          return slot === 5 ? `slot 5 holds the card with PAN 621700*********0035, not '${card}'` : undefined;
        },
      }),
    });
    await assert.rejects(p.activate(), /slot 5 holds the card with PAN 621700\*+0035, not 'cup-credit'/);
    assert.deepEqual(checked, ['open', '3=cup-debit', '5=cup-credit', 'close']);
  });

  it('a silent mux fails the preflight as broken', async () => {
    const mux = new MockMultiplexer({ 3: 'cup-debit' });
    mux.silent = 'no answer within 3000 ms';
    await assert.rejects(presenterOn(mux, { 'cup-debit': 3 }).activate(), { verdict: 'broken' });
  });

  it('insert and tap select the alias’s slot, remove deselects; an unmapped card is broken', async () => {
    const mux = new MockMultiplexer({ 3: 'cup-debit', 4: 'ec-debit' });
    const p = presenterOn(mux, { 'cup-debit': 3, 'ec-debit': 4 });
    await p.activate();
    mux.calls.length = 0;
    await p.cards.prepare({ card: 'cup-debit', purse: 'ec-debit', other: 'cup-credit' });
    await p.cards.insert('card');
    await p.cards.tap('purse', 40);
    await p.cards.remove();
    assert.deepEqual(
      mux.calls.map((c) => [c.method, ...c.args]),
      [['select', 3, 'contact'], ['deselect'], ['select', 4, 'contactless', 40], ['deselect']],
    );
    await assert.rejects(p.cards.insert('other'), /card 'other' \(cup-credit\) is in no multiplexer slot/);
    await assert.rejects(p.cards.state(), { code: 'E_MUX_CARD' });
  });

  it('cannot serve scenarios with an inline or unmapped inserted card, expect card or cardCondition', () => {
    const p = presenterOn(new MockMultiplexer(), { 'cup-debit': 3 });
    assert.equal(
      p.cannotServe(scenario({ card: 'cup-debit' }, [{ action: 'insert', args: { card: 'card' } }])),
      undefined,
    );
    // A swiped inline card goes to the terminal driver: no slot needed.
    assert.equal(
      p.cannotServe(
        scenario({ s: { extends: 'magstripe-only' } as never }, [{ action: 'swipe', args: { card: 's' } }]),
      ),
      undefined,
    );
    assert.match(
      p.cannotServe(
        scenario({ c: { extends: 'cup-credit' } as never }, [{ action: 'insert', args: { card: 'c' } }]),
      ) ?? '',
      /inline card/,
    );
    assert.match(
      p.cannotServe(scenario({ c: 'ec-debit' }, [{ action: 'tap', args: { card: 'c' } }])) ?? '',
      /'c' \(ec-debit, line 7\) is not in a multiplexer slot/,
    );
    assert.match(
      p.cannotServe(scenario({}, [{ action: 'expect', args: { card: { atc: 1 } } }])) ?? '',
      /expect card/,
    );
    assert.match(p.cannotServe(scenario({}, [{ action: 'cardCondition', args: {} }])) ?? '', /phone wallet/);
  });
});
