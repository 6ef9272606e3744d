/**
 * Masked captures: a pcap of ISO 8583 traffic with every frame's sensitive bytes overwritten in place
 * (iso8583/frame-masking.ts, the same table as the spy's journal), so the capture may go into a report and
 * Wireshark still follows every TCP stream and decodes every field.
 *
 * Each TCP direction is put back together by sequence number (segmentation, retransmissions and
 * timestamps stay as captured), cut into frames by the dialect's length prefix, masked frame by frame,
 * and written back into the same segments with their TCP checksums recomputed. Never leak: a frame that
 * does not decode is zeroed past its header; where the framing cannot be trusted any more (after such a
 * frame, whose length prefix may be corrupt) undecodable frames are zeroed whole; an incomplete last
 * frame, bytes that cannot be framed, segments outside their stream and packets that are not TCP are
 * zeroed too.
 */
import type { Dialect } from '../iso8583/dialect-types.js';
import { DEFAULT_MAX_FRAME_BYTES, frameLengthAt } from '../iso8583/message-codec.js';
import { frameHeaderBytes, maskFrameBytes, tryMaskFrameBytes } from '../iso8583/index.js';
import { readPcap, type PcapPacket, type PcapTcp } from './pcap-reader.js';
import { TCP_SYN, internetChecksum } from './pcap-writer.js';

/**
 * One direction of a TCP conversation, as captured, with every ISO 8583 frame masked (see the module
 * comment for what is zeroed). Same length as `stream`.
 */
export function maskIsoStream(d: Dialect, stream: Uint8Array): Buffer {
  const src = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  if (d.framing.length === 'none') return maskFrameBytes(d, src);
  const out = Buffer.from(src);
  const header = frameHeaderBytes(d);
  let trusted = true;
  let off = 0;
  while (off < src.length) {
    const rest = src.length - off;
    let total: number | undefined;
    try {
      total = frameLengthAt(d, src, off, rest);
    } catch {
      total = undefined;
    }
    if (total === undefined || total <= 0 || total > DEFAULT_MAX_FRAME_BYTES || total > rest) {
      // Unframeable or cut short: keep at most a trusted frame's header, zero everything after.
      out.fill(0, off + (trusted ? Math.min(rest, header) : 0));
      break;
    }
    const masked = tryMaskFrameBytes(d, src.subarray(off, off + total));
    if (masked) {
      masked.copy(out, off);
      trusted = true;
    } else {
      out.fill(0, off + (trusted ? Math.min(total, header) : 0), off + total);
      trusted = false;
    }
    off += total;
  }
  return out;
}

interface Segment {
  readonly packet: PcapPacket;
  readonly tcp: PcapTcp;
}

interface Stream {
  /** Sequence number of the first payload byte (SYN + 1), once known. */
  base: number | undefined;
  readonly segments: Segment[];
}

/** Recomputes the TCP checksum of a fully captured segment (RFC 793 pseudo-header, RFC 1071 sum). */
function fixTcpChecksum(buf: Buffer, t: PcapTcp): void {
  const tcpLength = buf.readUInt16BE(t.ipOffset + 2) - (t.tcpOffset - t.ipOffset);
  if (t.tcpOffset + tcpLength > buf.length || t.payloadOffset + t.payloadLength !== t.tcpOffset + tcpLength)
    return; // not fully captured: the checksum cannot be computed
  const pseudo = Buffer.alloc(12);
  buf.copy(pseudo, 0, t.ipOffset + 12, t.ipOffset + 20);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(tcpLength, 10);
  const tcp = buf.subarray(t.tcpOffset, t.tcpOffset + tcpLength);
  tcp.writeUInt16BE(0, 16);
  tcp.writeUInt16BE(internetChecksum(pseudo, tcp), 16);
}

/**
 * A copy of a libpcap capture (Ethernet/IPv4/TCP, as PcapWriter writes it or tcpdump records it) with
 * the ISO 8583 frames of every TCP stream masked in place by `d`'s framing and fields.
 * @throws PcapFormatError when `pcap` is not a readable libpcap capture.
 */
export function maskPcap(d: Dialect, pcap: Buffer): Buffer {
  const capture = readPcap(pcap);
  const out = Buffer.from(pcap);
  const current = new Map<string, Stream>();
  const streams: Stream[] = [];
  for (const packet of capture.packets) {
    const tcp = packet.tcp;
    if (!tcp) {
      // Not a TCP segment we can place in a stream: keep at most the Ethernet header.
      const keep = capture.linkType === 1 ? Math.min(14, packet.capturedLength) : 0;
      out.fill(0, packet.offset + keep, packet.offset + packet.capturedLength);
      continue;
    }
    const key = `${tcp.srcIp}:${tcp.srcPort}>${tcp.dstIp}:${tcp.dstPort}`;
    let s = current.get(key);
    if (!s || tcp.flags & TCP_SYN) {
      // A SYN starts a new conversation, even on a reused address pair.
      s = { base: undefined, segments: [] };
      current.set(key, s);
      streams.push(s);
    }
    if (tcp.flags & TCP_SYN) s.base = (tcp.seq + 1) >>> 0;
    if (tcp.payloadLength > 0) {
      s.base ??= tcp.seq;
      s.segments.push({ packet, tcp });
    }
  }
  for (const s of streams) {
    if (s.segments.length === 0) continue;
    const base = s.base as number;
    // Place each segment by sequence number; one outside the capture's size is not part of this stream.
    const placed: { seg: Segment; at: number }[] = [];
    let length = 0;
    for (const seg of s.segments) {
      const at = (seg.tcp.seq - base) >>> 0;
      if (at > pcap.length) {
        out.fill(0, seg.tcp.payloadOffset, seg.tcp.payloadOffset + seg.tcp.payloadLength);
        continue;
      }
      placed.push({ seg, at });
      length = Math.max(length, at + seg.tcp.payloadLength);
    }
    const stream = Buffer.alloc(length);
    for (const { seg, at } of placed)
      pcap.copy(stream, at, seg.tcp.payloadOffset, seg.tcp.payloadOffset + seg.tcp.payloadLength);
    const masked = maskIsoStream(d, stream);
    for (const { seg, at } of placed) masked.copy(out, seg.tcp.payloadOffset, at, at + seg.tcp.payloadLength);
  }
  for (const packet of capture.packets) if (packet.tcp) fixTcpChecksum(out, packet.tcp);
  return out;
}
