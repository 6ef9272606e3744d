import { ControlApiError, NotFoundError, ProxyInputError } from './errors.js';
import type { MessageFaultInput, MessageFaultSpec } from './message-fault.js';
import type { NetworkControl } from './network-control.js';
import type { ToxicInput, ToxicSpec } from './toxic-registry.js';

export interface HttpControlOptions {
  /** Control API base URL of a payhil proxy (`payhil proxy --api …`), e.g. `http://127.0.0.1:8474`. */
  readonly url: string;
  /** Proxy name (default `payhil`). */
  readonly proxy?: string;
}

/**
 * NetworkControl over the HTTP control API of a payhil proxy running in another process: Toxiproxy's
 * endpoints for toxics, payhil's for message faults. API errors come back as the typed errors the
 * in-process proxy throws (ProxyInputError with `field`, NotFoundError); an unreachable API is a
 * ControlApiError (lab fault).
 */
export class HttpNetworkControl implements NetworkControl {
  readonly backend = 'payhil';
  private readonly base: string;
  private readonly name: string;

  constructor(options: HttpControlOptions) {
    this.base = options.url.replace(/\/$/, '');
    this.name = encodeURIComponent(options.proxy ?? 'payhil');
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.base + path;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
      });
    } catch (e) {
      throw new ControlApiError(url, e);
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.ok) return json as T;
    const err = (json ?? {}) as { error?: string; field?: string };
    const message = err.error ?? `HTTP ${res.status}`;
    if (res.status === 404) {
      const kind = path.includes('/faults/') ? 'fault' : path.includes('/toxics/') ? 'toxic' : 'proxy';
      throw new NotFoundError(kind, decodeURIComponent(path.split('/').pop() ?? ''));
    }
    if (res.status >= 400 && res.status < 500) {
      throw new ProxyInputError(message, { status: res.status, ...(err.field ? { field: err.field } : {}) });
    }
    throw new ControlApiError(url, new Error(message));
  }

  addToxic(input: ToxicInput): Promise<ToxicSpec> {
    return this.request('POST', `/proxies/${this.name}/toxics`, input);
  }

  updateToxic(
    name: string,
    input: { attributes?: Record<string, number>; toxicity?: number },
  ): Promise<ToxicSpec> {
    return this.request('POST', `/proxies/${this.name}/toxics/${encodeURIComponent(name)}`, input);
  }

  async removeToxic(name: string): Promise<void> {
    await this.request('DELETE', `/proxies/${this.name}/toxics/${encodeURIComponent(name)}`);
  }

  listToxics(): Promise<ToxicSpec[]> {
    return this.request('GET', `/proxies/${this.name}/toxics`);
  }

  async setEnabled(enabled: boolean): Promise<void> {
    await this.request('POST', `/proxies/${this.name}`, { enabled });
  }

  async reset(): Promise<void> {
    await this.request('POST', '/reset');
  }

  addFault(input: MessageFaultInput): Promise<MessageFaultSpec> {
    return this.request('POST', `/payhil/proxies/${this.name}/faults`, input);
  }

  async removeFault(name: string): Promise<void> {
    await this.request('DELETE', `/payhil/proxies/${this.name}/faults/${encodeURIComponent(name)}`);
  }
}
