import assert from 'node:assert/strict';
import { memoryIo } from './command.js';
import { main } from './main.js';

describe('payhil: errors as one clean line', () => {
  it('prints a typed error as `payhil <command>: message`, exit 2 for bad input and 1 for a product fault', async () => {
    const K = '0123456789ABCDEFFEDCBA9876543210';
    const cases: [string[], number, RegExp][] = [
      [['tools', 'tlv', 'decode', '--hex', '9F2608'], 2, /TLV length-past-end at offset 2/],
      [['tools', 'iso8583', 'decode', '--dialect', 'cup', '--hex', '0011'], 1, /truncated/],
      [
        ['tools', 'iso8583', 'decode', '--dialect', 'nosuch', '--hex', '00'],
        2,
        /dialect nosuch: no such dialect/,
      ],
      [['tools', 'mac', '--alg', 'x9.19', '--key', K, '--data', '00', '--padding', '3'], 2, /--padding/],
      [
        [
          'tools',
          'emv',
          'arqc',
          '--imk',
          K,
          '--pan',
          '6222021234567890',
          '--psn',
          '01',
          '--cvn',
          '17',
          '--atc',
          '0001',
          '--data',
          '00',
        ],
        2,
        /--cvn/,
      ],
      [['validate', '/nonexistent/payhil'], 2, /no such file or folder/],
      [['list', '/nonexistent/payhil'], 2, /no such file or folder/],
      [['run', '--bench', 'nosuch'], 2, /no bench named 'nosuch'/],
    ];
    for (const [argv, code, re] of cases) {
      const io = memoryIo();
      assert.equal(await main(argv, io), code, argv.join(' '));
      assert.equal(io.stderr.length, 1, `${argv.join(' ')}: ${io.stderr.join('\n')}`);
      const line = io.stderr[0] as string;
      assert.ok(line.startsWith(`payhil ${argv[0]}: `), line);
      assert.match(line, re);
      assert.doesNotMatch(line, /internal error|\n\s+at /);
    }
  });
});
