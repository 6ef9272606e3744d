/**
 * The zvt driver over TCP (resource: host and port; real terminals listen on 20007) and over a serial port
 * (resource: path and baud rate). Capabilities and observations: see `ZvtDriver`.
 */
import { SerialChannel, connectTcpChannel } from '../../emulator/ecr/index.js';
import { ZvtCapture } from './zvt-capture.js';
import { ZvtDriver, type ZvtDriverOptions } from './zvt-driver.js';

/** Resource of a ZVT terminal on TCP. */
export interface ZvtTcpResource {
  host: string;
  port: number;
  /** TCP connect timeout (ms). Default 5 000. */
  connectTimeoutMs?: number;
  /** Write the ZVT traffic to this pcap file (for Wireshark's ZVT dissector). */
  pcapFile?: string;
}

export class ZvtTcpDriver extends ZvtDriver {
  private readonly capture: ZvtCapture | undefined;

  constructor(
    readonly resource: ZvtTcpResource,
    options: Omit<ZvtDriverOptions, 'transport'> = {},
  ) {
    const capture = resource.pcapFile ? new ZvtCapture(resource.pcapFile, resource) : undefined;
    super(
      `zvt-tcp ${resource.host}:${resource.port}`,
      async () => {
        const channel = await connectTcpChannel(
          resource.host,
          resource.port,
          resource.connectTimeoutMs ?? 5000,
        );
        return capture ? capture.wrap(channel) : channel;
      },
      { ...options, transport: 'tcp' },
    );
    this.capture = capture;
  }

  /** Closes the link (and the capture file). */
  override async deactivate(): Promise<void> {
    await super.deactivate();
    await this.capture?.close();
  }
}

/** Resource of a ZVT terminal on a serial port. */
export interface ZvtSerialResource {
  path: string;
  /** Default 9600 (the ZVT spec's serial default). */
  baudRate?: number;
}

export class ZvtSerialDriver extends ZvtDriver {
  constructor(
    readonly resource: ZvtSerialResource,
    options: Omit<ZvtDriverOptions, 'transport'> = {},
  ) {
    super(
      `zvt-serial ${resource.path}`,
      () => SerialChannel.open(resource.path, { baudRate: resource.baudRate ?? 9600 }),
      { ...options, transport: 'serial' },
    );
  }
}
