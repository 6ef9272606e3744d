import assert from 'node:assert/strict';
import { ZvtSerialParser, encodeSerialFrame, registration, zvtCrc, type SerialItem } from './index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function kinds(items: SerialItem[]): string[] {
  return items.map((i) =>
    i.kind === 'frame' ? `frame:${i.raw.toString('hex')}` : i.kind === 'bad' ? `bad:${i.error.code}` : i.kind,
  );
}

describe('ZVT serial framing', () => {
  it('the CRC is CCITT x^16+x^12+x^5+1, reflected, from 0 (check value of "123456789": 0x2189)', () => {
    // The check value of this CRC (the CRC catalogue's CRC-16/KERMIT: poly 0x1021 reflected, init 0).
    assert.equal(zvtCrc(Buffer.from('123456789')), 0x2189);
  });

  it('frames an APDU as DLE STX … DLE ETX CRC-lo CRC-hi', () => {
    const apdu = registration('123456', 0xba, '0978');
    const f = encodeSerialFrame(apdu);
    assert.deepEqual(f.subarray(0, 2), hex('10 02'));
    assert.deepEqual(f.subarray(2, 2 + apdu.length), apdu);
    assert.deepEqual(f.subarray(2 + apdu.length, 4 + apdu.length), hex('10 03'));
    const crc = zvtCrc(Buffer.concat([apdu, hex('03')]));
    assert.deepEqual(f.subarray(-2), Buffer.from([crc & 0xff, crc >> 8]));
  });

  it('doubles a DLE byte of the APDU and reads it back once', () => {
    const apdu = hex('06 D1 03 00 10 41');
    const f = encodeSerialFrame(apdu);
    assert.ok(f.includes(hex('00 10 10 41')));
    const items = new ZvtSerialParser().push(f);
    assert.deepEqual(kinds(items), [`frame:${apdu.toString('hex')}`]);
  });

  it('hands on frame, ACK and NAK at every split point of a stream', () => {
    const a = encodeSerialFrame(hex('06 D1 03 00 10 41'));
    const b = encodeSerialFrame(registration('123456', 0xba, '0978'));
    const stream = Buffer.concat([hex('06'), a, hex('15'), b]);
    const want = [
      'ack',
      'frame:06d103001041',
      'nak',
      `frame:${registration('123456', 0xba, '0978').toString('hex')}`,
    ];
    for (let cut = 0; cut <= stream.length; cut++) {
      for (const cut2 of [cut, Math.min(stream.length, cut + 3)]) {
        const p = new ZvtSerialParser();
        const got = [
          ...p.push(stream.subarray(0, cut)),
          ...p.push(stream.subarray(cut, cut2)),
          ...p.push(stream.subarray(cut2)),
        ];
        assert.deepEqual(kinds(got), want, `cuts ${cut}/${cut2}`);
      }
    }
  });

  it('a wrong CRC is a bad frame (E_ZVT_CRC) with a clear message; the next frame still reads', () => {
    const good = encodeSerialFrame(hex('80 00 00'));
    const bad = Buffer.from(good);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff;
    const items = new ZvtSerialParser().push(Buffer.concat([bad, good]));
    assert.deepEqual(kinds(items), ['bad:E_ZVT_CRC', 'frame:800000']);
    const first = items[0];
    assert.ok(
      first?.kind === 'bad' && /CRC 0x[0-9a-f]{4} does not match 0x[0-9a-f]{4}/.test(first.error.message),
    );
  });

  it('a frame whose APDU length is wrong is bad (E_ZVT_APDU), not a crash', () => {
    const items = new ZvtSerialParser().push(encodeSerialFrame(hex('06 01 07 04 00')));
    assert.deepEqual(kinds(items), ['bad:E_ZVT_APDU']);
  });
});
