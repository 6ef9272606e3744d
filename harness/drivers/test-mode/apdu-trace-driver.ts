/**
 * The card-reader trace of a terminal whose own driver cannot carry it (the web UI shows no APDUs): a
 * second connection to the reference emulator's ECR test-mode channel that asks for the `apdu` trace
 * (`trace` request, docs/ecr-protocol.md) and passes on nothing but the `apdu` observations. It sends no
 * transaction, key or card request. Before each scenario it asks the channel's `status`, which keeps the
 * connection from the terminal's idle timeout (15 min by default) on a bench that waits long between
 * scenarios, and connects again (asking for the trace again) when the terminal closed it.
 */
import { ObserverSet, type ObservationListener } from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import { EcrTcpDriver } from '../ecr-tcp/index.js';
import type { TestModeResource } from './test-mode-presenter.js';

const log = createLogger('payhil:drivers:apdu-trace');

export class ApduTraceDriver {
  readonly name: string;
  private readonly resource: () => TestModeResource;
  private ecr: EcrTcpDriver | undefined;
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));

  /** `resource`: where the channel listens, read at each activation (a spawned emulator's port changes). */
  constructor(resource: () => TestModeResource) {
    this.name = 'apdu trace (ECR test mode)';
    this.resource = resource;
  }

  /** Observes the `apdu` observations; returns the unsubscribe. */
  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
  }

  /** Connects and asks for the trace; broken when the channel is not in test mode or refuses. */
  async activate(): Promise<void> {
    if (this.ecr) return;
    const ecr = new EcrTcpDriver(this.resource(), { apduTrace: true, controlTimeoutMs: 5000 });
    ecr.observe((o) => {
      if (o.kind === 'apdu') this.observers.emit(o);
    });
    await ecr.activate();
    this.ecr = ecr;
  }

  /** Keeps the connection (a `status` request) or, when the terminal closed it, opens a new one. */
  async beginScenario(): Promise<void> {
    const ecr = this.ecr;
    if (!ecr) return this.activate();
    try {
      await ecr.terminal.status();
    } catch (e) {
      log('trace link lost (%s): connecting again', (e as Error).message);
      this.ecr = undefined;
      await ecr.deactivate().catch(() => undefined);
      await this.activate();
    }
  }

  async deactivate(): Promise<void> {
    const ecr = this.ecr;
    this.ecr = undefined;
    await ecr?.deactivate();
  }
}
