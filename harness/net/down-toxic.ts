import type { ToxicDefinition } from './toxic-definition.js';
import { NoopStage } from './toxic-stage.js';

/**
 * `down`: while present, the proxy is down: its listener is closed (new connections are refused with
 * ECONNREFUSED) and open connections are closed. Toxiproxy does this with `enabled: false` on the proxy
 * (also supported); the toxic form lets a scenario switch it like any other toxic. Its link stage is a
 * no-op; the proxy acts on the toxic's presence.
 */
export const downToxic: ToxicDefinition = {
  type: 'down',
  summary: 'refuse connections and close open ones while present',
  attributes: [],
  createStage: () => new NoopStage(),
};
