/**
 * The PC/SC daemon on this machine: is pcscd (with the vsmartcard vpcd driver) installed, is it running,
 * and, for tests and CI, start it when it is not. pcscd daemonises and stays running (it serves every
 * PC/SC client of the machine), so nothing here stops it.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { PcscUnavailableError } from './errors.js';

/** Where Debian's vsmartcard-vpcd package puts the vpcd driver pcscd loads (/etc/reader.conf.d/vpcd). */
export const VPCD_DRIVER_PATH = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';

/** The path of the pcscd binary, or undefined when it is not installed. */
export function pcscdBinary(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v pcscd'], { encoding: 'utf8', timeout: 5000 });
  const path = r.stdout?.trim();
  return r.status === 0 && path ? path : undefined;
}

/** What is missing for virtual cards through pcscd + vpcd ('pcscd', 'vsmartcard-vpcd'), or undefined. */
export function missingVpcdStack(): string | undefined {
  const missing: string[] = [];
  if (!pcscdBinary()) missing.push('pcscd');
  if (!existsSync(VPCD_DRIVER_PATH)) missing.push('vsmartcard-vpcd');
  return missing.length ? missing.join(' and ') : undefined;
}

/** True when a pcscd process runs on this machine. */
export function pcscdRunning(): boolean {
  return spawnSync('pgrep', ['-x', 'pcscd'], { timeout: 5000 }).status === 0;
}

/**
 * Starts pcscd when none runs (it daemonises and stays for later users; needs root). Throws a
 * {@link PcscUnavailableError} saying what failed; tests call it in `before` after checking {@link missingVpcdStack}.
 */
export function ensurePcscd(): void {
  if (pcscdRunning()) return;
  const bin = pcscdBinary();
  if (!bin)
    throw new PcscUnavailableError(
      'pcscd-not-running',
      'pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)',
    );
  const r = spawnSync(bin, [], { timeout: 5000, encoding: 'utf8' });
  if (r.status !== 0)
    throw new PcscUnavailableError(
      'pcscd-not-running',
      `pcscd did not start (exit ${r.status}): ${r.stderr ?? ''}`.trim(),
    );
}
