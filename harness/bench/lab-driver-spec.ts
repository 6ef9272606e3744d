/**
 * A driver bench's entry in a lab file, checked before anything starts: what each terminal driver and
 * card presenter needs (BenchConfigError naming the lab file and the bench otherwise), and the parts the
 * bench reads from it (the PC/SC reader, the multiplexer, the keypad robot, a nexo terminal's CA).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parseEcrTcpAddress } from '../drivers/ecr-tcp/index.js';
import type { LineLinkResource, MuxSlot } from '../drivers/mux/index.js';
import { readerFromSpec, vpcdReaderName } from '../drivers/pcsc/index.js';
import { parseDuration } from '../scenario/index.js';
import { BenchConfigError } from './errors.js';
import type { LabBenchSpec } from './lab-bench.js';

export interface DriverBenchInput {
  file: string;
  name: string;
  spec: LabBenchSpec;
  externalHost?: { host: string; port: number };
  stepTimeoutMs?: number;
  scenarioTimeoutMs?: number;
}

/** The terminal drivers of a driver bench. */
export type DriverKind = 'ecr-serial' | 'ecr-tcp' | 'web' | 'nexo' | 'zvt-tcp' | 'zvt-serial' | 'sidecar';

/** Checks what the bench's terminal driver and card presenter need; BenchConfigError when something is missing. */
export function checkDriverBenchSpec(input: DriverBenchInput, driverKind: DriverKind): void {
  const { file, name, spec } = input;
  const t = spec.terminal;
  const zvt = driverKind === 'zvt-tcp' || driverKind === 'zvt-serial';
  const sidecar = driverKind === 'sidecar';
  if (spec.network?.proxy === false)
    throw new BenchConfigError(
      `${file}: bench '${name}': a ${driverKind} terminal needs the proxy (it is the spy of host traffic)`,
      file,
    );
  if ((zvt || sidecar) && spec.card.presenter === 'pcsc')
    throw new BenchConfigError(
      `${file}: bench '${name}': card presenter 'pcsc' is not wired for a ZVT terminal; use 'test-mode' (the emulator's ECR test-mode channel) or 'operator'`,
      file,
    );
  if (!['in-process', 'test-mode', 'operator', 'pcsc', 'multiplexer', 'robot'].includes(spec.card.presenter))
    throw new BenchConfigError(
      `${file}: bench '${name}': card presenter '${spec.card.presenter}' is not wired in this version; use 'in-process' (test-mode card requests of the terminal driver), 'pcsc' (virtual cards through vpcd), 'multiplexer' or 'operator'`,
      file,
    );
  if (
    spec.card.presenter === 'robot' &&
    (!spec.card.url || !spec.card.rack || !Object.keys(spec.card.rack).length)
  )
    throw new BenchConfigError(
      `${file}: bench '${name}': card presenter 'robot' needs card.url (the robot's base URL) and card.rack (card fixture → rack position)`,
      file,
    );
  if (!t.spawn) {
    if (driverKind === 'ecr-serial' && !t.path)
      throw new BenchConfigError(`${file}: bench '${name}': ecr-serial needs terminal.path (or spawn)`, file);
    if (driverKind === 'ecr-tcp' && !t.address)
      throw new BenchConfigError(`${file}: bench '${name}': ecr-tcp needs terminal.address (or spawn)`, file);
    if ((driverKind === 'zvt-serial' && !t.path) || (driverKind === 'zvt-tcp' && !t.address))
      throw new BenchConfigError(
        `${file}: bench '${name}': ${driverKind} needs terminal.${driverKind === 'zvt-tcp' ? 'address' : 'path'} (or spawn)`,
        file,
      );
    if (zvt && ['in-process', 'test-mode'].includes(spec.card.presenter) && !t.testModeAddress)
      throw new BenchConfigError(
        `${file}: bench '${name}': card presenter '${spec.card.presenter}' for a ZVT terminal needs terminal.testModeAddress (the emulator's ECR test-mode channel) or spawn; a real terminal needs presenter 'operator'`,
        file,
      );
    if (sidecar && !t.sidecar && !t.address)
      throw new BenchConfigError(
        `${file}: bench '${name}': sidecar needs terminal.sidecar (a command) or terminal.address (a sidecar on TCP), or spawn`,
        file,
      );
    if (sidecar && ['in-process', 'test-mode'].includes(spec.card.presenter) && !t.testModeAddress)
      throw new BenchConfigError(
        `${file}: bench '${name}': card presenter '${spec.card.presenter}' for a sidecar terminal needs terminal.testModeAddress (the emulator's ECR test-mode channel) or spawn; a real terminal needs presenter 'operator'`,
        file,
      );
    if (driverKind === 'web' && !t.url)
      throw new BenchConfigError(`${file}: bench '${name}': web needs terminal.url (or spawn)`, file);
    if (driverKind === 'nexo' && !t.url)
      throw new BenchConfigError(
        `${file}: bench '${name}': nexo needs terminal.url, the terminal's Sale-to-POI endpoint (or spawn)`,
        file,
      );
  }
}

/**
 * The pcsc presenter's reader (`card.reader`, else vpcd's reader for `card.vpcdPort`) and the `--reader`
 * the spawned emulator gets; BenchConfigError when they cannot be told or disagree.
 */
export function pcscReaderOf(input: DriverBenchInput): { reader: string; emulatorReader: string } {
  const { file, name, spec } = input;
  const port = spec.card.vpcdPort ?? 35963;
  const byPort = vpcdReaderName(port);
  const reader = spec.card.reader ?? byPort;
  if (!reader)
    throw new BenchConfigError(
      `${file}: bench '${name}': card.vpcdPort ${port} is not vpcd's default (35963 or 35964); name the reader in card.reader`,
      file,
    );
  const emulatorReader = reader === 'Virtual PCD 00 00' ? 'vpcd' : `pcsc:${reader}`;
  const spawned = spec.terminal.spawn?.reader;
  if (spawned !== undefined && !readerFromSpec(spawned).includes(reader))
    throw new BenchConfigError(
      `${file}: bench '${name}': the emulator reads '${readerFromSpec(spawned)}' (terminal.spawn.reader) but the pcsc presenter presents cards on '${reader}' (card.reader / card.vpcdPort)`,
      file,
    );
  return { reader, emulatorReader };
}

/** The multiplexer of a lab bench: its link, slots and answer timeout; BenchConfigError when incomplete. */
export function muxOf(input: DriverBenchInput): {
  resource: LineLinkResource;
  slots: Record<string, number | MuxSlot>;
  timeoutMs: number;
} {
  const { file, name, spec } = input;
  const c = spec.card;
  if ((c.path === undefined) === (c.address === undefined))
    throw new BenchConfigError(
      `${file}: bench '${name}': the multiplexer needs card.path (its serial port) or card.address (host:port), one of them`,
      file,
    );
  if (!c.slots || !Object.keys(c.slots).length)
    throw new BenchConfigError(
      `${file}: bench '${name}': the multiplexer needs card.slots (card fixture → slot number)`,
      file,
    );
  const seen = new Map<number, string>();
  for (const [card, s] of Object.entries(c.slots)) {
    const n = typeof s === 'number' ? s : s.slot;
    const other = seen.get(n);
    if (other !== undefined)
      throw new BenchConfigError(
        `${file}: bench '${name}': card.slots puts '${other}' and '${card}' in slot ${n}`,
        file,
      );
    seen.set(n, card);
  }
  let resource: LineLinkResource;
  if (c.path !== undefined)
    resource = { kind: 'serial', path: c.path, ...(c.baudRate ? { baudRate: c.baudRate } : {}) };
  else {
    const a = parseEcrTcpAddress(c.address as string);
    if (!a) throw new BenchConfigError(`${file}: card.address '${c.address}' is not host:port`, file);
    resource = { kind: 'tcp', host: a.host, port: a.port };
  }
  return {
    resource,
    slots: c.slots,
    timeoutMs: (c.timeout !== undefined ? parseDuration(c.timeout) : undefined) ?? 3000,
  };
}

/** The robot that presses the keys (keypad.source robot), or undefined. */
export function robotKeypadOf(input: DriverBenchInput): { url: string; timeoutMs?: number } | undefined {
  const k = input.spec.keypad;
  if (!k || k.source !== 'robot') return undefined;
  if (!k.url)
    throw new BenchConfigError(
      `${input.file}: bench '${input.name}': keypad.source robot needs keypad.url`,
      input.file,
    );
  return { url: k.url, ...(k.timeout !== undefined ? { timeoutMs: parseDuration(k.timeout) ?? 5000 } : {}) };
}

/** The PEM a nexo bench checks an https terminal's certificate against (path relative to the lab file). */
export function readCa(file: string, name: string, caFile: string): Buffer {
  try {
    return readFileSync(resolvePath(dirname(file), caFile));
  } catch (e) {
    throw new BenchConfigError(
      `${file}: bench '${name}': terminal.caFile ${caFile}: ${(e as Error).message}`,
      file,
    );
  }
}
