import { strict as assert } from 'node:assert';
import { loadDialect } from '../iso8583/dialect-loader.js';
import { encodeFrame } from '../iso8583/message-codec.js';
import {
  PcapWriter,
  internetChecksum,
  pcapGlobalHeader,
  buildTcpPacket,
  TCP_ACK,
  TCP_PSH,
} from './pcap-writer.js';
import { startProxy } from './proxy.js';
import { connectClient, sleep, startEchoServer } from './test-kit.js';

interface Packet {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
}

/** A minimal reader for the captures we write (Ethernet/IPv4/TCP, little-endian pcap). */
function readPcap(buf: Buffer): Packet[] {
  assert.equal(buf.readUInt32LE(0), 0xa1b2c3d4);
  const out: Packet[] = [];
  for (let off = 24; off < buf.length;) {
    const len = buf.readUInt32LE(off + 8);
    const pkt = buf.subarray(off + 16, off + 16 + len);
    off += 16 + len;
    assert.equal(pkt.readUInt16BE(12), 0x0800);
    const ip = pkt.subarray(14, 34);
    assert.equal(internetChecksum(ip), 0, 'IPv4 header checksum');
    const tcpLen = ip.readUInt16BE(2) - 20;
    const tcp = pkt.subarray(34, 34 + tcpLen);
    const pseudo = Buffer.alloc(12);
    ip.copy(pseudo, 0, 12, 20);
    pseudo[9] = 6;
    pseudo.writeUInt16BE(tcpLen, 10);
    assert.equal(internetChecksum(pseudo, tcp), 0, 'TCP checksum');
    out.push({
      src: [...ip.subarray(12, 16)].join('.'),
      dst: [...ip.subarray(16, 20)].join('.'),
      sport: tcp.readUInt16BE(0),
      dport: tcp.readUInt16BE(2),
      seq: tcp.readUInt32BE(4),
      ack: tcp.readUInt32BE(8),
      flags: tcp[13] as number,
      payload: Buffer.from(tcp.subarray(20)),
    });
  }
  return out;
}

describe('net/pcap', () => {
  it('computes the RFC 1071 checksum of the Wikipedia IPv4 header example (0xB861)', () => {
    // https://en.wikipedia.org/wiki/Internet_checksum (IPv4 header example): checksum B861.
    const header = Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex');
    assert.equal(internetChecksum(header), 0xb861);
    header.writeUInt16BE(0xb861, 10);
    assert.equal(internetChecksum(header), 0);
  });

  it('writes the libpcap global header: magic A1B2C3D4, v2.4, Ethernet', () => {
    // magic, version 2.4, thiszone 0, sigfigs 0, snaplen 262144, linktype 1 — all little-endian.
    assert.equal(
      pcapGlobalHeader().toString('hex'),
      'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000',
    );
  });

  it('builds a TCP segment whose checksum verifies', () => {
    const pkt = buildTcpPacket({
      src: { ip: Buffer.from([10, 0, 0, 1]), port: 1234, mac: Buffer.alloc(6, 1) },
      dst: { ip: Buffer.from([10, 0, 0, 2]), port: 80, mac: Buffer.alloc(6, 2) },
      seq: 1,
      ack: 2,
      flags: TCP_PSH | TCP_ACK,
      payload: Buffer.from('odd'),
      ipId: 1,
    });
    assert.equal(pkt.length, 14 + 20 + 20 + 3);
    assert.equal(
      readPcap(
        Buffer.concat([pcapGlobalHeader(), Buffer.from('00000000000000003900000039000000', 'hex'), pkt]),
      )[0]?.payload.toString(),
      'odd',
    );
  });

  it('captures both legs of a proxied run with consistent sequence numbers', async function () {
    this.timeout(10_000);
    const echo = await startEchoServer();
    const writer = new PcapWriter({ memory: true });
    const proxy = await startProxy({ upstream: `127.0.0.1:${echo.port}`, dialect: 'cup', pcap: writer });
    try {
      const cup = loadDialect('cup');
      const c = await connectClient(proxy.address().port);
      const frame = encodeFrame(cup, { mti: '0800', fields: { 11: '000001', 41: 'TERM0001' } });
      c.socket.write(frame.subarray(0, 7));
      await sleep(20);
      c.socket.write(frame.subarray(7));
      await c.waitFor(frame.length);
      c.socket.end();
      await c.closed;
      await sleep(50);
    } finally {
      await proxy.close();
      await echo.close();
    }
    const pkts = readPcap(writer.bytes());
    const syns = pkts.filter((p) => p.flags === 0x02);
    assert.equal(syns.length, 2, 'one handshake per leg');
    for (const syn of syns) {
      const flow = pkts.filter(
        (p) =>
          (p.sport === syn.sport && p.dport === syn.dport) ||
          (p.sport === syn.dport && p.dport === syn.sport),
      );
      // Each side's data is contiguous: every segment starts where the previous one of that side ended.
      for (const side of [syn.sport, syn.dport]) {
        let next: number | undefined;
        let bytes = Buffer.alloc(0);
        for (const p of flow.filter((x) => x.sport === side)) {
          if (next !== undefined) assert.equal(p.seq, next);
          next = (p.seq + p.payload.length + (p.flags & 0x03 ? 1 : 0)) >>> 0;
          bytes = Buffer.concat([bytes, p.payload]);
        }
        assert.equal(bytes.length, 2 + 5 + 6 + 2 + 8 + 3 + 8, 'the whole 0800 frame each way');
      }
      assert.ok(
        flow.some((p) => p.flags & 0x01),
        'FIN seen',
      );
    }
  });
});
