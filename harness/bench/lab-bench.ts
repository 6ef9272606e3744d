/**
 * Benches from lab files (fixtures/labs/NAME.yaml, schema harness/bench/lab.schema.json). A file holds
 * one bench, or several under `benches` (top-level sections are their defaults). Terminal drivers:
 * `emulated` (in-process, the embedded bench), `ecr-serial`, `ecr-tcp`, `web`, `zvt-tcp` and `zvt-serial`
 * (lab-driver-bench.ts), the latter optionally with `spawn`: `payhil emulator` as its own process. Card presenters:
 * `in-process` (the terminal driver's own), `test-mode` (zvt-*: the emulator's ECR test-mode channel),
 * `operator`, and `pcsc` (virtual cards through vpcd to a terminal that reads PC/SC; lab-driver-bench.ts). Configuration faults are BenchConfigError (usage);
 * what fails while the bench runs is broken.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findFixture } from '../common/fixture-search.js';
import { packagePath } from '../common/project-root.js';
import { loadYamlFixture } from '../common/schema-check.js';
import { parseDuration } from '../scenario/index.js';
import type { Bench } from './bench.js';
import { createEmbeddedBench } from './embedded-bench.js';
import { createDriverBench } from './lab-driver-bench.js';
import { BenchConfigError } from './errors.js';

/** One bench as a lab file describes it (a single-bench file, or one entry of `benches` merged with the top level). */
export interface LabBenchSpec {
  description?: string;
  capabilities?: string[];
  terminal: {
    driver: 'emulated' | 'ecr-serial' | 'ecr-tcp' | 'web' | 'nexo' | 'zvt-tcp' | 'zvt-serial' | 'sidecar';
    /**
     * sidecar: the command the driver starts (its stdio speaks JSON lines; docs/sidecar-protocol.md). In
     * command and args `{ecr}` is the test-mode channel's host:port, `{node}` this Node, `{payhil}` payhil's
     * folder; cwd is relative to the lab file. Without it the driver connects to terminal.address.
     */
    sidecar?: { command: string; args?: string[]; cwd?: string };
    /** zvt-tcp: write the ZVT traffic to this pcap file (Wireshark's ZVT dissector decodes it). */
    pcapFile?: string;
    /** zvt-*: longest silence of the terminal while a command runs (duration). Default 2m. */
    zvtSilenceTimeout?: number | string;
    /** zvt-*: the terminal's 6-digit password. Default 123456. */
    zvtPassword?: string;
    profile?: string;
    process?: string;
    path?: string;
    baudRate?: number;
    address?: string;
    url?: string;
    selectors?: Record<string, string>;
    /** nexo: POIID, SaleID, CA of an https terminal (path relative to the lab file). */
    poiId?: string;
    saleId?: string;
    caFile?: string;
    /** nexo, zvt-*: where the terminal's ECR test-mode channel listens (cards, keys, power cycle); with spawn the bench knows it. */
    testModeAddress?: string;
    powerCycleEachScenario?: boolean;
    traceFrames?: boolean;
    spawn?: {
      profile?: string;
      defects?: string[];
      listen?: string;
      startTimeout?: number | string;
      /** `vpcd` or `pcsc:NAME`: the emulator reads its cards through that PC/SC reader. */
      reader?: string;
    };
  };
  card: {
    presenter: 'in-process' | 'test-mode' | 'pcsc' | 'operator' | 'multiplexer' | 'robot';
    /** pcsc: the PC/SC reader the terminal reads (exact name or a part of it). */
    reader?: string;
    /** pcsc: vpcd's port (35963: `Virtual PCD 00 00`, 35964: `… 00 01`). */
    vpcdPort?: number;
    /** multiplexer: its serial port (with baudRate) or TCP address. */
    path?: string;
    baudRate?: number;
    address?: string;
    /** multiplexer: card fixture → slot (or slot and the label the mux reports). */
    slots?: Record<string, number | { slot: number; label?: string }>;
    /** multiplexer: longest wait for an answer (duration). */
    timeout?: number | string;
    /** multiplexer: hold time of a tap whose step gives none (ms). */
    tapHoldMs?: number;
    /** robot: its base URL and card fixture → rack position. */
    url?: string;
    rack?: Record<string, string>;
    /** multiplexer: the PC/SC reader on its monitor port (the preflight reads each slot's card there). */
    monitor?: { reader: string };
  };
  /** Who presses the terminal's keys: its driver (default) or an HTTP robot. */
  keypad?: { source: 'terminal' | 'robot'; url?: string; timeout?: number | string };
  network?: { proxy?: boolean; listen?: string };
  host: { mode: 'simulator' | 'external'; profile?: string; address?: string };
  dialect?: string;
  timeouts?: { scenario?: number | string; step?: number | string };
}

/** A lab file as the schema describes it: one bench at the top level, or several under `benches`. */
export interface LabFile extends Partial<LabBenchSpec> {
  name: string;
  benches?: Record<string, Partial<LabBenchSpec>>;
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
    const f = existsSync(local)
      ? local
      : (findFixture('labs', opts.bench) ?? packagePath('fixtures', 'labs', `${opts.bench}.yaml`));
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

/** The bench of a lab file, merged with the top level; BenchConfigError when it cannot be chosen. */
export function selectLabBench(
  lab: LabFile,
  file: string,
  benchName?: string,
): { name: string; spec: LabBenchSpec } {
  const { name, benches, ...top } = lab;
  let name2 = name;
  let spec: Partial<LabBenchSpec> = top;
  if (benches) {
    const names = Object.keys(benches);
    const chosen = benchName ?? (names.length === 1 ? names[0] : undefined);
    if (chosen === undefined)
      throw new BenchConfigError(
        `${file} holds the benches ${names.join(', ')}; choose one with --bench NAME`,
        file,
      );
    const entry = benches[chosen];
    if (!entry)
      throw new BenchConfigError(`${file} has no bench '${chosen}' (it has ${names.join(', ')})`, file);
    name2 = chosen;
    spec = mergeSections(top, entry);
  } else if (benchName !== undefined && name !== benchName)
    throw new BenchConfigError(`${file} describes bench '${name}', not '${benchName}'`, file);
  for (const k of ['terminal', 'card', 'host'] as const)
    if (!spec[k]) throw new BenchConfigError(`${file}: bench '${name2}' has no ${k} section`, file);
  const full = spec as LabBenchSpec;
  if (!full.terminal.driver || !full.card.presenter || !full.host.mode)
    throw new BenchConfigError(
      `${file}: bench '${name2}' needs terminal.driver, card.presenter and host.mode`,
      file,
    );
  return { name: name2, spec: full };
}

/** Section by section: the bench's keys override the top level's; lists and scalars replace. */
function mergeSections(top: Partial<LabBenchSpec>, entry: Partial<LabBenchSpec>): Partial<LabBenchSpec> {
  const out: Record<string, unknown> = { ...top };
  for (const [k, v] of Object.entries(entry)) {
    const t = (top as Record<string, unknown>)[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && t && typeof t === 'object' && !Array.isArray(t)
        ? { ...(t as object), ...(v as object) }
        : v;
  }
  return out as Partial<LabBenchSpec>;
}

/** Builds (does not activate) the bench a lab file describes (`benchName`: the bench of a multi-bench file). */
export function createBenchFromLab(file: string, benchName?: string): Bench {
  const lab = loadYamlFixture<LabFile>(file, LAB_SCHEMA);
  const { name, spec } = selectLabBench(lab, file, benchName);
  const external = spec.host.mode === 'external';
  if (external && !spec.host.address)
    throw new BenchConfigError(`${file}: host mode external needs host.address`, file);
  const step = spec.timeouts?.step !== undefined ? parseDuration(spec.timeouts.step) : undefined;
  const scenario = spec.timeouts?.scenario !== undefined ? parseDuration(spec.timeouts.scenario) : undefined;
  const timeouts = {
    ...(step !== undefined ? { stepTimeoutMs: step } : {}),
    ...(scenario !== undefined ? { scenarioTimeoutMs: scenario } : {}),
  };
  const externalHost = external ? hostPort(spec.host.address as string, `${file}: host.address`) : undefined;
  if (spec.terminal.driver !== 'emulated')
    return createDriverBench({ file, name, spec, ...(externalHost ? { externalHost } : {}), ...timeouts });
  if ((spec.terminal.process ?? 'in-process') !== 'in-process' || spec.terminal.spawn)
    throw new BenchConfigError(
      `${file}: the emulated driver runs the emulator in this process; for the emulator as its own process use driver ecr-serial, ecr-tcp or web with a spawn block`,
      file,
    );
  if (spec.card.presenter !== 'in-process')
    throw new BenchConfigError(
      `${file}: card presenter '${spec.card.presenter}' is not available with the emulated driver; use 'in-process'`,
      file,
    );
  return createEmbeddedBench({
    name,
    ...(spec.terminal.profile ? { terminal: spec.terminal.profile } : {}),
    ...(spec.host.profile ? { host: spec.host.profile } : {}),
    ...(spec.dialect ? { dialect: spec.dialect } : {}),
    proxy: spec.network?.proxy !== false,
    ...(externalHost ? { externalHost } : {}),
    ...(spec.capabilities ? { offers: spec.capabilities } : {}),
    // A lab bench runs in real time, as its hosts and people do.
    realTime: true,
    ...timeouts,
  });
}
