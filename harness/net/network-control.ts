import type { MessageFaultInput, MessageFaultSpec } from './message-fault.js';
import type { Proxy } from './proxy.js';
import type { ToxicInput, ToxicSpec } from './toxic-registry.js';
import { UnsupportedError } from './errors.js';

/**
 * The network capability a scenario step asks the bench for: switch toxics (and, where the backend
 * can, message-aware faults) on the link between terminal and host. Promise-only, so the same steps
 * drive the in-process proxy, a payhil proxy over HTTP, or a lab's own Toxiproxy.
 */
export interface NetworkControl {
  /** Backend name for reports: `payhil` or `toxiproxy`. */
  readonly backend: string;
  addToxic(input: ToxicInput): Promise<ToxicSpec>;
  /** Merges `attributes` (and `toxicity`) into a toxic. */
  updateToxic(
    name: string,
    input: { attributes?: Record<string, number>; toxicity?: number },
  ): Promise<ToxicSpec>;
  removeToxic(name: string): Promise<void>;
  listToxics(): Promise<ToxicSpec[]>;
  /** `false` takes the link down (connections refused and closed), `true` brings it back. */
  setEnabled(enabled: boolean): Promise<void>;
  /** Removes every toxic (and fault) and enables the link. */
  reset(): Promise<void>;
  /** Message-aware faults; throws UnsupportedError on backends without them. */
  addFault(input: MessageFaultInput): Promise<MessageFaultSpec>;
  removeFault(name: string): Promise<void>;
}

/** NetworkControl over an in-process payhil proxy. */
export class LocalNetworkControl implements NetworkControl {
  readonly backend = 'payhil';

  constructor(readonly proxy: Proxy) {}

  addToxic(input: ToxicInput): Promise<ToxicSpec> {
    return this.proxy.addToxic(input);
  }

  updateToxic(
    name: string,
    input: { attributes?: Record<string, number>; toxicity?: number },
  ): Promise<ToxicSpec> {
    return this.proxy.updateToxic(name, input);
  }

  removeToxic(name: string): Promise<void> {
    return this.proxy.removeToxic(name);
  }

  async listToxics(): Promise<ToxicSpec[]> {
    return this.proxy.listToxics();
  }

  setEnabled(enabled: boolean): Promise<void> {
    return this.proxy.setEnabled(enabled);
  }

  reset(): Promise<void> {
    return this.proxy.reset();
  }

  async addFault(input: MessageFaultInput): Promise<MessageFaultSpec> {
    return this.proxy.addFault(input);
  }

  async removeFault(name: string): Promise<void> {
    this.proxy.removeFault(name);
  }
}

/** For backends without message faults. */
export function noFaults(backend: string): Pick<NetworkControl, 'addFault' | 'removeFault'> {
  return {
    addFault: () => Promise.reject(new UnsupportedError('message-aware faults', backend)),
    removeFault: () => Promise.reject(new UnsupportedError('message-aware faults', backend)),
  };
}
