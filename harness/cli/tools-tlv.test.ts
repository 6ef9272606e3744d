import assert from 'node:assert/strict';
import { memoryIo } from './command.js';
import { main } from './main.js';
import { SENSITIVE_TAGS, encodeTlv } from '../emv/index.js';

async function tlv(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const io = memoryIo();
  const code = await main(['tools', 'tlv', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr };
}

describe('payhil tools tlv', () => {
  it('decodes a GENERATE AC response to JSON with names (python-emv Barclays example)', async () => {
    const r = await tlv(
      'decode',
      '--hex',
      '771E9F2701809F360200059F26086ECF9347C1A924719F1007060B0A03A49000',
    );
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out) as { tag: string; name: string; value: string; children?: unknown[] }[];
    assert.equal(json.length, 1);
    assert.equal(json[0]?.tag, '77');
    assert.equal(json[0]?.name, 'Response Message Template Format 2');
    assert.deepEqual(json[0]?.children, [
      { tag: '9F27', name: 'Cryptogram Information Data (CID)', value: '80' },
      { tag: '9F36', name: 'Application Transaction Counter (ATC)', value: '0005' },
      { tag: '9F26', name: 'Application Cryptogram (AC)', value: '6ECF9347C1A92471' },
      { tag: '9F10', name: 'Issuer Application Data (IAD)', value: '060B0A03A49000' },
    ]);
  });

  it('accepts spaced lower-case hex and masks on request', async () => {
    const r = await tlv('decode', '--mask', '--hex', '5a 08 62 12 34 56 78 90 12 34');
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), [
      { tag: '5A', name: 'Application Primary Account Number (PAN)', value: '621234******1234' },
    ]);
  });

  it('--mask hides every tag of the tag dictionary list (PBOC cardholder ID, contactless track 2…) and nothing else', async () => {
    const value = '6222021234567890';
    for (const [tag] of SENSITIVE_TAGS) {
      const hex = encodeTlv([{ tag, value: Buffer.from(value, 'hex') }]).toString('hex');
      const r = await tlv('decode', '--mask', '--hex', hex);
      const [node] = JSON.parse(r.out) as { value: string }[];
      assert.notEqual(node?.value, value, `${tag} in clear`);
      assert.ok(!node?.value.includes('3456'), `${tag}: ${node?.value}`);
    }
    const r = await tlv(
      'decode',
      '--mask',
      '--hex',
      '9F6112313130313031313939303031303131323334' + '4F07A0000003330101',
    );
    assert.deepEqual(
      (JSON.parse(r.out) as { tag: string; value: string }[]).map((n) => [n.tag, n.value]),
      [
        ['9F61', '<cardholder data redacted, 36 hex>'],
        ['4F', 'A0000003330101'],
      ],
    );
  });

  it('names the argument and the offset on bad input, exit 2, one line', async () => {
    const cases: [string[], RegExp][] = [
      [['decode', '--hex', '9F2608AABB'], /--hex: TLV length-past-end at offset 2 \(tag 9F26\)/],
      [['decode', '--hex', '9F26G8'], /--hex: 'G' at hex digit 4 is not hexadecimal/],
      [['decode', '--hex', '9F2'], /--hex: odd number of hex digits/],
      [['decode'], /--hex is required/],
      [['encode', '--hex', '00'], /expected 'decode'/],
      [['decode', '--hex', '00', '--bogus'], /bogus/],
    ];
    for (const [args, re] of cases) {
      const r = await tlv(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.out, '');
      assert.equal(r.err.length, 1, args.join(' '));
      assert.match(r.err[0] ?? '', re);
      assert.doesNotMatch(r.err[0] ?? '', /\n\s+at /);
    }
  });
});
