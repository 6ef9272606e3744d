/**
 * A scenario's capture with fixed, documented addresses and ports, so Wireshark with
 * docs/wireshark-iso8583.lua decodes it without knowing the run's random ports, and tells the two legs
 * apart by address:
 *
 *   leg 1  terminal 127.0.0.1:(its port)  ↔  proxy 127.0.0.2:8583
 *   leg 2  proxy    127.0.0.2:(its port)  ↔  host  127.0.0.3:8583
 *
 * The capture is synthesised by the proxy (not sniffed), each message once per leg; the rewrite changes
 * only the IPv4 addresses and the server ports of the TCP headers (checksums recomputed), never a
 * payload byte. Packets of neither leg are left as they are.
 */
import { readPcap } from './pcap-reader.js';
import { internetChecksum } from './pcap-writer.js';

/** The TCP port both legs' servers (the proxy, the host) have in a relabelled capture. */
export const CAPTURE_PORT = 8583;

/** The documented addresses of the three parties. */
export const CAPTURE_ADDRESSES = {
  terminal: '127.0.0.1',
  proxy: '127.0.0.2',
  host: '127.0.0.3',
} as const;

/** The real ports of the scenario: where the proxy listened and where the host was. */
export interface CaptureLegs {
  proxyPort: number;
  hostPort: number;
}

const ip = (text: string): Buffer => Buffer.from(text.split('.').map(Number));

/**
 * A copy of a libpcap capture (Ethernet/IPv4/TCP) with its legs relabelled (see the file comment).
 * @throws PcapFormatError when `pcap` is not a readable libpcap capture.
 */
export function relabelLegs(pcap: Buffer, legs: CaptureLegs): Buffer {
  const capture = readPcap(pcap);
  const out = Buffer.from(pcap);
  const A = CAPTURE_ADDRESSES;
  for (const p of capture.packets) {
    const t = p.tcp;
    if (!t) continue;
    let src: Buffer;
    let dst: Buffer;
    let srcPort = t.srcPort;
    let dstPort = t.dstPort;
    if (t.dstPort === legs.proxyPort) {
      [src, dst, dstPort] = [ip(A.terminal), ip(A.proxy), CAPTURE_PORT];
    } else if (t.srcPort === legs.proxyPort) {
      [src, dst, srcPort] = [ip(A.proxy), ip(A.terminal), CAPTURE_PORT];
    } else if (t.dstPort === legs.hostPort) {
      [src, dst, dstPort] = [ip(A.proxy), ip(A.host), CAPTURE_PORT];
    } else if (t.srcPort === legs.hostPort) {
      [src, dst, srcPort] = [ip(A.host), ip(A.proxy), CAPTURE_PORT];
    } else continue;
    const ipHeader = out.subarray(t.ipOffset, t.tcpOffset);
    src.copy(ipHeader, 12);
    dst.copy(ipHeader, 16);
    ipHeader.writeUInt16BE(0, 10);
    ipHeader.writeUInt16BE(internetChecksum(ipHeader), 10);
    const end = t.payloadOffset + t.payloadLength;
    const tcp = out.subarray(t.tcpOffset, end);
    tcp.writeUInt16BE(srcPort, 0);
    tcp.writeUInt16BE(dstPort, 2);
    tcp.writeUInt16BE(0, 16);
    const pseudo = Buffer.alloc(12);
    src.copy(pseudo, 0);
    dst.copy(pseudo, 4);
    pseudo[9] = 6;
    pseudo.writeUInt16BE(tcp.length, 10);
    tcp.writeUInt16BE(internetChecksum(pseudo, tcp), 16);
  }
  return out;
}
