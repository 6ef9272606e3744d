/**
 * Namespaced debug tracing, off by default. `PAYHIL_DEBUG=payhil:host,payhil:net*` (or `*`) turns
 * namespaces on; lines go to stderr with a millisecond timestamp. Never used for user-facing output.
 */
export interface Logger {
  readonly enabled: boolean;
  (message: string, ...values: unknown[]): void;
}

function patterns(): RegExp[] {
  const spec = process.env.PAYHIL_DEBUG ?? '';
  return spec
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((p) => new RegExp('^' + p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'));
}

export function createLogger(namespace: string): Logger {
  const enabled = patterns().some((re) => re.test(namespace));
  const log = ((message: string, ...values: unknown[]) => {
    if (!enabled) return;
    const rest = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ');
    process.stderr.write(`${new Date().toISOString()} ${namespace} ${message}${rest ? ' ' + rest : ''}\n`);
  }) as Logger;
  Object.defineProperty(log, 'enabled', { value: enabled });
  return log;
}
