// Placeholder until the issue that builds this command lands; replaced wholesale by its owner.
import { UsageError } from './usage-error.js';
import type { Command } from './command.js';

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'not built yet',
  run: () => Promise.reject(new UsageError('proxy: not built yet')),
};
