import {
  MAX_SEGMENT,
  PcapWriter,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  buildTcpPacket,
  epochMs,
  ipv4Bytes,
} from './pcap-writer.js';

interface Side {
  readonly ip: Buffer;
  readonly port: number;
  readonly mac: Buffer;
  /** Next sequence number this side sends. */
  seq: number;
  finSent: boolean;
}

/** A TCP endpoint as seen by the proxy. */
export interface Endpoint {
  readonly address: string | undefined;
  readonly port: number | undefined;
}

/**
 * One synthesised TCP conversation in a capture: a three-way handshake when opened, data segments
 * with running sequence and acknowledgement numbers (so Wireshark reassembles and follows the stream),
 * FIN or RST at the end. `a` is the side that opened the connection.
 */
export class PcapFlow {
  private readonly a: Side;
  private readonly b: Side;
  private closed = false;

  constructor(
    private readonly writer: PcapWriter,
    private readonly nextId: () => number,
    a: Endpoint,
    b: Endpoint,
    isn: () => number,
  ) {
    this.a = {
      ip: ipv4Bytes(a.address),
      port: a.port ?? 0,
      mac: Buffer.from('020000000001', 'hex'),
      seq: isn(),
      finSent: false,
    };
    this.b = {
      ip: ipv4Bytes(b.address),
      port: b.port ?? 0,
      mac: Buffer.from('020000000002', 'hex'),
      seq: isn(),
      finSent: false,
    };
    this.emit(this.a, this.b, TCP_SYN);
    this.a.seq++;
    this.emit(this.b, this.a, TCP_SYN | TCP_ACK);
    this.b.seq++;
    this.emit(this.a, this.b, TCP_ACK);
  }

  private emit(from: Side, to: Side, flags: number, payload?: Buffer): void {
    const pkt = buildTcpPacket({
      src: from,
      dst: to,
      seq: from.seq,
      ack: to.seq,
      flags,
      ipId: this.nextId(),
      ...(payload ? { payload } : {}),
    });
    this.writer.write(pkt, epochMs());
  }

  /** Data sent by the opener (`fromA`) or by the other side. */
  data(fromA: boolean, bytes: Buffer): void {
    if (this.closed || bytes.length === 0) return;
    const [from, to] = fromA ? [this.a, this.b] : [this.b, this.a];
    for (let off = 0; off < bytes.length; off += MAX_SEGMENT) {
      const part = bytes.subarray(off, Math.min(bytes.length, off + MAX_SEGMENT));
      this.emit(from, to, TCP_PSH | TCP_ACK, part);
      from.seq = (from.seq + part.length) >>> 0;
    }
  }

  /** A FIN from one side (once). */
  fin(fromA: boolean): void {
    const [from, to] = fromA ? [this.a, this.b] : [this.b, this.a];
    if (this.closed || from.finSent) return;
    from.finSent = true;
    this.emit(from, to, TCP_FIN | TCP_ACK);
    from.seq = (from.seq + 1) >>> 0;
    if (this.a.finSent && this.b.finSent) this.closed = true;
  }

  /** An RST from one side; the flow is over. */
  rst(fromA: boolean): void {
    if (this.closed) return;
    const [from, to] = fromA ? [this.a, this.b] : [this.b, this.a];
    this.emit(from, to, TCP_RST | TCP_ACK);
    this.closed = true;
  }
}

/** Records a proxy's connections into one capture, two flows per connection (terminal leg, host leg). */
export class PcapRecorder {
  private ipId = 0;

  /** `random` draws each flow's initial TCP sequence numbers (default Math.random: not a secret). */
  constructor(
    readonly writer: PcapWriter,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts a flow opened by `a` towards `b`. */
  open(a: Endpoint, b: Endpoint): PcapFlow {
    return new PcapFlow(
      this.writer,
      () => (this.ipId = (this.ipId + 1) & 0xffff),
      a,
      b,
      () => Math.floor(this.random() * 0xffffffff) >>> 0,
    );
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
