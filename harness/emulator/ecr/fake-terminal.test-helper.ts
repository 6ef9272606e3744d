/**
 * A few lines of terminal behind an `EcrServer`, for the link tests only (the real emulator is another
 * layer): a purchase waits for a card event, shows display texts, prints a receipt and answers.
 */
import { maskPan } from '../../common/mask.js';
import type { EcrClient } from './ecr-client.js';
import type { EcrEvent, EcrRequest, EcrResult, TransactionResult } from './ecr-messages.js';
import { EcrRemoteError } from './errors.js';
import { EcrServer, type EcrServerOptions } from './ecr-server.js';

export const TEST_PAN = '6222021234567890123';

export interface FakeTerminal {
  readonly server: EcrServer;
  /** How many times each op reached the handler. */
  readonly calls: Record<string, number>;
}

export function createFakeTerminal(options: Omit<EcrServerOptions, 'handler'> = {}): FakeTerminal {
  const calls: Record<string, number> = {};
  let display = ['WELCOME'];
  let receipt: string | null = null;
  let state = 'idle';
  let cardArrived: ((how: 'card' | 'cancel') => void) | undefined;
  let stan = 0;
  const server: EcrServer = new EcrServer({ ...options, handler });
  const show = async (lines: string[]) => {
    display = lines;
    await server.pushEvent({ event: 'display', lines });
  };

  async function handler(req: EcrRequest): Promise<EcrResult> {
    calls[req.op] = (calls[req.op] ?? 0) + 1;
    switch (req.op) {
      case 'status':
        return { state, signedIn: true, busy: state !== 'idle', testMode: options.testMode !== false };
      case 'readDisplay':
        return { lines: display };
      case 'readReceipt':
        return { text: receipt };
      case 'purchase': {
        if (state !== 'idle') throw new EcrRemoteError('BUSY', 'a transaction is in progress', req.op);
        state = 'waitingForCard';
        const how = new Promise<'card' | 'cancel'>((resolve) => (cardArrived = resolve));
        await show([`AMOUNT ${(req.amount / 100).toFixed(2)}`, 'PLEASE INSERT CARD']);
        const outcome = await how;
        state = 'idle';
        if (outcome === 'cancel') {
          await show(['CANCELLED']);
          return { transaction: 'purchase', outcome: 'cancelled', amount: req.amount };
        }
        stan++;
        const result: TransactionResult = {
          transaction: 'purchase',
          outcome: 'approved',
          responseCode: '00',
          message: 'APPROVED',
          maskedPan: maskPan(TEST_PAN),
          amount: req.amount,
          currency: req.currency ?? '156',
          reference: `00000000${1000 + stan}`.slice(-12),
          stan: String(stan).padStart(6, '0'),
          authCode: '123456',
          entryMode: '051',
          ...(req.ecrReference ? { ecrReference: req.ecrReference } : {}),
        };
        await show(['APPROVED']);
        receipt = `PURCHASE\nCARD ${result.maskedPan}\nAMOUNT ${(req.amount / 100).toFixed(2)}\nREF ${result.reference}`;
        await server.pushEvent({ event: 'receipt', text: receipt, copy: 'merchant' });
        return result;
      }
      case 'card':
        if (req.action === 'remove') return {};
        if (!cardArrived) throw new EcrRemoteError('NO_TRANSACTION', 'no card expected', req.op);
        cardArrived('card');
        cardArrived = undefined;
        return {};
      case 'cancel':
        if (!cardArrived) throw new EcrRemoteError('NO_TRANSACTION', 'nothing to cancel', req.op);
        cardArrived('cancel');
        cardArrived = undefined;
        return {};
      case 'key':
        return {};
      case 'powerCycle':
        throw new Error('power supply relay stuck');
      case 'withdraw':
        throw new EcrRemoteError('NOT_SUPPORTED', 'withdraw is an ATM transaction', req.op);
      default:
        // Never answers: for response timeouts.
        return new Promise(() => {});
    }
  }
  return { server, calls };
}

/**
 * The request/response/event flow every transport must carry: status, a purchase that waits for a card
 * (with display events, a concurrent refused purchase, a card insert), the receipt, a refusal.
 */
export async function exerciseFlow(
  client: EcrClient,
  assertEqual: (a: unknown, b: unknown, msg?: string) => void,
): Promise<void> {
  const events: string[] = [];
  const onEvent = (e: EcrEvent) =>
    events.push(e.event === 'display' ? `display:${e.lines.join('|')}` : e.event);
  client.on('event', onEvent);
  try {
    const status = await client.request({ op: 'status' });
    assertEqual(status.state, 'idle');
    const waiting = client.waitForEvent(
      (e) => e.event === 'display' && e.lines.includes('PLEASE INSERT CARD'),
    );
    const purchase = client.request(
      { op: 'purchase', amount: 1234, ecrReference: 'INV-42' },
      { timeoutMs: 10_000 },
    );
    await waiting;
    assertEqual((await client.request({ op: 'readDisplay' })).lines, ['AMOUNT 12.34', 'PLEASE INSERT CARD']);
    assertEqual((await client.request({ op: 'status' })).busy, true);
    const second = await client.exchange({ op: 'purchase', amount: 1 });
    assertEqual(second.ok ? 'ok' : second.error.code, 'BUSY');
    await client.request({ op: 'card', action: 'insert', card: 'cup-debit' });
    const result = await purchase;
    assertEqual(result.outcome, 'approved');
    assertEqual(result.responseCode, '00');
    assertEqual(result.maskedPan, '622202*********0123');
    assertEqual(result.ecrReference, 'INV-42');
    const receipt = await client.request({ op: 'readReceipt' });
    assertEqual(receipt.text?.includes('CARD 622202*********0123'), true);
    assertEqual(receipt.text?.includes(TEST_PAN), false);
    assertEqual(events, ['display:AMOUNT 12.34|PLEASE INSERT CARD', 'display:APPROVED', 'receipt']);
  } finally {
    client.off('event', onEvent);
  }
}
