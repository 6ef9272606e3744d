// Placeholder until the issue that builds this command lands; replaced wholesale by its owner.
import { UsageError } from './usage-error.js';
import type { Command } from './command.js';

export const listCommand: Command = {
  name: 'list',
  summary: 'not built yet',
  run: () => Promise.reject(new UsageError('list: not built yet')),
};
