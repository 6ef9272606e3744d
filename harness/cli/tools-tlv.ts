// Placeholder until the tool is built; replaced wholesale by its owner.
import { UsageError } from './usage-error.js';
import type { CliIo } from './command.js';

export function run(_argv: string[], _io: CliIo): Promise<number> {
  return Promise.reject(new UsageError('tools tlv: not built yet'));
}
