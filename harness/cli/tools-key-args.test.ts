import { strict as assert } from 'node:assert';
import { memoryIo } from './command.js';
import {
  choiceArg,
  digitsArg,
  hexArg,
  intArg,
  parseToolArgs,
  requireString,
  toolRun,
} from './tools-key-args.js';
import { UsageError } from './usage-error.js';

const usage = (re: RegExp) => (e: unknown) =>
  e instanceof UsageError && e.verdict === 'usage' && re.test(e.message);

describe('cli/tools-key-args', () => {
  it('turns parseArgs failures into one-line usage errors naming the argument', () => {
    const spec = { key: { type: 'string' } } as const;
    assert.throws(() => parseToolArgs(['--kee', 'x'], spec), usage(/^--kee: unknown option$/));
    assert.throws(() => parseToolArgs(['--key'], spec), usage(/^--key: needs a value$/));
    assert.throws(() => parseToolArgs(['stray'], spec), usage(/^'stray': unexpected argument$/));
    assert.throws(
      () => parseToolArgs(['--help=yes'], { help: { type: 'boolean' } }),
      usage(/^--help: takes no value$/),
    );
    assert.deepEqual(parseToolArgs(['--key', 'AB'], spec).values.key, 'AB');
  });
  it('runs a tool: usage on --help, the action word checked, the options to the body', async () => {
    const seen: unknown[] = [];
    const run = toolRun(
      { usage: 'usage: t', options: { key: { type: 'string' } }, actions: ['get', 'put'] },
      (io, values, action) => {
        seen.push([values.key, action]);
        io.out('done');
        return 0;
      },
    );
    const help = memoryIo();
    assert.equal(await run(['--help'], help), 0);
    assert.deepEqual(help.stdout, ['usage: t']);
    await assert.rejects(run(['--key', 'k'], memoryIo()), usage(/^get\|put: required$/));
    await assert.rejects(run(['post'], memoryIo()), usage(/^'post': must be get or put$/));
    await assert.rejects(run(['get', 'more'], memoryIo()), usage(/^'more': unexpected argument$/));
    await assert.rejects(run(['get', '--kee'], memoryIo()), usage(/^--kee: unknown option$/));
    const io = memoryIo();
    assert.equal(await run(['put', '--key', 'k'], io), 0);
    assert.deepEqual(seen, [['k', 'put']]);
    assert.deepEqual(io.stdout, ['done']);
    const plain = toolRun({ usage: 'usage: p', options: {} }, () => 0);
    await assert.rejects(plain(['stray'], memoryIo()), usage(/^'stray': unexpected argument$/));
  });
  it('checks hex, numbers, choices and digits', () => {
    assert.throws(() => hexArg('key', 'ABC'), usage(/^--key: must be an even number of hex digits$/));
    assert.throws(
      () => hexArg('key', 'AB', { lengths: [8, 16] }),
      usage(/^--key: must be 16 or 32 hex digits, got 2$/),
    );
    assert.throws(() => hexArg('pad', 'AB'.repeat(9), { max: 8 }), usage(/^--pad: at most 16 hex digits/));
    assert.equal(hexArg('key', 'aB').toString('hex'), 'ab');
    assert.throws(() => intArg('length', '9', 1, 8), usage(/^--length: must be from 1 to 8, got 9$/));
    assert.throws(() => intArg('length', '-1', 1, 8), usage(/^--length: must be a whole number/));
    assert.throws(
      () => choiceArg('alg', 'md5', ['a', 'b', 'c']),
      usage(/^--alg: must be a, b or c, got 'md5'$/),
    );
    assert.throws(() => digitsArg('psn', '1', 2, 2), usage(/^--psn: must be 2 digits$/));
    assert.throws(() => requireString({}, 'pan'), usage(/^--pan: required$/));
  });
});
