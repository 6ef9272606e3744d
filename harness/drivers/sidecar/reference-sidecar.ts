/**
 * The reference sidecar: a process that speaks the sidecar JSON-lines protocol on one side and drives a
 * terminal on the other — here the reference emulator through its ECR protocol (payhil's `EcrTcpDriver`),
 * where a lab's sidecar would call the vendor's DLL. It serves one driver per channel (its stdin/stdout,
 * or one TCP connection) and shows what a sidecar must do: answer `hello` with its offers, answer `start`
 * once the terminal took the transaction (BUSY while one runs), `abort`, `status`, and push display,
 * receipt and result events as the terminal produces them. A request it cannot read gets a `note` event
 * naming the line, and it keeps serving.
 */
import type { Observation } from '../../capabilities/index.js';
import { EcrTcpDriver } from '../ecr-tcp/index.js';
import { JsonLinesPeer, type ByteChannel } from '../kit/index.js';
import { SIDECAR_EVENTS as E, SIDECAR_METHODS as M, SIDECAR_PROTOCOL_VERSION } from './sidecar-protocol.js';

/** The transactions the emulator's ECR protocol carries. */
const OFFERS = ['signIn', 'purchase', 'void', 'refund', 'balance', 'preAuth', 'settle'];

export interface ReferenceSidecarOptions {
  /** The emulator's ECR link on TCP. */
  ecr: { host: string; port: number };
  /** Diagnostics (stderr in the sidecar process). */
  log?: (line: string) => void;
}

/** Serves one driver on `channel` until it closes; the ECR link opens at `hello` and closes with it. */
export async function serveReferenceSidecar(
  channel: ByteChannel,
  options: ReferenceSidecarOptions,
): Promise<void> {
  const log = options.log ?? (() => undefined);
  const ecr = new EcrTcpDriver(options.ecr, { previousTimeoutMs: 0 });
  let running: string | undefined;
  const event = (name: string, data: Record<string, unknown>): void => {
    peer.send({ event: name, data }).catch(() => undefined);
  };
  ecr.observe((o: Observation) => {
    if (o.kind === 'display') event(E.DISPLAY, { lines: o.data.lines });
    else if (o.kind === 'receipt') event(E.RECEIPT, { text: o.data.text, copy: o.data.copy });
    else if (o.kind === 'result') {
      const r = o.data.result as { transaction?: string };
      if (r.transaction === running) running = undefined;
      event(E.RESULT, { result: o.data.result });
    }
  });
  const answer = (id: number, result: Record<string, unknown>): void => {
    peer.send({ id, result }).catch(() => undefined);
  };
  const refuse = (id: number, code: string, message: string): void => {
    peer.send({ id, error: { code, message } }).catch(() => undefined);
  };
  const handle = async (id: number, method: string, params: Record<string, unknown>): Promise<void> => {
    try {
      switch (method) {
        case M.HELLO:
          await ecr.activate();
          return answer(id, {
            protocol: SIDECAR_PROTOCOL_VERSION,
            name: 'payhil-reference-sidecar',
            offers: OFFERS,
          });
        case M.START: {
          const op = params.op;
          if (typeof op !== 'string' || !OFFERS.includes(op))
            return refuse(id, 'UNSUPPORTED', `op ${JSON.stringify(op)} is not one of ${OFFERS.join(', ')}`);
          if (
            params.amount !== undefined &&
            !(Number.isInteger(params.amount) && (params.amount as number) >= 0)
          )
            return refuse(id, 'BAD_REQUEST', 'amount must be a whole number of minor units');
          if (running) return refuse(id, 'BUSY', `${running} runs`);
          running = op;
          try {
            await ecr.terminal.start(op as Parameters<typeof ecr.terminal.start>[0], {
              ...(typeof params.amount === 'number' ? { amount: params.amount } : {}),
              ...(typeof params.of === 'string' ? { of: params.of } : {}),
            });
          } catch (e) {
            running = undefined;
            throw e;
          }
          return answer(id, {});
        }
        case M.ABORT:
          await ecr.endScenario();
          return answer(id, {});
        case M.STATUS:
          return answer(id, await ecr.terminal.status());
        default:
          return refuse(id, 'UNSUPPORTED', `no method ${method}`);
      }
    } catch (e) {
      refuse(id, 'TERMINAL', (e as Error).message);
    }
  };
  const peer: JsonLinesPeer = new JsonLinesPeer(channel, {
    onRequest: (id, method, params) => void handle(id, method, params),
    onBadInput: (e) => {
      log(e.message);
      event(E.NOTE, { text: `bad request: ${e.message}` });
    },
  });
  await peer.done;
  await ecr.deactivate();
}
