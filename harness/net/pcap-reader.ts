/**
 * Reads libpcap capture files (https://wiki.wireshark.org/Development/LibpcapFileFormat): the 24-byte
 * global header in either byte order, microsecond (A1B2C3D4) or nanosecond (A1B23C4D) timestamps, and
 * per packet a 16-byte record header and the captured bytes. Ethernet frames carrying IPv4 (RFC 791)
 * and TCP (RFC 793) are located down to the TCP payload; anything else is reported as not TCP.
 */
import { PcapFormatError } from './errors.js';
import { LINKTYPE_ETHERNET } from './pcap-writer.js';

/** A TCP segment inside a captured Ethernet frame; offsets are into the whole capture file. */
export interface PcapTcp {
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
  readonly flags: number;
  /** Where the IPv4 header starts. */
  readonly ipOffset: number;
  /** Where the TCP header starts. */
  readonly tcpOffset: number;
  /** Where the payload starts and how many of its bytes were captured. */
  readonly payloadOffset: number;
  readonly payloadLength: number;
}

/** One packet record. */
export interface PcapPacket {
  /** Position of the record in the capture, from 0. */
  readonly index: number;
  /** Capture time, epoch milliseconds. */
  readonly timeMs: number;
  /** Where the captured bytes start in the file, and how many there are. */
  readonly offset: number;
  readonly capturedLength: number;
  readonly originalLength: number;
  /** Present for Ethernet/IPv4/TCP packets. */
  readonly tcp?: PcapTcp;
}

export interface PcapCapture {
  readonly littleEndian: boolean;
  readonly nanoseconds: boolean;
  readonly linkType: number;
  readonly packets: readonly PcapPacket[];
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

function ipText(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** The TCP segment of an Ethernet frame at `off` (`len` captured bytes), if it is IPv4/TCP. */
function tcpOf(buf: Buffer, off: number, len: number): PcapTcp | undefined {
  if (len < 14 + 20 || buf.readUInt16BE(off + 12) !== 0x0800) return undefined;
  const ip = off + 14;
  const ihl = ((buf[ip] as number) & 0x0f) * 4;
  if ((buf[ip] as number) >> 4 !== 4 || ihl < 20 || buf[ip + 9] !== 6) return undefined;
  const tcp = ip + ihl;
  if (tcp + 20 > off + len) return undefined;
  const doff = ((buf[tcp + 12] as number) >> 4) * 4;
  if (doff < 20) return undefined;
  const payloadOffset = tcp + doff;
  const ipEnd = ip + buf.readUInt16BE(ip + 2);
  const end = Math.min(off + len, ipEnd);
  return {
    srcIp: ipText(buf, ip + 12),
    dstIp: ipText(buf, ip + 16),
    srcPort: buf.readUInt16BE(tcp),
    dstPort: buf.readUInt16BE(tcp + 2),
    seq: buf.readUInt32BE(tcp + 4),
    ack: buf.readUInt32BE(tcp + 8),
    flags: buf[tcp + 13] as number,
    ipOffset: ip,
    tcpOffset: tcp,
    payloadOffset,
    payloadLength: Math.max(0, end - payloadOffset),
  };
}

/**
 * Parses a capture. @throws PcapFormatError when the magic number is not libpcap's or a record runs
 * past the end of the file.
 */
export function readPcap(buf: Buffer): PcapCapture {
  if (buf.length < 24) throw new PcapFormatError('shorter than the 24-byte global header', 0);
  let littleEndian: boolean;
  let nanoseconds: boolean;
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  if (le === MAGIC_US || le === MAGIC_NS) {
    littleEndian = true;
    nanoseconds = le === MAGIC_NS;
  } else if (be === MAGIC_US || be === MAGIC_NS) {
    littleEndian = false;
    nanoseconds = be === MAGIC_NS;
  } else throw new PcapFormatError(`magic number 0x${be.toString(16)} is not libpcap's`, 0);
  const u32 = (at: number): number => (littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const linkType = u32(20) & 0x0fffffff;
  const packets: PcapPacket[] = [];
  for (let off = 24; off < buf.length;) {
    if (off + 16 > buf.length) throw new PcapFormatError('truncated record header', off);
    const capturedLength = u32(off + 8);
    const start = off + 16;
    if (start + capturedLength > buf.length)
      throw new PcapFormatError(`record of ${capturedLength} bytes runs past the end of the file`, off);
    const timeMs = u32(off) * 1000 + u32(off + 4) / (nanoseconds ? 1e6 : 1e3);
    const tcp = linkType === LINKTYPE_ETHERNET ? tcpOf(buf, start, capturedLength) : undefined;
    packets.push({
      index: packets.length,
      timeMs,
      offset: start,
      capturedLength,
      originalLength: u32(off + 12),
      ...(tcp ? { tcp } : {}),
    });
    off = start + capturedLength;
  }
  return { littleEndian, nanoseconds, linkType, packets };
}
