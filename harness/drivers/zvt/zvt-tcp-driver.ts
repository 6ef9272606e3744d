/**
 * The zvt driver over TCP (resource: host and port; real terminals listen on 20007) and over a serial port
 * (resource: path and baud rate). Capabilities and observations: see `ZvtDriver`.
 */
import { SerialChannel, connectTcpChannel } from '../../emulator/ecr/index.js';
import { ZvtDriver, type ZvtDriverOptions } from './zvt-driver.js';

/** Resource of a ZVT terminal on TCP. */
export interface ZvtTcpResource {
  host: string;
  port: number;
  /** TCP connect timeout (ms). Default 5 000. */
  connectTimeoutMs?: number;
}

export class ZvtTcpDriver extends ZvtDriver {
  constructor(
    readonly resource: ZvtTcpResource,
    options: Omit<ZvtDriverOptions, 'transport'> = {},
  ) {
    super(
      `zvt-tcp ${resource.host}:${resource.port}`,
      () => connectTcpChannel(resource.host, resource.port, resource.connectTimeoutMs ?? 5000),
      { ...options, transport: 'tcp' },
    );
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
