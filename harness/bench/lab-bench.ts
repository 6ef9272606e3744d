/**
 * Benches from lab files (fixtures/labs/NAME.yaml, schema harness/bench/lab.schema.json). Today the
 * drivers wired here are the emulated terminal in-process with in-process virtual cards, the host
 * simulator or an external host, with or without the fault proxy; other drivers are refused with a
 * clear message (verdict usage).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { packagePath } from '../common/project-root.js';
import { loadYamlFixture } from '../common/schema-check.js';
import { parseDuration } from '../scenario/index.js';
import type { Bench } from './bench.js';
import { createEmbeddedBench } from './embedded-bench.js';
import { BenchConfigError } from './errors.js';

/** A lab file as the schema describes it. */
export interface LabFile {
  name: string;
  description?: string;
  capabilities?: string[];
  terminal: {
    driver: string;
    profile?: string;
    process?: string;
    path?: string;
    baudRate?: number;
    address?: string;
    url?: string;
  };
  card: { presenter: string; reader?: string; vpcdPort?: number };
  network?: { proxy?: boolean; listen?: string };
  host: { mode: 'simulator' | 'external'; profile?: string; address?: string };
  dialect?: string;
  timeouts?: { scenario?: number | string; step?: number | string };
}

export const LAB_SCHEMA = packagePath('harness', 'bench', 'lab.schema.json');

/** The lab file for `--lab FILE` or `--bench NAME` (fixtures/labs/NAME.yaml). */
export function resolveLabFile(opts: { lab?: string; bench?: string; cwd?: string }): string | undefined {
  if (opts.lab !== undefined) {
    const f = resolve(opts.cwd ?? process.cwd(), opts.lab);
    if (!existsSync(f)) throw new BenchConfigError(`lab file ${opts.lab} not found`, opts.lab);
    return f;
  }
  if (opts.bench !== undefined) {
    const local = resolve(opts.cwd ?? process.cwd(), 'fixtures', 'labs', `${opts.bench}.yaml`);
    const f = existsSync(local) ? local : packagePath('fixtures', 'labs', `${opts.bench}.yaml`);
    if (!existsSync(f))
      throw new BenchConfigError(
        `no bench named '${opts.bench}' (looked for fixtures/labs/${opts.bench}.yaml)`,
      );
    return f;
  }
  return undefined;
}

function hostPort(spec: string, what: string): { host: string; port: number } {
  const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(spec);
  if (!m) throw new BenchConfigError(`${what}: '${spec}' is not host:port`);
  return { host: m[1] as string, port: Number(m[2]) };
}

/** Builds (does not activate) the bench a lab file describes. */
export function createBenchFromLab(file: string, benchName?: string): Bench {
  const lab = loadYamlFixture<LabFile>(file, LAB_SCHEMA);
  if (benchName !== undefined && lab.name !== benchName)
    throw new BenchConfigError(`${file} describes bench '${lab.name}', not '${benchName}'`, file);
  if (lab.terminal.driver !== 'emulated' || (lab.terminal.process ?? 'in-process') !== 'in-process')
    throw new BenchConfigError(
      `${file}: terminal driver '${lab.terminal.driver}'${lab.terminal.process ? ` (${lab.terminal.process})` : ''} is not available in this version; use 'emulated' in-process`,
      file,
    );
  if (lab.card.presenter !== 'in-process')
    throw new BenchConfigError(
      `${file}: card presenter '${lab.card.presenter}' is not available in this version; use 'in-process'`,
      file,
    );
  const external = lab.host.mode === 'external';
  if (external && !lab.host.address)
    throw new BenchConfigError(`${file}: host mode external needs host.address`, file);
  const step = lab.timeouts?.step !== undefined ? parseDuration(lab.timeouts.step) : undefined;
  const scenario = lab.timeouts?.scenario !== undefined ? parseDuration(lab.timeouts.scenario) : undefined;
  return createEmbeddedBench({
    name: lab.name,
    ...(lab.terminal.profile ? { terminal: lab.terminal.profile } : {}),
    ...(lab.host.profile ? { host: lab.host.profile } : {}),
    ...(lab.dialect ? { dialect: lab.dialect } : {}),
    proxy: lab.network?.proxy !== false,
    ...(external ? { externalHost: hostPort(lab.host.address as string, `${file}: host.address`) } : {}),
    ...(lab.capabilities ? { offers: lab.capabilities } : {}),
    ...(step !== undefined ? { stepTimeoutMs: step } : {}),
    ...(scenario !== undefined ? { scenarioTimeoutMs: scenario } : {}),
  });
}
