import { strict as assert } from 'node:assert';
import { memoryIo } from './command.js';
import { main } from './main.js';

async function emv(...argv: string[]) {
  const io = memoryIo();
  const code = await main(['tools', 'emv', ...argv], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

// pyemv tests/test_cvn_hsm.py (github.com/knovichikhin/pyemv): Visa CVN 10 and CVN 18 test card.
const CARD = ['--imk', '0123456789ABCDEFFEDCBA9876543210', '--pan', '1234567890123456', '--psn', '00'];
// 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82 9F36, then the CVR (CVN 10) or the IAD (CVN 18).
const COMMON =
  '000000004000' +
  '000000000000' +
  '0124' +
  '8000048000' +
  '0124' +
  '191105' +
  '01' +
  '52BF4585' +
  '1800' +
  '001C';

describe('payhil tools emv', () => {
  it('arqc CVN 10 → 29CCA15AE665FA2E (ICC MK, padding 1)', async () => {
    const r = await emv('arqc', ...CARD, '--cvn', '10', '--atc', '001C', '--data', COMMON + '03A06010');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { arqc: '29CCA15AE665FA2E' });
  });
  it('arqc CVN 18 → 7A788EA6B8A3E733 (session key, padding 2)', async () => {
    const r = await emv('arqc', ...CARD, '--cvn', '18', '--atc', '001C', '--data', COMMON + '06011203A0B800');
    assert.deepEqual(JSON.parse(r.out), { arqc: '7A788EA6B8A3E733' });
  });
  it('arpc CVN 10 method 1 (ARC 3030) → 28993816AFAE4AEB; CVN 18 method 2 (CSU 00000000) → 9AF514C1', async () => {
    const r10 = await emv('arpc', ...CARD, '--cvn', '10', '--arqc', '29CCA15AE665FA2E', '--arc', '3030');
    assert.deepEqual(JSON.parse(r10.out), { arpc: '28993816AFAE4AEB' });
    const r18 = await emv(
      'arpc',
      ...CARD,
      '--cvn',
      '18',
      '--atc',
      '001C',
      '--arqc',
      '7A788EA6B8A3E733',
      '--csu',
      '00000000',
    );
    assert.deepEqual(JSON.parse(r18.out), { arpc: '9AF514C1' });
  });
  it('bad arguments name the argument and exit 2', async () => {
    for (const [argv, re] of [
      [['arqc', ...CARD, '--cvn', '18', '--data', '00'], /--atc: required for CVN 18/],
      [['arqc', ...CARD, '--cvn', '17', '--atc', '001C', '--data', '00'], /--cvn: must be 10 or 18/],
      [
        ['arqc', '--imk', '0123', '--pan', '1234567890123456', '--cvn', '10', '--data', '00'],
        /--imk: must be 32 hex digits/,
      ],
      [['arqc', ...CARD.slice(0, 4), '--psn', '1', '--cvn', '10', '--data', '00'], /--psn: must be 2 digits/],
      [['arqc', ...CARD, '--cvn', '10', '--atc', '1C', '--data', '00'], /--atc: must be 4 hex digits/],
      [['arpc', ...CARD, '--cvn', '10', '--arqc', '29CCA15AE665FA2E'], /--arc: required/],
      [['arpc', ...CARD, '--cvn', '18', '--atc', '001C', '--arqc', '7A788EA6B8A3E733'], /--csu: required/],
      [['arpc', ...CARD, '--cvn', '10', '--arqc', '29CC', '--arc', '3030'], /--arqc: must be 16 hex digits/],
      [['tc', ...CARD], /'tc': must be arqc or arpc/],
    ] as [string[], RegExp][]) {
      const r = await emv(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, re);
    }
  });
});
