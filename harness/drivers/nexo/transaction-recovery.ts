/**
 * Recovery of a service whose answer was lost: TransactionStatus (repeated while the POI has no answer
 * yet) until the POI repeats the service's answer, bounded by `recoveryTimeoutMs`.
 */
import type { TerminalOperationName } from '../../capabilities/index.js';
import { nexoRequest, type NexoMessage, type TransactionStatusResponse } from '../../nexo/index.js';
import { NexoDriverLostTransactionError } from './errors.js';
import type { NexoClient } from './nexo-client.js';

/** What a recovery needs of its driver. */
export interface RecoveryContext {
  /** Driver name for errors. */
  name: string;
  client: NexoClient;
  saleId: string;
  poiId: string;
  /** Longest recovery (ms). */
  recoveryTimeoutMs: number;
  /** Longest one TransactionStatus exchange (ms). */
  controlTimeoutMs: number;
  /** Between two TransactionStatus requests (ms). */
  recoveryIntervalMs: number;
  /** SaleID, POIID and a fresh ServiceID for each TransactionStatus. */
  parties(): { SaleID: string; POIID: string; ServiceID: string };
  /** False once the driver is deactivated: the recovery stops. */
  isActive(): boolean;
  /** A note on the bench timeline. */
  note(text: string): void;
}

/** The repeated answer of `request`, or a NexoDriverLostTransactionError (broken) once the time is up. */
export async function recoverByTransactionStatus(
  ctx: RecoveryContext,
  op: TerminalOperationName,
  request: NexoMessage,
  cause: unknown,
): Promise<NexoMessage> {
  const until = Date.now() + ctx.recoveryTimeoutMs;
  let last = (cause as Error).message;
  while (Date.now() < until && ctx.isActive()) {
    const ask = nexoRequest('TransactionStatus', ctx.parties(), {
      MessageReference: {
        MessageCategory: request.header.MessageCategory,
        ServiceID: request.header.ServiceID,
        SaleID: ctx.saleId,
        POIID: ctx.poiId,
      },
    });
    try {
      const r = await ctx.client.send(ask, Math.min(ctx.controlTimeoutMs, Math.max(1, until - Date.now())));
      const b = r?.body as TransactionStatusResponse | undefined;
      if (b?.Response.Result === 'Success' && b.RepeatedMessageResponse) {
        const repeated = b.RepeatedMessageResponse;
        const [bodyName, repeatedBody] = Object.entries(repeated.RepeatedResponseMessageBody)[0] ?? [];
        if (bodyName && repeatedBody) {
          ctx.note(`${op}: recovered by TransactionStatus`);
          return {
            envelope: 'SaleToPOIResponse',
            header: repeated.MessageHeader,
            bodyName,
            body: repeatedBody,
          };
        }
      }
      last = `TransactionStatus: ${b?.Response.ErrorCondition ?? b?.Response.Result ?? 'no answer'}`;
      if (b?.Response.ErrorCondition === 'NotFound') break;
    } catch (e) {
      last = `TransactionStatus: ${(e as Error).message}`;
    }
    await new Promise((r) =>
      setTimeout(r, Math.min(ctx.recoveryIntervalMs, Math.max(0, until - Date.now()))),
    );
  }
  throw new NexoDriverLostTransactionError(
    ctx.name,
    op,
    `the terminal stopped answering service ${request.header.ServiceID} (${request.header.MessageCategory}) and it could not be recovered within ${ctx.recoveryTimeoutMs} ms (last: ${last})`,
    cause,
  );
}
