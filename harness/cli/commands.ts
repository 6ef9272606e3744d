import type { Command } from './command.js';

/**
 * The registry of sub-commands. Each entry loads its module lazily so that `payhil tools kcv` does not
 * pay for loading the emulator or Playwright.
 */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {};
