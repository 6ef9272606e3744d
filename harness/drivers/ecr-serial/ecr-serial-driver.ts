/**
 * The `ecr-serial` driver: a terminal whose ECR link is a serial port (resource: port path and baud
 * rate; 8N1, no flow control). Capabilities and observations: see `EcrDriver` (harness/drivers/ecr).
 */
import { EcrClient } from '../../emulator/ecr/index.js';
import { EcrDriver, type EcrDriverOptions } from '../ecr/index.js';

/** Resource of the ecr-serial driver. */
export interface EcrSerialResource {
  /** e.g. /dev/ttyUSB0, or one end of a socat pty pair. */
  path: string;
  /** Default 115200. */
  baudRate?: number;
}

export class EcrSerialDriver extends EcrDriver {
  readonly resource: Required<EcrSerialResource>;

  /** Port missing or busy at `activate()` → `EcrDriverError` (broken) naming the path. */
  constructor(resource: EcrSerialResource, options: EcrDriverOptions = {}) {
    const baudRate = resource.baudRate ?? 115200;
    super(
      `ecr-serial ${resource.path}@${baudRate}`,
      (link) => EcrClient.openSerial(resource.path, { ...link, baudRate }),
      options,
    );
    this.resource = { path: resource.path, baudRate };
  }
}
