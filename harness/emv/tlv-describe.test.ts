import assert from 'node:assert/strict';
import { describeTlv, maskValue } from './tlv-describe.js';
import { parseTlv } from './tlv.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('emv/tlv-describe', () => {
  it('labels a tree with names and upper-case hex', () => {
    const out = describeTlv(parseTlv(hex('70 0C 5F 34 01 00 9F 36 02 00 05 DF 60 00')));
    assert.deepEqual(out, [
      {
        tag: '70',
        name: 'READ RECORD Response Message Template',
        value: '5F3401009F3602000' + '5DF6000',
        children: [
          { tag: '5F34', name: 'Application PAN Sequence Number', value: '00' },
          { tag: '9F36', name: 'Application Transaction Counter (ATC)', value: '0005' },
          { tag: 'DF60', name: 'Proprietary tag', value: '' },
        ],
      },
    ]);
  });

  it('masks PAN, track, PIN and identity data on request', () => {
    const nodes = parseTlv(
      hex('5A 08 62 12 34 56 78 90 12 34  57 05 62 12 34 D2 91  99 02 12 34  5F 20 03 41 42 43  9F 27 01 80'),
    );
    const masked = describeTlv(nodes, { mask: true }).map((d) => d.value);
    assert.deepEqual(masked, [
      '621234******1234',
      '<track data redacted, 10 hex>',
      '<PIN data redacted, 4 hex>',
      '<cardholder data redacted, 6 hex>',
      '80',
    ]);
    assert.equal(describeTlv(nodes)[0]?.value, '6212345678901234');
    // odd-length PAN padded with F (cn format)
    assert.equal(maskValue('5A', '6212345678901234567F'), '621234*********4567');
  });
});
