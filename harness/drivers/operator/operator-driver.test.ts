import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import type { Observation } from '../../capabilities/index.js';
import {
  OperatorDeclinedError,
  OperatorInactiveError,
  OperatorTimeoutError,
  OperatorUnavailableError,
} from './errors.js';
import { OperatorDriver, nonInteractiveReason } from './operator-driver.js';

/** A stdin/stdout pair that claims to be a TTY, with the text written to it. */
function fakeTty(): {
  input: PassThrough & { isTTY: boolean };
  output: PassThrough & { isTTY: boolean };
  written: () => string;
} {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = Object.assign(new PassThrough(), { isTTY: true });
  let text = '';
  output.on('data', (d: Buffer) => (text += d.toString()));
  return { input, output, written: () => text };
}

/** Answers `line` as soon as the prompt containing `when` shows. */
function answerWhen(io: ReturnType<typeof fakeTty>, when: string, line: string): void {
  const check = (): void => {
    if (io.written().includes(when)) {
      io.output.off('data', check);
      io.input.write(`${line}\n`);
    }
  };
  io.output.on('data', check);
}

describe('OperatorDriver', function () {
  this.timeout(5000);

  it('knows a non-interactive run: CI set, or stdin/stdout not a terminal', () => {
    assert.equal(nonInteractiveReason({ isTTY: true }, { isTTY: true }, { CI: 'true' }), 'CI=true');
    assert.equal(nonInteractiveReason({}, { isTTY: true }, {}), 'stdin is not a terminal');
    assert.equal(nonInteractiveReason({ isTTY: true }, {}, { CI: 'false' }), 'stdout is not a terminal');
    assert.equal(nonInteractiveReason({ isTTY: true }, { isTTY: true }, { CI: '0' }), undefined);
  });

  it('in a non-interactive run every call is broken at once, with a clear message', async () => {
    const d = new OperatorDriver({
      input: new PassThrough(),
      output: new PassThrough(),
      env: {},
      timeoutMs: 60_000,
    });
    await d.activate();
    const started = Date.now();
    await assert.rejects(d.cards.insert('cup-debit'), (e: unknown) => {
      assert.ok(e instanceof OperatorUnavailableError);
      assert.equal(e.verdict, 'broken');
      assert.match(e.message, /not interactive \(stdin is not a terminal\)/);
      return true;
    });
    await assert.rejects(d.operator.ask('Is the receipt printed?', 'yesno'), OperatorUnavailableError);
    assert.ok(Date.now() - started < 1000, 'no waiting for the timeout');
    const tty = fakeTty();
    const ci = new OperatorDriver({ ...tty, env: { CI: 'true' } });
    await ci.activate();
    await assert.rejects(ci.keypad.enterPin('1234'), /CI=true/);
  });

  it('asks on the terminal: confirm, yes/no (asked again on nonsense), text; answers go on the timeline', async () => {
    const io = fakeTty();
    const d = new OperatorDriver({ ...io, env: {} });
    const seen: Observation[] = [];
    d.observe((o) => seen.push(o));
    await d.activate();
    answerWhen(io, 'Is the receipt printed?', 'maybe');
    const yes = d.operator.ask('Is the receipt printed?', 'yesno');
    await new Promise((r) => setTimeout(r, 50));
    io.input.write('y\n');
    assert.equal(await yes, true);
    answerWhen(io, 'Type the auth code', ' 123456 ');
    assert.equal(await d.operator.ask('Type the auth code', 'text'), '123456');
    answerWhen(io, 'Insert card', '');
    await d.cards.prepare({ mine: 'cup-debit' });
    await d.cards.insert('mine');
    assert.match(io.written(), /Insert card 'mine' \(cup-debit\) into the terminal/);
    assert.deepEqual(
      seen.map((o) => [o.kind, o.data.answer]),
      [
        ['operator', true],
        ['operator', '123456'],
        ['operator', true],
      ],
    );
  });

  it('shows the PIN to the person but never puts it on the timeline', async () => {
    const io = fakeTty();
    const d = new OperatorDriver({ ...io, env: {} });
    const seen: Observation[] = [];
    d.observe((o) => seen.push(o));
    await d.activate();
    answerWhen(io, 'Enter PIN', '');
    await d.keypad.enterPin('4321');
    assert.match(io.written(), /Enter PIN 4321/);
    assert.equal(JSON.stringify(seen).includes('4321'), false);
  });

  it('"n" to a confirmation is broken (declined); silence is broken after the timeout', async () => {
    const io = fakeTty();
    const d = new OperatorDriver({ ...io, env: {}, timeoutMs: 150 });
    await d.activate();
    answerWhen(io, 'Swipe card', 'n');
    await assert.rejects(
      d.cards.swipe('mag'),
      (e: unknown) => e instanceof OperatorDeclinedError && e.verdict === 'broken',
    );
    await assert.rejects(
      d.cards.remove(),
      (e: unknown) => e instanceof OperatorTimeoutError && e.verdict === 'broken',
    );
    await d.deactivate();
    await assert.rejects(d.operator.ask('x', 'text'), OperatorInactiveError);
  });
});
