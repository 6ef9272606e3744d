/**
 * `node dist/harness/drivers/sidecar/reference-sidecar-main.js --ecr HOST:PORT [--listen HOST:PORT]`:
 * the reference sidecar as a process. Without --listen it speaks on its stdin/stdout (the sidecar driver's
 * `{command, args}`) and exits when stdin closes; with --listen it serves one driver at a time on TCP
 * (127.0.0.1 unless told; port 0 = a free one; reference-sidecar-server.ts) and prints
 * `sidecar listening on tcp HOST:PORT`.
 * Diagnostics go to stderr.
 */
import { parseArgs } from 'node:util';
import { StreamChannel } from '../kit/index.js';
import { serveReferenceSidecar } from './reference-sidecar.js';
import { listenReferenceSidecar } from './reference-sidecar-server.js';

const ADDRESS = /^([^:]*):(\d{1,5})$/;

function address(flag: string, v: string | undefined): { host: string; port: number } {
  const m = ADDRESS.exec(v ?? '');
  if (!m || Number(m[2]) > 65535) {
    process.stderr.write(`reference sidecar: ${flag} must be HOST:PORT, got '${v ?? ''}'\n`);
    process.exit(2);
  }
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

const log = (line: string): void => void process.stderr.write(`reference sidecar: ${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ecr: { type: 'string' }, listen: { type: 'string' } },
    strict: true,
  });
  const ecr = address('--ecr', values.ecr);
  if (values.listen === undefined) {
    await serveReferenceSidecar(new StreamChannel('stdio', process.stdin, process.stdout), { ecr, log });
    process.exit(0);
  }
  const at = address('--listen', values.listen);
  const server = await listenReferenceSidecar(at, { ecr, log });
  const a = server.address() as { address: string; port: number };
  process.stdout.write(`sidecar listening on tcp ${a.address}:${a.port}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((e: unknown) => {
  log((e as Error).message);
  process.exit(1);
});
