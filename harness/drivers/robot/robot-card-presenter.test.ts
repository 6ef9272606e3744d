import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { MockRobot } from '../../testing/mock-mux-robot.js';
import { RobotCardPresenter } from './robot-card-presenter.js';

const device = { name: 'robot test', activate: async () => undefined, deactivate: async () => undefined };

describe('RobotCardPresenter', () => {
  it('checks the rack against the robot’s own report and names every position to fix', async () => {
    const robot = new MockRobot({ 'rack-1': 'ec-debit' });
    const p = new RobotCardPresenter(device, robot, {
      rack: { 'cup-debit': 'rack-1', 'cup-credit': 'rack-2' },
    });
    await assert.rejects(p.activate(), (e: Error & { code: string; verdict: string }) => {
      assert.equal(e.code, 'E_ROBOT_RACK');
      assert.equal(e.verdict, 'broken');
      assert.match(e.message, /rack position rack-1 holds 'ec-debit', not 'cup-debit'/);
      assert.match(e.message, /rack position rack-2 is empty: put card 'cup-credit' in it/);
      return true;
    });
  });

  it('inserts, taps with the hold time and takes the inserted card out; a jam is broken', async () => {
    const robot = new MockRobot({ 'rack-1': 'cup-debit', 'rack-2': 'cup-credit' });
    const p = new RobotCardPresenter(device, robot, {
      rack: { 'cup-debit': 'rack-1', 'cup-credit': 'rack-2' },
    });
    await p.activate();
    await p.cards.prepare({ card: 'cup-debit', other: 'cup-credit' });
    await p.cards.insert('card');
    await p.cards.tap('other', 120);
    await p.cards.remove();
    assert.deepEqual(
      robot.calls.map((c) => [c.method, ...c.args]),
      [['rack'], ['insert', 'rack-1'], ['remove'], ['tap', 'rack-2', 120]],
    );
    robot.jam('arm stuck');
    await assert.rejects(p.cards.insert('card'), { code: 'E_ROBOT_JAM', verdict: 'broken' });
    await assert.rejects(p.cards.insert('ec-debit'), /card 'ec-debit' is in no rack position/);
  });
});
