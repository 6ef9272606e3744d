import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { packagePath } from '../common/project-root.js';
import { loadDialect } from '../iso8583/dialect-loader.js';
import { FrameParser } from '../iso8583/frame-parser.js';
import { decodeFrame, encodeFrame, type DecodedFrame } from '../iso8583/message-codec.js';
import { CUP_PURCHASE_0200_HEX } from '../iso8583/sample-frames.js';
import { PcapFormatError } from './errors.js';
import { blankFrame, maskFrameBytes } from '../iso8583/index.js';
import { maskIsoStream, maskPcap } from './pcap-masking.js';
import { readPcap } from './pcap-reader.js';
import { PcapRecorder } from './pcap-recorder.js';
import { PcapWriter, internetChecksum } from './pcap-writer.js';
import { startProxy } from './proxy.js';
import { connectClient, sleep, startServer, type TestServer } from './test-kit.js';

const cup = loadDialect('cup');
const TSHARK = '/usr/bin/tshark';

/** Public CUP 0200 (harness/iso8583/sample-frames.ts cites the source): fields 2, 35, 52, 55, 64. */
const SAMPLE_0200 = Buffer.from(CUP_PURCHASE_0200_HEX, 'hex');
const SAMPLE_PAN = '6224242900000113';
const SAMPLE_TRACK2 = '6224242900000113D28062013949031013';
const SAMPLE_PIN_BLOCK = 'D1EEF419D0AE2609';
const SAMPLE_MAC = '3846363531423236';

/** The test card of fixtures/cards/cup-debit.yaml. */
const PAN = '6222021000000000017';
const TRACK2 = `${PAN}D30122010000012345`;
/** ISO 9564 format 0 example (DOMAIN.md: PIN 1234, PAN 43219876543210987 → 0412AC89ABCDEF67). */
const PIN_BLOCK = '0412AC89ABCDEF67';
/** Field 62 of an 0810: PIK, MAK under the TMK with their check values (DOMAIN.md's KCV vector 08D7B4FB). */
const PIK = '0123456789ABCDEFFEDCBA9876543210';
const MAK = 'FEDCBA98765432100123456789ABCDEF';
const KEYS = `${PIK}08D7B4FB${MAK}5DB3C4E1`;
const ICC = `5A0A${PAN}F5713${TRACK2}F9F2608${'A1B2C3D4E5F60718'}9F2701809F36020002`;

const OWN_0200 = encodeFrame(cup, {
  mti: '0200',
  fields: {
    2: PAN,
    3: '000000',
    4: '000000002500',
    11: '000002',
    22: '051',
    25: '00',
    35: TRACK2,
    41: '12345678',
    42: '123456789012345',
    49: '156',
    52: PIN_BLOCK,
    55: ICC,
    64: '4130353532323934',
  },
});
const SIGN_IN = encodeFrame(cup, {
  mti: '0800',
  fields: { 11: '000001', 41: '12345678', 42: '123456789012345', 60: '00000001004', 63: '01 ' },
});
const SIGN_IN_RESPONSE = encodeFrame(cup, {
  mti: '0810',
  fields: {
    11: '000001',
    12: '074545',
    13: '1121',
    32: '48020000',
    37: '000000000001',
    39: '00',
    41: '12345678',
    42: '123456789012345',
    60: '00000001004',
    62: KEYS,
    64: '3644454339334433',
  },
});
function response0210(req: DecodedFrame): Buffer {
  return encodeFrame(cup, {
    mti: '0210',
    fields: {
      2: req.fields[2] as string,
      3: '000000',
      4: req.fields[4] as string,
      11: req.fields[11] as string,
      39: '00',
      41: '12345678',
      55: '910A365297C0775318553531',
      64: '4431453939413345',
    },
  });
}

function hex(s: string): Buffer {
  return Buffer.from(s, 'hex');
}
/** A digit string packed as BCD from its first digit, and from its second (the other nibble alignment). */
function bcdForms(digits: string): Buffer[] {
  const even = (s: string): string => s.slice(0, s.length - (s.length % 2));
  return [hex(even(digits)), hex(even(digits.slice(1)))];
}

/**
 * The secrets of the frames above in every form they could take on the wire: the clear capture must
 * hold at least one form of each (or the test proves nothing), the masked capture none.
 */
const SECRETS: [string, Buffer[]][] = [
  ...[PAN, SAMPLE_PAN].map((p): [string, Buffer[]] => [
    `PAN ${p}`,
    [Buffer.from(p, 'latin1'), ...bcdForms(p)],
  ]),
  // Track 2 after the PAN and its separator (byte-aligned in field 35 and in tag 57).
  ['track 2', [hex(TRACK2.slice(20, 36))]],
  ['sample track 2', [hex(SAMPLE_TRACK2)]],
  ['PIN block', [hex(PIN_BLOCK)]],
  ['sample PIN block', [hex(SAMPLE_PIN_BLOCK)]],
  ['PIK', [hex(PIK)]],
  ['MAK', [hex(MAK)]],
  ['sample MAC', [hex(SAMPLE_MAC)]],
];

/** Each TCP direction's payload bytes, in capture order, with every segment's checksum checked. */
function streamsOf(pcap: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const p of readPcap(pcap).packets) {
    const t = p.tcp;
    assert.ok(t, 'every packet is TCP');
    const tcpLength = pcap.readUInt16BE(t.ipOffset + 2) - 20;
    const pseudo = Buffer.alloc(12);
    pcap.copy(pseudo, 0, t.ipOffset + 12, t.ipOffset + 20);
    pseudo[9] = 6;
    pseudo.writeUInt16BE(tcpLength, 10);
    assert.equal(
      internetChecksum(pseudo, pcap.subarray(t.tcpOffset, t.tcpOffset + tcpLength)),
      0,
      'TCP checksum',
    );
    if (t.payloadLength === 0) continue;
    const key = `${t.srcIp}:${t.srcPort}>${t.dstIp}:${t.dstPort}`;
    const payload = pcap.subarray(t.payloadOffset, t.payloadOffset + t.payloadLength);
    out.set(key, Buffer.concat([out.get(key) ?? Buffer.alloc(0), payload]));
  }
  return out;
}

function framesOf(stream: Buffer): Buffer[] {
  const parser = new FrameParser(cup);
  const frames = parser.push(stream).map((f) => Buffer.from(f));
  assert.equal(parser.buffered, 0, 'no bytes left over');
  return frames;
}

describe('net/pcap masking', () => {
  let host: TestServer;

  before(async () => {
    // A fake acquirer host: answers 0800 with an 0810 carrying working keys (62), 0200 with 0210.
    host = await startServer((s: Socket) => {
      const parser = new FrameParser(cup);
      s.on('data', (d: Buffer) => {
        for (const f of parser.push(d)) {
          const req = decodeFrame(cup, f);
          s.write(req.mti === '0800' ? SIGN_IN_RESPONSE : response0210(req));
        }
      });
      s.on('end', () => s.end());
    });
  });
  after(() => host.close());

  it('masks a captured pcap of a CUP 0810 (field 62) and 0200s (fields 2, 35, 52, 55) in place', async function () {
    this.timeout(10_000);
    const writer = new PcapWriter({ memory: true });
    const proxy = await startProxy({ upstream: `127.0.0.1:${host.port}`, dialect: 'cup', pcap: writer });
    try {
      const c = await connectClient(proxy.address().port);
      let expected = 0;
      for (const frame of [SIGN_IN, SAMPLE_0200, OWN_0200]) {
        // Split across TCP segments, the prefix cut in half: the masker works on the reassembled stream.
        c.socket.write(frame.subarray(0, 1));
        await sleep(5);
        c.socket.write(frame.subarray(1, 40));
        await sleep(5);
        c.socket.write(frame.subarray(40));
        expected +=
          frame === SIGN_IN ? SIGN_IN_RESPONSE.length : response0210(decodeFrame(cup, frame)).length;
        await c.waitFor(expected);
      }
      c.socket.end();
      await c.closed;
      await sleep(20);
    } finally {
      await proxy.close();
    }
    const clear = writer.bytes();
    const masked = maskPcap(cup, clear);
    assert.equal(masked.length, clear.length, 'same size: only payload bytes change');
    for (const [what, forms] of SECRETS) {
      assert.ok(
        forms.some((f) => clear.includes(f)),
        `the clear capture holds ${what} (or this test proves nothing)`,
      );
      for (const f of forms)
        assert.ok(!masked.includes(f), `no ${what} (${f.toString('hex')}) in the masked capture`);
    }

    const streams = streamsOf(masked);
    assert.equal(streams.size, 4, 'two legs, two directions each');
    const decoded = [...streams.values()].flatMap((s) => framesOf(s).map((f) => decodeFrame(cup, f)));
    assert.deepEqual(
      decoded.map((m) => m.mti).sort(),
      ['0200', '0200', '0200', '0200', '0210', '0210', '0210', '0210', '0800', '0800', '0810', '0810'],
      'every frame of both legs still decodes',
    );
    for (const m of decoded) {
      if (m.mti === '0810') {
        assert.equal(m.fields[62], '0'.repeat(KEYS.length), 'working keys zeroed');
        assert.equal(m.fields[42], '123456789012345', 'merchant id as sent');
        assert.equal(m.fields[64], '0'.repeat(16), 'MAC zeroed');
      }
      if (m.mti === '0200' && m.fields[2]?.startsWith('622202')) {
        assert.equal(m.fields[2], '6222020000000000017', 'first 6 / last 4 survive, filler nibble 0');
        assert.equal(m.fields[35], '0'.repeat(TRACK2.length));
        assert.equal(m.fields[52], '0'.repeat(16));
        assert.equal(m.fields[4], '000000002500');
        // 5A masked like a PAN (F pad kept), 57 zeroed, the cryptogram and the rest as sent.
        assert.equal(
          m.fields[55],
          `5A0A6222020000000000017F5713${'0'.repeat(38)}9F2608A1B2C3D4E5F607189F2701809F36020002`,
        );
      }
      if (m.mti === '0200' && m.fields[2]?.startsWith('622424')) {
        assert.equal(m.fields[2], '6224240000000113');
        assert.equal(m.fields[35], '0'.repeat(SAMPLE_TRACK2.length));
        assert.equal(m.fields[52], '0'.repeat(16));
        assert.equal(m.fields[60], '22000024000600', 'CUP 60 (positional subfields) as sent');
        assert.match(m.fields[55] as string, /^9F260895BBE372271DDA7C9F2701809F1013/, 'ICC data as sent');
      }
      if (m.mti === '0210') assert.match(m.fields[2] as string, /^(6222020{9}0017|6224240{6}0113)$/);
    }
  });

  it('blanks a frame that does not decode past its header, and all of it once the framing is lost', () => {
    const header = 2 + 5 + 6;
    // A frame whose length prefix is right but whose body is not ISO 8583 (an ASCII PAN inside).
    const junk = Buffer.concat([
      Buffer.from([0, 40]),
      SAMPLE_0200.subarray(2, 13),
      Buffer.from(`PAN=${PAN};xxxxx`),
    ]);
    assert.equal(junk.length, 42);
    // After it the framing cannot be trusted: bytes that read as a length beyond the stream.
    const tail = Buffer.from(`${PAN} after the junk`);
    const stream = Buffer.concat([OWN_0200, junk, OWN_0200, junk, tail]);
    const out = maskIsoStream(cup, stream);
    assert.equal(out.length, stream.length);
    assert.ok(!out.includes(Buffer.from(PAN)), 'no ASCII PAN');
    let at = 0;
    assert.deepEqual(out.subarray(at, (at += OWN_0200.length)), maskFrameBytes(cup, OWN_0200));
    assert.deepEqual(out.subarray(at, at + header), junk.subarray(0, header), 'trusted header kept');
    assert.ok(
      out.subarray(at + header, (at += junk.length)).every((b) => b === 0),
      'body zeroed',
    );
    // The frame after the junk still decodes: it is masked, and trust is back.
    assert.deepEqual(out.subarray(at, (at += OWN_0200.length)), maskFrameBytes(cup, OWN_0200));
    assert.deepEqual(out.subarray(at, at + header), junk.subarray(0, header), 'trusted again');
    assert.ok(out.subarray(at + header, (at += junk.length)).every((b) => b === 0));
    assert.ok(
      out.subarray(at).every((b) => b === 0),
      'unframeable bytes after an undecodable frame: all zero',
    );
    // A frame cut short by the end of the stream keeps only its header.
    const cut = maskIsoStream(cup, OWN_0200.subarray(0, 60));
    assert.deepEqual(cut, blankFrame(cup, OWN_0200.subarray(0, 60)));
  });

  it('keeps the segmentation of a capture: one-byte segments are masked like the whole frame', async () => {
    const writer = new PcapWriter({ memory: true });
    const recorder = new PcapRecorder(writer);
    const flow = recorder.open({ address: '10.0.0.1', port: 40000 }, { address: '10.0.0.2', port: 5000 });
    for (let i = 0; i < OWN_0200.length; i++) flow.data(true, OWN_0200.subarray(i, i + 1));
    flow.data(false, SIGN_IN_RESPONSE);
    flow.fin(true);
    flow.fin(false);
    const clear = writer.bytes();
    const masked = maskPcap(cup, clear);
    const before = readPcap(clear).packets;
    const after = readPcap(masked).packets;
    assert.equal(after.length, before.length);
    assert.deepEqual(
      after.map((p) => [p.timeMs, p.tcp?.seq, p.tcp?.payloadLength]),
      before.map((p) => [p.timeMs, p.tcp?.seq, p.tcp?.payloadLength]),
      'same packets, times and sequence numbers',
    );
    const streams = streamsOf(masked);
    assert.deepEqual(streams.get('10.0.0.1:40000>10.0.0.2:5000'), maskFrameBytes(cup, OWN_0200));
    assert.deepEqual(streams.get('10.0.0.2:5000>10.0.0.1:40000'), maskFrameBytes(cup, SIGN_IN_RESPONSE));
  });

  it('Wireshark (tshark with docs/wireshark-iso8583.lua) frames every message of a masked capture', function () {
    assert.ok(existsSync(TSHARK), `${TSHARK} is missing: install the Debian package tshark (.ci/run does)`);
    this.timeout(30_000);
    const writer = new PcapWriter({ memory: true });
    const flow = new PcapRecorder(writer).open(
      { address: '10.0.0.1', port: 40001 },
      { address: '10.0.0.2', port: 5000 },
    );
    const sent: Buffer[] = [];
    for (const req of [SIGN_IN, SAMPLE_0200, OWN_0200]) {
      // The public 0200 over three segments: Wireshark reassembles it.
      if (req === SAMPLE_0200)
        for (const cut of [[0, 1], [1, 200], [200]]) flow.data(true, req.subarray(...cut));
      else flow.data(true, req);
      const res = req === SIGN_IN ? SIGN_IN_RESPONSE : response0210(decodeFrame(cup, req));
      flow.data(false, res);
      sent.push(req, res);
    }
    flow.fin(true);
    flow.fin(false);
    const dir = mkdtempSync(join(tmpdir(), 'payhil-tshark-'));
    try {
      const file = join(dir, 'masked.pcap');
      writeFileSync(file, maskPcap(cup, writer.bytes()));
      const r = spawnSync(
        TSHARK,
        [
          '-X',
          `lua_script:${packagePath('docs', 'wireshark-iso8583.lua')}`,
          '-d',
          'tcp.port==5000,cup8583',
          '-o',
          'tcp.check_checksum:TRUE',
          '-r',
          file,
          '-Y',
          'cup8583',
          '-T',
          'fields',
          '-e',
          'cup8583.mti',
          '-e',
          'cup8583.fields',
          '-e',
          'tcp.checksum.status',
        ],
        { encoding: 'utf8', timeout: 25_000 },
      );
      assert.equal(r.status, 0, r.stderr);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      const expected = sent.map((f) => {
        const m = decodeFrame(cup, f);
        return [
          m.mti,
          Object.keys(m.fields)
            .map(Number)
            .sort((a, b) => a - b)
            .join(' '),
          '1',
        ];
      });
      assert.deepEqual(rows, expected, 'MTI, fields present and a good TCP checksum for every frame');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bytes that are not a libpcap capture', () => {
    assert.throws(
      () => maskPcap(cup, Buffer.from('not a capture at all, no magic number here')),
      PcapFormatError,
    );
    const truncated = Buffer.concat([new PcapWriter({ memory: true }).bytes(), Buffer.alloc(20)]);
    truncated.writeUInt32LE(1000, 24 + 8);
    assert.throws(() => readPcap(truncated), /runs past the end/);
  });
});
