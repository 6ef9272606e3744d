/**
 * The `ecr-tcp` driver: a terminal whose ECR link listens on TCP (resource: host and port).
 * Capabilities and observations: see `EcrDriver` (harness/drivers/ecr).
 */
import { EcrClient } from '../../emulator/ecr/index.js';
import { EcrDriver, type EcrDriverOptions } from '../ecr/index.js';

/** Resource of the ecr-tcp driver. */
export interface EcrTcpResource {
  host: string;
  port: number;
  /** TCP connect timeout (ms). Default 5 000. */
  connectTimeoutMs?: number;
}

export class EcrTcpDriver extends EcrDriver {
  readonly resource: EcrTcpResource;

  /** Connection refused or timed out at `activate()` → `EcrDriverError` (broken). */
  constructor(resource: EcrTcpResource, options: EcrDriverOptions = {}) {
    super(
      `ecr-tcp ${resource.host}:${resource.port}`,
      (link) =>
        EcrClient.connectTcp(resource.host, resource.port, {
          ...link,
          ...(resource.connectTimeoutMs !== undefined ? { connectTimeoutMs: resource.connectTimeoutMs } : {}),
        }),
      options,
    );
    this.resource = { ...resource };
  }
}

/** `host:port` → resource; undefined when it is not one. */
export function parseEcrTcpAddress(spec: string): EcrTcpResource | undefined {
  const m = /^(\[[^\]]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(spec);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}
