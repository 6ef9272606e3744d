import type { Toxiproxy, Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import { ControlApiError, ProxyInputError } from './errors.js';
import type { MessageFaultInput, MessageFaultSpec } from './message-fault.js';
import { noFaults, type NetworkControl } from './network-control.js';
import { normalizeToxic, toxicDefinitions, type ToxicInput, type ToxicSpec } from './toxic-registry.js';
import type { ToxicType } from './toxic-definition.js';

export interface ToxiproxyControlOptions {
  /** Toxiproxy API base URL, e.g. `http://127.0.0.1:8474`. */
  readonly url: string;
  /** Name of the proxy (between terminal and host) in that Toxiproxy. */
  readonly proxy: string;
  /** Create the proxy when missing: `listen` and `upstream` (`HOST:PORT`). */
  readonly create?: { readonly listen: string; readonly upstream: string };
}

/**
 * NetworkControl driving a real Toxiproxy (a lab that already runs one) through toxiproxy-node-client.
 * TCP toxics only: `corrupt` needs a Toxiproxy with that toxic, `down` maps to disabling the proxy, and
 * message-aware faults are refused (UnsupportedError) — use payhil's proxy for those.
 */
export class ToxiproxyNetworkControl implements NetworkControl {
  readonly backend = 'toxiproxy';
  private client: Toxiproxy | undefined;
  private proxy: ToxiproxyProxy | undefined;
  private readonly faults = noFaults('toxiproxy');

  constructor(private readonly options: ToxiproxyControlOptions) {}

  /** The Toxiproxy client, its package loaded on first use (most benches never talk to a Toxiproxy). */
  private async api(): Promise<Toxiproxy> {
    if (!this.client) {
      const { Toxiproxy: Client } = await import('toxiproxy-node-client');
      this.client = new Client(this.options.url.replace(/\/$/, ''));
    }
    return this.client;
  }

  private async call<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (e) {
      throw new ControlApiError(this.options.url, e);
    }
  }

  private async target(): Promise<ToxiproxyProxy> {
    if (this.proxy) return this.proxy;
    const found = await this.call(async () => {
      try {
        return await (await this.api()).get(this.options.proxy);
      } catch (e) {
        if (!this.options.create) throw e;
        return await (await this.api()).createProxy({ name: this.options.proxy, ...this.options.create });
      }
    });
    this.proxy = found;
    return found;
  }

  private static spec(t: {
    name: string;
    type: string;
    stream: string;
    toxicity: number;
    attributes: unknown;
  }): ToxicSpec {
    return {
      name: t.name,
      type: t.type as ToxicType,
      stream: t.stream === 'upstream' ? 'upstream' : 'downstream',
      toxicity: t.toxicity,
      attributes: (t.attributes ?? {}) as Record<string, number>,
    };
  }

  async addToxic(input: ToxicInput): Promise<ToxicSpec> {
    const spec = normalizeToxic(input);
    if (spec.type === 'down') {
      await this.setEnabled(false);
      return spec;
    }
    const p = await this.target();
    const t = await this.call(() => p.addToxic(spec as never));
    return ToxiproxyNetworkControl.spec(t.toJson() as never);
  }

  async updateToxic(
    name: string,
    input: { attributes?: Record<string, number>; toxicity?: number },
  ): Promise<ToxicSpec> {
    const p = await this.target();
    const t = await this.call(() => p.getToxic(name));
    const current = ToxiproxyNetworkControl.spec(t.toJson() as never);
    const def = toxicDefinitions[current.type];
    if (!def) throw new ProxyInputError(`unknown toxic type ${current.type}`, { field: 'type' });
    const updated = await this.call(() =>
      t.update({
        ...current,
        toxicity: input.toxicity ?? current.toxicity,
        attributes: { ...current.attributes, ...(input.attributes ?? {}) },
      } as never),
    );
    return ToxiproxyNetworkControl.spec(updated.toJson() as never);
  }

  async removeToxic(name: string): Promise<void> {
    const p = await this.target();
    const t = await this.call(() => p.getToxic(name));
    await this.call(() => t.remove());
  }

  async listToxics(): Promise<ToxicSpec[]> {
    const p = await this.target();
    const raw = (await this.call(async () => (await this.api()).getApi().get(`${p.getPath()}/toxics`))) as {
      data: { name: string; type: string; stream: string; toxicity: number; attributes: unknown }[];
    };
    return raw.data.map((t) => ToxiproxyNetworkControl.spec(t));
  }

  async setEnabled(enabled: boolean): Promise<void> {
    const p = await this.target();
    this.proxy = await this.call(() => p.update({ enabled, listen: p.listen, upstream: p.upstream }));
  }

  async reset(): Promise<void> {
    await this.call(async () => (await this.api()).reset());
    this.proxy = undefined;
  }

  addFault(input: MessageFaultInput): Promise<MessageFaultSpec> {
    return this.faults.addFault(input);
  }

  removeFault(name: string): Promise<void> {
    return this.faults.removeFault(name);
  }
}
