/**
 * Loads the optional `pcsclite` native module on demand (dynamic import), so payhil installs and runs
 * without it; only PC/SC commands need it.
 */
import { PcscUnavailableError } from './errors.js';

/** The parts of node-pcsclite's API payhil uses. */
export interface PcscReaderHandle {
  name: string;
  state: number;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_STATE_MUTE: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  on(event: 'status', listener: (status: { state: number; atr?: Buffer }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  connect(
    options: { share_mode?: number; protocol?: number },
    cb: (err: unknown, protocol: number) => void,
  ): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(
    data: Buffer,
    resLen: number,
    protocol: number,
    cb: (err: unknown, response: Buffer) => void,
  ): void;
  close(): void;
}

export interface PcscContextHandle {
  readers: Record<string, PcscReaderHandle>;
  on(event: 'reader', listener: (reader: PcscReaderHandle) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  close(): void;
}

export type PcscFactory = () => PcscContextHandle;

/** What to do when PC/SC is missing, for error messages and docs. */
export const PCSC_INSTALL_HINT =
  'install the PC/SC stack and the optional module: apt-get install pcscd libpcsclite-dev (plus vsmartcard-vpcd for virtual cards), then npm install pcsclite';
export const PCSCD_START_HINT =
  'start the PC/SC daemon: `pcscd` as root (or `pcscd -f` in the foreground, or `systemctl start pcscd`)';

let cached: PcscFactory | undefined;

/** The pcsclite factory. @throws PcscUnavailableError('module-missing') with what to install. */
export async function loadPcsclite(moduleId = 'pcsclite'): Promise<PcscFactory> {
  if (cached && moduleId === 'pcsclite') return cached;
  try {
    const mod = (await import(moduleId)) as { default?: PcscFactory } & PcscFactory;
    const factory = (mod.default ?? mod) as PcscFactory;
    if (moduleId === 'pcsclite') cached = factory;
    return factory;
  } catch (e) {
    throw new PcscUnavailableError(
      'module-missing',
      `the optional module 'pcsclite' cannot be loaded (${e instanceof Error ? e.message.split('\n')[0] : String(e)}): ${PCSC_INSTALL_HINT}`,
      { cause: e },
    );
  }
}

/** Opens a PC/SC context. @throws PcscUnavailableError('pcscd-not-running') with how to start pcscd. */
export async function openPcscContext(factory?: PcscFactory): Promise<PcscContextHandle> {
  factory ??= await loadPcsclite();
  try {
    return factory();
  } catch (e) {
    throw new PcscUnavailableError(
      'pcscd-not-running',
      `pcscd is not reachable (${e instanceof Error ? e.message : String(e)}): ${PCSCD_START_HINT}`,
      { cause: e },
    );
  }
}
