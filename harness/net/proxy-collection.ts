import type { Dialect } from '../iso8583/dialect-types.js';
import { AlreadyExistsError, NotFoundError, ProxyInputError } from './errors.js';
import { Proxy, type ProxyOptions } from './proxy.js';
import { resolveWireDialect } from './wire-dialect.js';

/** Options every proxy created through the collection (the control API) gets unless the request says otherwise. */
export interface CollectionDefaults {
  readonly dialect?: string | Dialect;
  /**
   * Dialects a request may name besides the bundled ones, by name (e.g. the operator's own dialect
   * file, loaded when the API was started). A request never names a file.
   */
  readonly dialects?: Readonly<Record<string, Dialect>>;
  readonly journal?: ProxyOptions['journal'];
  readonly seed?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The proxies of one control API (Toxiproxy's ProxyCollection): create, look up, replace (populate),
 * delete, reset. In-process callers may add proxies they started themselves with `adopt`.
 */
export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  constructor(private readonly defaults: CollectionDefaults = {}) {}

  list(): Proxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): Proxy {
    const p = this.proxies.get(name);
    if (!p) throw new NotFoundError('proxy', name);
    return p;
  }

  /** Registers an already started proxy under its name. */
  adopt(proxy: Proxy): void {
    if (this.proxies.has(proxy.name)) throw new AlreadyExistsError('proxy', proxy.name);
    this.proxies.set(proxy.name, proxy);
  }

  /** Checks a proxy body; a dialect it names is resolved here, so populate refuses before changing any. */
  private parse(
    input: unknown,
    where = '',
  ): { name: string; listen: string; upstream: string; enabled: boolean; dialect?: Dialect } {
    if (!isRecord(input))
      throw new ProxyInputError(`${where || 'proxy'} must be a JSON object`, { field: where || '(body)' });
    const f = (k: string): string => (where ? `${where}.${k}` : k);
    const { name, listen, upstream, enabled, dialect } = input;
    if (typeof name !== 'string' || name === '')
      throw new ProxyInputError(`missing required field: ${f('name')}`, { field: f('name') });
    if (!/^[\w.-]{1,100}$/.test(name))
      throw new ProxyInputError(`${f('name')} must be letters, digits, _ . -`, { field: f('name') });
    if (typeof upstream !== 'string' || upstream === '') {
      throw new ProxyInputError(`missing required field: ${f('upstream')}`, { field: f('upstream') });
    }
    if (listen !== undefined && typeof listen !== 'string')
      throw new ProxyInputError(`${f('listen')} must be HOST:PORT`, { field: f('listen') });
    if (enabled !== undefined && typeof enabled !== 'boolean')
      throw new ProxyInputError(`${f('enabled')} must be true or false`, { field: f('enabled') });
    if (dialect !== undefined && dialect !== null && typeof dialect !== 'string' && !isRecord(dialect))
      throw new ProxyInputError(`${f('dialect')} must be a dialect name or an inline definition`, {
        field: f('dialect'),
      });
    return {
      name,
      listen: (listen as string | undefined) || '127.0.0.1:0',
      upstream,
      enabled: enabled !== false,
      ...(dialect !== undefined && dialect !== null && dialect !== ''
        ? { dialect: resolveWireDialect(dialect, f('dialect'), this.defaults.dialects) }
        : {}),
    };
  }

  private build(p: ReturnType<ProxyCollection['parse']>, field = ''): Proxy {
    const dialect = p.dialect ?? this.defaults.dialect;
    try {
      return new Proxy({
        name: p.name,
        listen: p.listen,
        upstream: p.upstream,
        enabled: p.enabled,
        ...(dialect ? { dialect } : {}),
        ...(this.defaults.journal ? { journal: this.defaults.journal } : {}),
        ...(this.defaults.seed !== undefined ? { seed: this.defaults.seed } : {}),
      });
    } catch (e) {
      if (e instanceof ProxyInputError) throw e;
      const where = field ? `${field}.dialect` : 'dialect';
      throw new ProxyInputError(`${where}: ${(e as Error).message}`, { field: where });
    }
  }

  /** Creates and starts a proxy from a Toxiproxy-style body (`name`, `listen`, `upstream`, `enabled`, payhil's `dialect`). */
  async create(input: unknown): Promise<Proxy> {
    const p = this.parse(input);
    if (this.proxies.has(p.name)) throw new AlreadyExistsError('proxy', p.name);
    const proxy = this.build(p);
    await proxy.start();
    this.proxies.set(p.name, proxy);
    return proxy;
  }

  /** Creates or replaces several proxies at once (Toxiproxy's /populate); validates all before changing any. */
  async populate(input: unknown): Promise<Proxy[]> {
    if (!Array.isArray(input))
      throw new ProxyInputError('populate takes a JSON array of proxies', { field: '(body)' });
    const parsed = input.map((x, i) => this.parse(x, `[${i}]`));
    const seen = new Set<string>();
    parsed.forEach((p, i) => {
      if (seen.has(p.name))
        throw new ProxyInputError(`duplicate proxy name ${p.name}`, { field: `[${i}].name` });
      seen.add(p.name);
    });
    const out: Proxy[] = [];
    for (const [i, p] of parsed.entries()) {
      const existing = this.proxies.get(p.name);
      if (
        existing &&
        existing.upstream === p.upstream &&
        (p.listen === existing.listen || p.listen.endsWith(':0'))
      ) {
        await existing.setEnabled(p.enabled);
        out.push(existing);
        continue;
      }
      if (existing) {
        await existing.close();
        this.proxies.delete(p.name);
      }
      const proxy = this.build(p, `[${i}]`);
      await proxy.start();
      this.proxies.set(p.name, proxy);
      out.push(proxy);
    }
    return out;
  }

  async remove(name: string): Promise<void> {
    const p = this.get(name);
    this.proxies.delete(name);
    await p.close();
  }

  /** Every proxy enabled, every toxic and fault removed (Toxiproxy's /reset). */
  async reset(): Promise<void> {
    for (const p of this.proxies.values()) await p.reset();
  }

  async closeAll(): Promise<void> {
    const all = this.list();
    this.proxies.clear();
    await Promise.all(all.map((p) => p.close()));
  }
}
