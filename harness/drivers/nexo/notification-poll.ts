/**
 * The long-poll of payhil's `/nexo/notifications` (DisplayRequest, PrintRequest, EventNotification of the
 * POI) and what each notification becomes on the bench timeline.
 */
import type { Observation } from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import { maskPansInText } from '../../common/mask.js';
import {
  outputText,
  type DisplayRequest,
  type EventNotification,
  type NexoMessage,
  type PrintRequest,
} from '../../nexo/index.js';
import type { NexoClient } from './nexo-client.js';

const log = createLogger('payhil:drivers:nexo');

const NOTIFICATION_WAIT_MS = 10_000;

/**
 * Polls until `signal` aborts; hands each notification that came after the first poll to `onMessage`
 * (messages from before activation are history, not this bench's observations).
 */
export async function pollNotifications(
  client: NexoClient,
  signal: AbortSignal,
  onMessage: (m: NexoMessage) => void,
  note: (text: string) => void,
): Promise<void> {
  let after = 0;
  let first = true;
  while (!signal.aborted) {
    try {
      const r = await client.poll(after, first ? 0 : NOTIFICATION_WAIT_MS);
      if (signal.aborted) return;
      if (!first) {
        if (r.lost) note(`${r.lost} notifications of the terminal were lost`);
        for (const m of r.messages) onMessage(m);
      }
      first = false;
      after = r.next;
    } catch (e) {
      if (signal.aborted) return;
      log('notifications poll failed: %s', (e as Error).message);
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}

/** A notification as an observation (display lines and receipts masked); undefined for other messages. */
export function notificationObservation(
  driverName: string,
  m: NexoMessage,
): { observation: Observation; displayLines?: string[]; print?: boolean } | undefined {
  const at = Date.now();
  if (m.bodyName === 'DisplayRequest') {
    const outs = (m.body as DisplayRequest).DisplayOutput;
    const lines = outputText(outs[0]?.OutputContent).split('\n').map(maskPansInText);
    return { observation: { kind: 'display', at, data: { lines, source: 'nexo' } }, displayLines: lines };
  }
  if (m.bodyName === 'PrintRequest') {
    const p = (m.body as PrintRequest).PrintOutput;
    return {
      print: true,
      observation: {
        kind: 'receipt',
        at,
        data: {
          text: maskPansInText(outputText(p.OutputContent)),
          copy: p.DocumentQualifier === 'CustomerReceipt' ? 'customer' : 'merchant',
          source: 'nexo',
        },
      },
    };
  }
  if (m.bodyName === 'EventNotification') {
    const ev = m.body as EventNotification;
    return {
      observation: {
        kind: 'note',
        at,
        data: {
          text: `${driverName}: nexo event ${ev.EventToNotify}${ev.EventDetails ? ` (${maskPansInText(ev.EventDetails)})` : ''}`,
          event: ev.EventToNotify,
        },
      },
    };
  }
  return undefined;
}
