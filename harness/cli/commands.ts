import type { Command } from './command.js';

/**
 * The registry of sub-commands. Each entry loads its module lazily so that `payhil tools kcv` does not
 * pay for loading the emulator or Playwright.
 */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: {
    summary: 'run scenarios on a bench; Allure, JUnit and console reports',
    load: async () => (await import('./run-command.js')).runCommand,
  },
  agent: {
    summary: "serve this machine's benches to the lab (BullMQ on Redis)",
    load: async () => (await import('./agent-command.js')).agentCommand,
  },
  lab: {
    summary: 'lab benches: status, reserve, release, health check',
    load: async () => (await import('./lab-command.js')).labCommand,
  },
  report: {
    summary: 'generate (and open) the HTML report of the last run, history kept',
    load: async () => (await import('./report-command.js')).reportCommand,
  },
  diff: {
    summary: 'what changed between two runs: new failures, fixed, flaky, slower (a CI gate)',
    load: async () => (await import('./diff-command.js')).diffCommand,
  },
  evidence: {
    summary: 'evidence bundle of a run (ZIP with reports, pcaps, scenario files, SHA-256 manifest)',
    load: async () => (await import('./evidence-command.js')).evidenceCommand,
  },
  init: {
    summary: 'scaffold a scenario pack (scenarios/, fixtures/, README, CI example) in a folder',
    load: async () => (await import('./init-command.js')).initCommand,
  },
  validate: {
    summary: 'check scenario and fixture files (schema, references) with located errors',
    load: async () => (await import('./validate-command.js')).validateCommand,
  },
  list: {
    summary: 'list the expanded scenarios (one line per matrix combination)',
    load: async () => (await import('./list-command.js')).listCommand,
  },
  tools: {
    summary: 'payments calculator: kcv, pinblock, mac, key, iso8583, tlv, emv (JSON on stdout)',
    load: async () => (await import('./tools-command.js')).toolsCommand,
  },
  card: {
    summary: 'virtual cards through PC/SC: serve a card on vpcd, read a card from a reader',
    load: async () => (await import('./card-command.js')).cardCommand,
  },
  'mux-sim': {
    summary: 'simulated card multiplexer and robot: virtual cards on vpcd, robot keys to the emulator',
    load: async () => (await import('./mux-sim-command.js')).muxSimCommand,
  },
  proxy: {
    summary: 'fault-injecting, decoding TCP proxy with a Toxiproxy-compatible control API',
    load: async () => (await import('./proxy-command.js')).proxyCommand,
  },
  emulator: {
    summary: 'reference emulated POS/ATM terminal with ECR link, web UI and PC/SC reader',
    load: async () => (await import('./emulator-command.js')).emulatorCommand,
  },
  record: {
    summary: 'spy between terminal and acquirer: write the session as a scenario and a replay host',
    load: async () => (await import('./record-command.js')).recordCommand,
  },
  host: {
    summary: 'acquirer/issuer host simulator (or a replay host of a recorded session)',
    load: async () => (await import('./host-command.js')).hostCommand,
  },
};
