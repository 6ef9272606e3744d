import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:net';
import { memoryIo } from './command.js';
import { cardCommand, parseVpcdAddress } from './card-command.js';
import { UsageError } from './usage-error.js';

describe('cli/card-command', () => {
  let server: Server | undefined;
  after(() => server?.close());

  it('lists the bundled cards with masked PANs', async () => {
    const io = memoryIo();
    assert.equal(await cardCommand.run(['list', '--json'], io), 0);
    const cards = JSON.parse(io.stdout.join('')) as { name: string; pan: string }[];
    assert.equal(cards.length, 9);
    assert.equal(cards.find((c) => c.name === 'cup-debit')?.pan, '622202*********0017');
    assert.ok(!io.stdout.join('').includes('6222021000000000017'));
  });

  it('refuses bad arguments with a usage error (exit 2)', async () => {
    for (const argv of [
      ['serve'],
      ['serve', '--card', 'cup-debit', '--via', 'nfc'],
      ['serve', '--card', 'cup-debit', '--remove-after', 'soon'],
      ['serve', '--card', 'cup-debit', '--vpcd', 'host:99999'],
      ['serve', '--card', 'magstripe-only'],
      ['read', '--wait', '-1'],
      ['serve', '--bogus'],
    ]) {
      await assert.rejects(cardCommand.run(argv, memoryIo()), UsageError, argv.join(' '));
    }
    const io = memoryIo();
    assert.equal(await cardCommand.run(['frobnicate'], io), 2);
    assert.match(io.stderr.join(''), /unknown subcommand 'frobnicate'/);
    assert.equal(await cardCommand.run([], memoryIo()), 2);
  });

  it('parses --vpcd addresses', () => {
    assert.deepEqual(parseVpcdAddress(undefined), { host: '127.0.0.1', port: 35963 });
    assert.deepEqual(parseVpcdAddress('35964'), { host: '127.0.0.1', port: 35964 });
    assert.deepEqual(parseVpcdAddress('127.0.0.1:40000'), { host: '127.0.0.1', port: 40000 });
  });

  it('serves a card until --remove-after, then reports the removal', async () => {
    let frames = 0;
    server = createServer((s) => {
      s.on('data', () => frames++);
      // vpcd asks for the ATR first.
      s.write(Buffer.from([0x00, 0x01, 0x04]));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const io = memoryIo();
    assert.equal(
      await cardCommand.run(
        ['serve', '--card', 'cup-debit', '--vpcd', `127.0.0.1:${port}`, '--remove-after', '150'],
        io,
      ),
      0,
    );
    assert.match(
      io.stdout[0] ?? '',
      /card cup-debit \(622202\*{9}0017\) inserted into vpcd 127\.0\.0\.1:\d+ via contact/,
    );
    assert.match(io.stdout[1] ?? '', /removed/);
    assert.ok(frames >= 1, 'the ATR was answered');
  });
});
