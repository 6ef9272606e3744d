import assert from 'node:assert/strict';
import { EcrFrameError } from './errors.js';
import { decodeFrame, encodeAck, encodeFrame, encodeNak, lrc } from './frame-codec.js';

// The worked example of docs/ecr-protocol.md ("Worked example"): a status request, sequence 1. The LRC
// was also computed independently (Python: functools.reduce(xor, LEN..ETX) == 0x0F).
export const DOC_EXAMPLE_PAYLOAD = '{"v":1,"kind":"request","id":1,"op":"status"}';
export const DOC_EXAMPLE_HEX =
  '02002E01' +
  '7B2276223A312C226B696E64223A2272657175657374222C226964223A312C226F70223A22737461747573227D' +
  '030F';

describe('ECR frame codec', () => {
  it('encodes the worked example of docs/ecr-protocol.md byte for byte', () => {
    const frame = encodeFrame(1, Buffer.from(DOC_EXAMPLE_PAYLOAD));
    assert.equal(frame.toString('hex').toUpperCase(), DOC_EXAMPLE_HEX);
  });

  it('decodes the worked example back to sequence 1 and the JSON text', () => {
    const d = decodeFrame(Buffer.from(DOC_EXAMPLE_HEX, 'hex'));
    assert.equal(d.seq, 1);
    assert.equal(d.payload.toString(), DOC_EXAMPLE_PAYLOAD);
  });

  it('computes a published XOR block check: 64 01 78 → 1D', () => {
    // Reader module manual, "12.2.9 Examples": frame 02 64 01 78 1D 03, BCC = XOR of station ID,
    // length and data (https://manualzilla.com/doc/5772365/user-manual?page=39).
    assert.equal(lrc(Buffer.from([0x64, 0x01, 0x78])), 0x1d);
    assert.equal(lrc(Buffer.from([0x02, 0x64, 0x01, 0x78, 0x03]), 1, 4), 0x1d);
  });

  it('encodes ACK and NAK as code, sequence, complement', () => {
    assert.deepEqual([...encodeAck(1)], [0x06, 0x01, 0xfe]);
    assert.deepEqual([...encodeNak(0xa5)], [0x15, 0xa5, 0x5a]);
  });

  it('carries an empty payload and multi-byte UTF-8', () => {
    assert.deepEqual(decodeFrame(encodeFrame(0, Buffer.alloc(0))).payload, Buffer.alloc(0));
    const text = '{"lines":["请插卡","PLEASE INSERT CARD"]}';
    assert.equal(decodeFrame(encodeFrame(255, Buffer.from(text))).payload.toString(), text);
  });

  const reasons: [string, (f: Buffer) => Buffer, string, number][] = [
    ['a wrong LRC', (f) => Buffer.concat([f.subarray(0, -1), Buffer.from([f.at(-1)! ^ 1])]), 'lrc', 50],
    ['a wrong ETX', (f) => Object.assign(Buffer.from(f), { [49]: 0x04 }), 'etx', 49],
    ['a missing STX', (f) => Buffer.concat([Buffer.from([0x01]), f.subarray(1)]), 'stx', 0],
    ['a truncated frame', (f) => f.subarray(0, 30), 'truncated', 30],
    ['bytes after the LRC', (f) => Buffer.concat([f, Buffer.from([0])]), 'trailing', 51],
  ];
  for (const [what, damage, reason, offset] of reasons) {
    it(`rejects ${what} with reason ${reason} at byte ${offset}`, () => {
      const bad = damage(Buffer.from(DOC_EXAMPLE_HEX, 'hex'));
      assert.throws(
        () => decodeFrame(bad),
        (e: unknown) => e instanceof EcrFrameError && e.reason === reason && e.offset === offset,
      );
    });
  }

  it('refuses to encode control bytes in the payload, a bad sequence or an oversized payload', () => {
    assert.throws(() => encodeFrame(1, Buffer.from('{"a":\n1}')), {
      code: 'E_ECR_BAD_FRAME',
      reason: 'payload',
      offset: 9,
      verdict: 'usage',
    });
    assert.throws(() => encodeFrame(256, Buffer.from('{}')), { reason: 'sequence' });
    assert.throws(() => encodeFrame(1, Buffer.alloc(65535, 0x20)), { reason: 'too-large' });
    assert.equal(encodeFrame(1, Buffer.alloc(65534, 0x20)).length, 65540);
  });
});
