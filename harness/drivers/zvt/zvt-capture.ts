/**
 * A pcap of a ZVT link (`pcapFile` of the zvt-tcp driver): every byte the cash register (payhil) and the
 * terminal exchange, as one TCP conversation per connection, so Wireshark's ZVT dissector decodes it
 * (`tshark -r FILE -d tcp.port==PORT,zvt`). ZVT carries masked PANs only; nothing else sensitive is on
 * this link (the PIN is entered on the terminal).
 */
import { PcapRecorder, PcapWriter } from '../../net/index.js';
import type { ZvtChannel } from '../../zvt/index.js';

/** Records the channels it wraps into one capture file. */
export class ZvtCapture {
  private recorder: PcapRecorder | undefined;
  private connections = 0;

  constructor(
    readonly file: string,
    private readonly terminal: { host: string; port: number },
  ) {}

  /** The channel, its traffic also written to the capture. */
  wrap(channel: ZvtChannel): ZvtChannel {
    this.recorder ??= new PcapRecorder(new PcapWriter({ file: this.file }));
    // The cash register's side gets a port of its own per connection (the capture is synthesised).
    const flow = this.recorder.open(
      { address: '127.0.0.1', port: 49152 + (this.connections++ % 16000) },
      {
        address: this.terminal.host === 'localhost' ? '127.0.0.1' : this.terminal.host,
        port: this.terminal.port,
      },
    );
    return {
      description: channel.description,
      get closed() {
        return channel.closed;
      },
      write: async (data) => {
        await channel.write(data);
        flow.data(true, data);
      },
      read: async () => {
        const chunk = await channel.read();
        if (chunk) flow.data(false, chunk);
        else flow.fin(false);
        return chunk;
      },
      close: async () => {
        flow.fin(true);
        await channel.close();
      },
    };
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    const r = this.recorder;
    this.recorder = undefined;
    await r?.close();
  }
}
