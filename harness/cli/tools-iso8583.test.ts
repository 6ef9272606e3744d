import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from './command.js';
import { main } from './main.js';
import { run } from './tools-iso8583.js';
import { UsageError } from './usage-error.js';
import { decodeFrame, encodeFrame, loadDialect } from '../iso8583/index.js';
import { CUP_PURCHASE_0200_HEX, ISO87_ASCII_0210_TEXT } from '../iso8583/sample-frames.js';

describe('cli/tools iso8583', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-iso-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function json(argv: string[]): Promise<Record<string, unknown>> {
    const io = memoryIo(dir);
    assert.equal(await run(argv, io), 0, io.stderr.join('\n'));
    assert.equal(io.stdout.length, 1);
    return JSON.parse(io.stdout[0]!) as Record<string, unknown>;
  }

  it('decodes a CUP frame given as hex (spaces allowed) into mti, fields, tpdu and header', async () => {
    const spaced = CUP_PURCHASE_0200_HEX.replace(/(..)/g, '$1 ');
    const out = await json(['decode', '--dialect', 'cup', '--hex', spaced]);
    assert.equal(out.mti, '0200');
    assert.equal(out.tpdu, '6000060000');
    assert.equal(out.header, '603100311003');
    const fields = out.fields as Record<string, string>;
    assert.equal(fields['2'], '6224242900000113');
    assert.equal(fields['60'], '22000024000600');
  });

  it('masks the PAN and redacts track and PIN data with --mask', async () => {
    const out = await json(['decode', '--dialect', 'cup', '--hex', CUP_PURCHASE_0200_HEX, '--mask']);
    const fields = out.fields as Record<string, string>;
    assert.equal(fields['2'], '622424******0113');
    assert.equal(fields['35'], '<track data redacted, 34 hex>');
    assert.equal(fields['52'], '<PIN block redacted, 16 hex>');
    assert.equal(fields['42'], '850100082410002', 'a merchant id is not cardholder data');
  });

  it('--mask masks field 55 by the tag dictionary list, as journals and reports do', async () => {
    const cup = loadDialect('cup');
    const clear = decodeFrame(cup, Buffer.from(CUP_PURCHASE_0200_HEX, 'hex'));
    const id = Buffer.from('110101199001011234').toString('hex').toUpperCase();
    const f55 = `5A08622424000000011357086224240000000113` + `9F6112${id}` + '9F2701808407A0000003330101';
    const frame = encodeFrame(
      cup,
      { mti: clear.mti, fields: { ...clear.fields, 55: f55 } },
      { tpdu: clear.tpdu as string, header: clear.header as string },
    );
    const out = await json(['decode', '--dialect', 'cup', '--hex', frame.toString('hex'), '--mask']);
    assert.equal(
      (out.fields as Record<string, string>)['55'],
      `5A08622424******011357${'08' + '*'.repeat(16)}9F6112${'*'.repeat(36)}` + '9F2701808407A0000003330101',
    );
  });

  it('reads raw bytes or a hex text file with --file, and a body with --body', async () => {
    writeFileSync(join(dir, 'frame.bin'), Buffer.from(CUP_PURCHASE_0200_HEX, 'hex'));
    writeFileSync(join(dir, 'frame.hex'), CUP_PURCHASE_0200_HEX + '\n');
    writeFileSync(join(dir, 'body.bin'), ISO87_ASCII_0210_TEXT);
    assert.equal((await json(['decode', '--dialect', 'cup', '--file', 'frame.bin'])).mti, '0200');
    assert.equal((await json(['decode', '--dialect', 'cup', '--file', 'frame.hex'])).mti, '0200');
    const body = await json(['decode', '--dialect', 'iso87-ascii', '--file', 'body.bin', '--body']);
    assert.equal((body.fields as Record<string, string>)['54'], '100236C0102240000000');
  });

  it('encodes a JSON message back to the same hex', async () => {
    const decoded = await json(['decode', '--dialect', 'cup', '--hex', CUP_PURCHASE_0200_HEX]);
    writeFileSync(join(dir, 'msg.json'), JSON.stringify(decoded));
    assert.deepEqual(await json(['encode', '--dialect', 'cup', '--json', 'msg.json']), {
      hex: CUP_PURCHASE_0200_HEX,
    });
    writeFileSync(join(dir, 'small.json'), JSON.stringify({ mti: '0800', fields: { 11: '000001' } }));
    assert.deepEqual(await json(['encode', '--dialect', 'iso87-binary', '--json', 'small.json', '--body']), {
      hex: '08000020000000000000000001',
    });
  });

  it('gives a one-line error naming the argument and exit 2 for bad arguments', async () => {
    const cases: [string[], RegExp][] = [
      [['decode', '--hex', 'AA'], /^--dialect: required/],
      [['decode', '--dialect', 'cup'], /^--hex\/--file: give exactly one/],
      [['decode', '--dialect', 'cup', '--hex', 'XYZ'], /^--hex: not hex/],
      [['decode', '--dialect', 'cup', '--hex', 'ABC'], /^--hex: odd number/],
      [['decode', '--dialect', 'cup', '--file', 'missing.bin'], /^--file: cannot read/],
      [['encode', '--dialect', 'cup'], /^--json: required/],
      [['frobnicate'], /^frobnicate: unknown action/],
      [['decode', '--dialect', 'cup', '--bogus'], /^--bogus: unknown option/],
    ];
    for (const [argv, re] of cases) {
      await assert.rejects(
        run(argv, memoryIo(dir)),
        (e: unknown) => e instanceof UsageError && re.test(e.message),
        argv.join(' '),
      );
    }
    writeFileSync(join(dir, 'key.json'), '{"mti":"0200","fields":{"129":"0"}}');
    await assert.rejects(
      run(['encode', '--dialect', 'cup', '--json', 'key.json'], memoryIo(dir)),
      /field key "129"/,
    );
    writeFileSync(join(dir, 'num.json'), '{"mti":"0200","fields":{"3":0}}');
    await assert.rejects(
      run(['encode', '--dialect', 'cup', '--json', 'num.json'], memoryIo(dir)),
      /field 3 must be a string/,
    );

    const io = memoryIo(dir);
    assert.equal(await main(['tools', 'iso8583', 'decode', '--dialect', 'nope', '--hex', '00'], io), 2);
    assert.equal(io.stderr.length, 1);
    assert.match(io.stderr[0]!, /dialect nope: no such dialect/);
  });

  it('exits 1 with the DecodeError for a frame that does not decode', async () => {
    const io = memoryIo(dir);
    assert.equal(
      await main(['tools', 'iso8583', 'decode', '--dialect', 'cup', '--hex', '0010600003000002'], io),
      1,
    );
    assert.equal(io.stderr.length, 1);
    assert.match(io.stderr[0]!, /ISO 8583 decode: frame at byte 0: truncated/);
  });
});
