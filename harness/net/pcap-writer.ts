/**
 * libpcap capture files with synthesised Ethernet/IPv4/TCP headers, so Wireshark shows a proxied run
 * as ordinary TCP conversations (Follow TCP Stream, ISO 8583 dissection) although nothing was sniffed.
 *
 * Format (https://wiki.wireshark.org/Development/LibpcapFileFormat): a 24-byte global header
 * (magic 0xA1B2C3D4 written in host order — little-endian here —, version 2.4, snaplen, link type 1 =
 * Ethernet) and per packet a 16-byte record header (seconds, microseconds, captured and original length).
 * IPv4 (RFC 791) and TCP (RFC 793) headers carry real checksums (RFC 1071 one's-complement sum).
 */
import { createWriteStream, type WriteStream } from 'node:fs';

/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;
export const PCAP_MAGIC = 0xa1b2c3d4;
const SNAPLEN = 262144;

/** TCP flag bits. */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Largest TCP payload put in one synthesised segment (fits the 16-bit IPv4 total length). */
export const MAX_SEGMENT = 65535 - 20 - 20;

/** The 24-byte pcap global header. */
export function pcapGlobalHeader(linkType = LINKTYPE_ETHERNET): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(PCAP_MAGIC, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeInt32LE(0, 8);
  b.writeUInt32LE(0, 12);
  b.writeUInt32LE(SNAPLEN, 16);
  b.writeUInt32LE(linkType, 20);
  return b;
}

/** RFC 1071 Internet checksum over `parts` (each an even-offset slice of one logical byte string). */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const p of parts) {
    let i = 0;
    if (odd !== undefined && p.length > 0) {
      sum += (odd << 8) | (p[0] as number);
      odd = undefined;
      i = 1;
    }
    for (; i + 1 < p.length; i += 2) sum += ((p[i] as number) << 8) | (p[i + 1] as number);
    if (i < p.length) odd = p[i] as number;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Dotted IPv4 → 4 bytes; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) accepted; anything else → 127.0.0.1. */
export function ipv4Bytes(address: string | undefined): Buffer {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(address ?? '');
  if (!m) return Buffer.from([127, 0, 0, 1]);
  return Buffer.from(m.slice(1, 5).map((x) => Number(x) & 0xff));
}

export interface TcpSegment {
  readonly src: { readonly ip: Buffer; readonly port: number; readonly mac: Buffer };
  readonly dst: { readonly ip: Buffer; readonly port: number; readonly mac: Buffer };
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly payload?: Buffer;
  readonly ipId: number;
}

/** One Ethernet frame carrying an IPv4/TCP segment, checksums filled in. */
export function buildTcpPacket(s: TcpSegment): Buffer {
  const payload = s.payload ?? Buffer.alloc(0);
  const pkt = Buffer.alloc(14 + 20 + 20 + payload.length);
  s.dst.mac.copy(pkt, 0);
  s.src.mac.copy(pkt, 6);
  pkt.writeUInt16BE(0x0800, 12);
  const ip = pkt.subarray(14, 34);
  ip[0] = 0x45; // version 4, IHL 5
  ip[1] = 0;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip.writeUInt16BE(s.ipId & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip[8] = 64; // TTL
  ip[9] = 6; // TCP
  s.src.ip.copy(ip, 12);
  s.dst.ip.copy(ip, 16);
  ip.writeUInt16BE(internetChecksum(ip), 10);
  const tcp = pkt.subarray(34, 54);
  tcp.writeUInt16BE(s.src.port, 0);
  tcp.writeUInt16BE(s.dst.port, 2);
  tcp.writeUInt32BE(s.seq >>> 0, 4);
  tcp.writeUInt32BE(s.flags & TCP_ACK ? s.ack >>> 0 : 0, 8);
  tcp[12] = 5 << 4; // data offset 5 words
  tcp[13] = s.flags;
  tcp.writeUInt16BE(65535, 14); // window
  payload.copy(pkt, 54);
  const pseudo = Buffer.alloc(12);
  s.src.ip.copy(pseudo, 0);
  s.dst.ip.copy(pseudo, 4);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(20 + payload.length, 10);
  tcp.writeUInt16BE(internetChecksum(pseudo, tcp, payload), 16);
  return pkt;
}

/** The 16-byte record header for a packet captured at `timeMs` (Unix epoch, fractional ms). */
export function pcapRecordHeader(timeMs: number, length: number): Buffer {
  const h = Buffer.alloc(16);
  const sec = Math.floor(timeMs / 1000);
  const usec = Math.floor((timeMs - sec * 1000) * 1000);
  h.writeUInt32LE(sec >>> 0, 0);
  h.writeUInt32LE(Math.min(999_999, usec), 4);
  h.writeUInt32LE(length, 8);
  h.writeUInt32LE(length, 12);
  return h;
}

/** Where packets go: a file (streamed) or memory (`chunks`, for tests and API downloads). */
export class PcapWriter {
  private stream: WriteStream | undefined;
  readonly chunks: Buffer[] | undefined;
  packets = 0;

  constructor(target: { file: string } | { memory: true }) {
    if ('file' in target) {
      this.stream = createWriteStream(target.file);
      this.stream.write(pcapGlobalHeader());
    } else {
      this.chunks = [pcapGlobalHeader()];
    }
  }

  /** Appends one link-layer frame captured at `timeMs` (epoch ms). */
  write(frame: Buffer, timeMs = Date.now()): void {
    const rec = pcapRecordHeader(timeMs, frame.length);
    this.packets++;
    if (this.chunks) this.chunks.push(rec, frame);
    else this.stream?.write(Buffer.concat([rec, frame]));
  }

  /** The capture so far (memory target). */
  bytes(): Buffer {
    return Buffer.concat(this.chunks ?? []);
  }

  async close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
  }
}

/** Wall-clock epoch ms with sub-millisecond resolution. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
