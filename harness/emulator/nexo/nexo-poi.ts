/**
 * The emulated terminal as a nexo POI (docs/nexo.md): each Sale-to-POI service request is carried out
 * through the terminal operation table (Login = sign-in, Payment = purchase or refund, Reversal = void,
 * BalanceInquiry = balance, Reconciliation = settlement, Abort = cancel), Diagnosis reports the terminal's
 * status, TransactionStatus repeats the last response of a service (or says it is still in progress).
 *
 * The POI's own requests to the sale system (DisplayRequest for display changes, PrintRequest for
 * receipts) and its EventNotifications are kept in a bounded outbox the sale system reads by long-polling
 * (`NexoServer`, GET /nexo/notifications): the Adyen local integration has no channel from terminal to
 * cash register besides the responses.
 */
import { createLogger } from '../../common/logger.js';
import {
  currencyOfNumeric,
  fromMinorUnits,
  nexoRequest,
  nexoResponse,
  nexoStatus,
  textContent,
  toMinorUnits,
  type ErrorCondition,
  type EventToNotify,
  type MessageHeader,
  type NexoBody,
  type NexoMessage,
  type NexoResponseStatus,
  type PaymentRequest,
  type ReversalRequest,
  type TransactionStatusRequest,
  type AbortRequest,
  NexoAmountError,
} from '../../nexo/index.js';
import type { EmulatedTerminal } from '../emulated-terminal.js';
import { TerminalStateError } from '../errors.js';
import {
  startOperation,
  type StartableOperation,
  type TerminalOperationInput,
} from '../terminal-operations.js';
import type { TerminalEvent, TerminalEvents } from '../terminal-events.js';
import type { TerminalResult } from '../terminal-result.js';

const log = createLogger('payhil:emulator:nexo');

/** Messages the outbox keeps for the sale system (the oldest go first). */
const OUTBOX_LIMIT = 500;
/** Service responses kept for TransactionStatus. */
const RECENT_LIMIT = 50;

export interface NexoPoiOptions {
  /** The terminal, or a getter when it can be replaced (power cycle). */
  terminal: EmulatedTerminal | (() => EmulatedTerminal);
  /** The terminal's event sink (outlives a power cycle). */
  events: TerminalEvents;
  /** This POI's POIID. Default `payhil-emulator`. */
  poiId?: string;
}

/** One message of the outbox with its sequence number. */
export interface NexoOutboxEntry {
  seq: number;
  message: NexoMessage;
}

/** A service request the POI has taken: its header and, once done, its response. */
interface ServiceRecord {
  header: MessageHeader;
  response?: NexoMessage;
  cancelledBySale?: boolean;
}

/** The emulated terminal as a nexo POI. */
export class NexoPoi {
  readonly poiId: string;
  private readonly getTerminal: () => EmulatedTerminal;
  private readonly outbox: NexoOutboxEntry[] = [];
  private seq = 0;
  private readonly waiters = new Set<() => void>();
  private readonly recent: ServiceRecord[] = [];
  private running: ServiceRecord | undefined;
  private stopEvents: (() => void) | undefined;
  /** The SaleID last heard from (device requests and events are addressed to it). */
  private saleId = 'sale';

  constructor(options: NexoPoiOptions) {
    const t = options.terminal;
    this.getTerminal = typeof t === 'function' ? t : () => t;
    this.poiId = options.poiId ?? 'payhil-emulator';
    this.stopEvents = options.events.on((e) => this.onTerminalEvent(e));
  }

  /** Stops turning terminal events into outbox messages and wakes every waiting poll. */
  close(): void {
    this.stopEvents?.();
    this.stopEvents = undefined;
    this.wake();
  }

  /** The sequence number the next outbox message gets. */
  get nextSeq(): number {
    return this.seq + 1;
  }

  /**
   * Outbox messages after `after` (sequence numbers), waiting up to `waitMs` for one when there is none.
   * `lost` counts messages that were dropped from the bounded outbox before they were read.
   */
  async notifications(after: number, waitMs: number): Promise<{ entries: NexoOutboxEntry[]; lost: number }> {
    if (!this.outbox.some((e) => e.seq > after) && waitMs > 0 && this.stopEvents) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        this.waiters.add(done);
      });
    }
    const entries = this.outbox.filter((e) => e.seq > after);
    const first = this.outbox[0]?.seq ?? this.seq + 1;
    return { entries, lost: Math.max(0, first - after - 1) };
  }

  /**
   * Answers one checked request from the sale system. Resolves with the response, or undefined for a
   * message that has none (AbortRequest, an EventNotification or device response of the sale system).
   */
  async handle(m: NexoMessage): Promise<NexoMessage | undefined> {
    const h = m.header;
    this.saleId = h.SaleID;
    if (m.envelope === 'SaleToPOIResponse') return undefined; // the sale system's Display/Print/Input answers
    switch (h.MessageCategory) {
      case 'Abort':
        await this.abort(m.body as AbortRequest);
        return undefined;
      case 'TransactionStatus':
        return this.transactionStatus(h, m.body as TransactionStatusRequest);
      case 'Diagnosis':
        return nexoResponse(h, this.diagnosis());
      case 'Logout':
        return nexoResponse(h, { Response: nexoStatus(true) });
      case 'Event':
        return undefined;
      case 'Login':
      case 'Payment':
      case 'Reversal':
      case 'BalanceInquiry':
      case 'Reconciliation':
      case 'CardAcquisition':
        return this.service(m);
      default:
        return nexoResponse(h, {
          Response: nexoStatus(
            false,
            'NotAllowed',
            `message=${h.MessageCategory} is not a request the sale system sends`,
          ),
        });
    }
  }

  // ---- services --------------------------------------------------------------------------------

  private async service(m: NexoMessage): Promise<NexoMessage> {
    const h = m.header;
    if (this.running) return this.failure(h, 'Busy', 'another service is running');
    const record: ServiceRecord = { header: h };
    this.running = record;
    this.remember(record);
    try {
      record.response = await this.carryOut(m, record);
    } catch (e) {
      record.response = this.failure(h, ...conditionOf(e));
    } finally {
      this.running = undefined;
    }
    return record.response;
  }

  private async carryOut(m: NexoMessage, record: ServiceRecord): Promise<NexoMessage> {
    const h = m.header;
    const t = this.getTerminal();
    const cur = currencyOfNumeric(t.profile.kernel.currencyCode);
    switch (h.MessageCategory) {
      case 'Login': {
        const r = await this.run('signIn', {});
        return nexoResponse(h, {
          Response: this.status(r, record),
          POISystemData: {
            DateTime: new Date().toISOString(),
            POISoftware: {
              ManufacturerID: 'payhil',
              ApplicationName: 'payhil emulator',
              SoftwareVersion: t.profile.name,
              CertificationCode: 'none',
            },
            POIStatus: { GlobalStatus: 'OK' },
          },
        });
      }
      case 'Payment': {
        const p = m.body as PaymentRequest;
        const amounts = p.PaymentTransaction.AmountsReq;
        if (amounts.Currency !== cur.alpha)
          return this.failure(
            h,
            'NotAllowed',
            `currency ${amounts.Currency} is not the terminal's (${cur.alpha})`,
          );
        const amount = toMinorUnits(amounts.RequestedAmount ?? 0, cur.exponent);
        const type = p.PaymentData?.PaymentType ?? 'Normal';
        const op: StartableOperation | undefined =
          type === 'Normal' ? 'purchase' : type === 'Refund' ? 'refund' : undefined;
        if (!op)
          return this.failure(h, 'UnavailableService', `PaymentType ${type} is not offered by this POI`);
        this.offered(op);
        const original = p.PaymentTransaction.OriginalPOITransaction?.POITransactionID?.TransactionID;
        const r = await this.run(op, {
          amount,
          ...(original ? { original: { reference: original } } : {}),
          ecrReference: p.SaleData.SaleTransactionID.TransactionID.slice(0, 32),
        });
        return nexoResponse(h, {
          Response: this.status(r, record),
          SaleData: { SaleTransactionID: p.SaleData.SaleTransactionID },
          POIData: { POITransactionID: this.poiTransaction(r), POIReconciliationID: t.status().batch },
          PaymentResult: {
            PaymentType: type,
            AmountsResp: {
              AuthorizedAmount:
                r.outcome === 'approved' ? fromMinorUnits(r.amount ?? amount, cur.exponent) : 0,
              Currency: cur.alpha,
            },
            ...(r.maskedPan
              ? {
                  PaymentInstrumentData: {
                    PaymentInstrumentType: 'Card',
                    CardData: {
                      MaskedPan: r.maskedPan,
                      ...(r.entryMode ? { EntryMode: [entryModeOf(r.entryMode)] } : {}),
                    },
                  },
                }
              : {}),
            ...(r.authCode ? { PaymentAcquirerData: { ApprovalCode: r.authCode } } : {}),
          },
        });
      }
      case 'Reversal': {
        const body = m.body as ReversalRequest;
        this.offered('void');
        const ref = body.OriginalPOITransaction.POITransactionID?.TransactionID ?? '';
        const r = await this.run('void', { original: { reference: ref } });
        return nexoResponse(h, {
          Response: this.status(r, record),
          POIData: { POITransactionID: this.poiTransaction(r) },
          ...(r.amount !== undefined && r.outcome === 'approved'
            ? { ReversedAmount: fromMinorUnits(r.amount, cur.exponent) }
            : {}),
        });
      }
      case 'BalanceInquiry': {
        this.offered('balance');
        const r = await this.run('balance', {});
        return nexoResponse(h, {
          Response: this.status(r, record),
          ...(r.balance !== undefined
            ? {
                PaymentAccountStatus: {
                  Currency: cur.alpha,
                  CurrentBalance: fromMinorUnits(r.balance, cur.exponent),
                },
              }
            : {}),
        });
      }
      case 'Reconciliation': {
        this.offered('settle');
        const batch = t.status().batch;
        const r = await this.run('settle', {});
        const tt = r.totals;
        return nexoResponse(h, {
          Response: this.status(r, record),
          ReconciliationType: 'SaleReconciliation',
          POIReconciliationID: batch,
          ...(tt
            ? {
                TransactionTotals: [
                  {
                    PaymentInstrumentType: 'Card',
                    PaymentCurrency: cur.alpha,
                    PaymentTotals: [
                      {
                        TransactionType: 'Debit',
                        TransactionCount: tt.debitCount,
                        TransactionAmount: fromMinorUnits(tt.debitAmount, cur.exponent),
                      },
                      {
                        TransactionType: 'Credit',
                        TransactionCount: tt.creditCount,
                        TransactionAmount: fromMinorUnits(tt.creditAmount, cur.exponent),
                      },
                    ],
                  },
                ],
              }
            : {}),
        });
      }
      default:
        // CardAcquisition: the emulated terminal reads a card only inside a transaction.
        return this.failure(
          h,
          'UnavailableService',
          `${h.MessageCategory} is not offered by the emulated POI`,
        );
    }
  }

  private run(op: StartableOperation, input: TerminalOperationInput): Promise<TerminalResult> {
    return startOperation(this.getTerminal(), op, input);
  }

  private offered(op: StartableOperation): void {
    const t = this.getTerminal();
    if (!(t.profile.transactions as readonly string[]).includes(op))
      throw new NexoRefusal('UnavailableService', `profile ${t.profile.name} does not offer ${op}`);
  }

  /** The Response of a terminal result; payhil's own result fields travel in AdditionalResponse. */
  private status(r: TerminalResult, record: ServiceRecord): NexoResponseStatus {
    const fields: Record<string, string | undefined> = {
      outcome: r.outcome,
      messageKey: r.messageKey,
      message: r.message,
      responseCode: r.responseCode,
      stan: r.stan,
      entryMode: r.entryMode,
      reference: r.reference,
      currency: r.currency,
    };
    const additional = new URLSearchParams(
      Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined),
    ).toString();
    if (r.outcome === 'approved') return nexoStatus(true, undefined, additional);
    const condition: ErrorCondition =
      r.outcome === 'declined'
        ? 'Refusal'
        : r.outcome === 'cancelled'
          ? record.cancelledBySale
            ? 'Aborted'
            : 'Cancel'
          : r.responseCode === undefined
            ? 'UnreachableHost'
            : 'Refusal';
    return nexoStatus(false, condition, additional);
  }

  /** POITransactionID: the host's retrieval reference (field 37) when there is one. */
  private poiTransaction(r: TerminalResult): { TransactionID: string; TimeStamp: string } {
    return {
      TransactionID: r.reference ?? `${this.poiId}-${Date.now()}`,
      TimeStamp: new Date().toISOString(),
    };
  }

  private failure(h: MessageHeader, condition: ErrorCondition, message: string): NexoMessage {
    return nexoResponse(h, {
      Response: nexoStatus(false, condition, new URLSearchParams({ message }).toString()),
      ...requiredFailureFields(h),
    });
  }

  private remember(r: ServiceRecord): void {
    this.recent.push(r);
    if (this.recent.length > RECENT_LIMIT) this.recent.shift();
  }

  // ---- abort, status, diagnosis ----------------------------------------------------------------

  private async abort(body: AbortRequest): Promise<void> {
    const running = this.running;
    const ref = body.MessageReference;
    if (!running || (ref.ServiceID !== undefined && ref.ServiceID !== running.header.ServiceID)) {
      log('abort of %s: no such service running', ref.ServiceID);
      return;
    }
    running.cancelledBySale = true;
    await this.getTerminal()
      .cancel()
      .catch((e: unknown) => log('abort: %s', (e as Error).message));
  }

  private transactionStatus(h: MessageHeader, body: TransactionStatusRequest): NexoMessage {
    const ref = body.MessageReference;
    const record = [...this.recent]
      .reverse()
      .find(
        (r) =>
          r.header.SaleID === h.SaleID &&
          (ref?.ServiceID === undefined || r.header.ServiceID === ref.ServiceID) &&
          (ref?.MessageCategory === undefined || r.header.MessageCategory === ref.MessageCategory),
      );
    if (!record)
      return nexoResponse(h, { Response: nexoStatus(false, 'NotFound', 'message=no such transaction') });
    const reference = {
      MessageCategory: record.header.MessageCategory,
      ...(record.header.ServiceID ? { ServiceID: record.header.ServiceID } : {}),
      SaleID: record.header.SaleID,
      POIID: record.header.POIID,
    };
    if (!record.response)
      return nexoResponse(h, { Response: nexoStatus(false, 'InProgress'), MessageReference: reference });
    return nexoResponse(h, {
      Response: nexoStatus(true),
      MessageReference: reference,
      RepeatedMessageResponse: {
        MessageHeader: record.response.header,
        RepeatedResponseMessageBody: { [record.response.bodyName]: record.response.body },
      },
    });
  }

  private diagnosis(): NexoBody {
    const t = this.getTerminal();
    const s = t.status();
    const additional = new URLSearchParams({
      state: s.state,
      signedIn: String(s.signedIn),
      busy: String(s.busy),
      profile: s.profile,
      batch: s.batch,
      pendingReversal: String(s.pendingReversal),
      cardInserted: String(t.cardSlot.occupied),
      display: t.display.lines.join('\n'),
    }).toString();
    return {
      Response: nexoStatus(true, undefined, additional),
      POIStatus: {
        GlobalStatus: s.busy ? 'Busy' : 'OK',
        CardReaderOKFlag: s.devices.reader === 'ok',
        PEDOKFlag: s.devices.pinpad === 'ok',
        PrinterStatus: s.devices.printer === 'ok' ? 'OK' : 'OutOfOrder',
      },
    };
  }

  // ---- the outbox: device requests and events ------------------------------------------------

  private onTerminalEvent(e: TerminalEvent): void {
    const parties = { SaleID: this.saleId, POIID: this.poiId, ServiceID: `D${(this.seq + 1) % 1e9}` };
    if (e.type === 'display')
      this.post(
        nexoRequest('Display', parties, {
          DisplayOutput: [
            {
              Device: 'CashierDisplay',
              InfoQualify: 'Display',
              ResponseRequiredFlag: false,
              OutputContent: textContent(e.lines),
            },
          ],
        }),
      );
    else if (e.type === 'receipt')
      this.post(
        nexoRequest('Print', parties, {
          PrintOutput: {
            DocumentQualifier: e.copy === 'customer' ? 'CustomerReceipt' : 'CashierReceipt',
            ResponseMode: 'NotRequired',
            OutputContent: textContent(e.text.split('\n')),
          },
        }),
      );
    else if (e.type === 'device' && e.condition !== 'ok')
      this.post(this.event(parties, 'OutOfOrder', `device=${e.device}&condition=${e.condition}`));
    else if (e.type === 'state' && e.previous === 'powerUp')
      this.post(this.event(parties, 'Initialised', `state=${e.state}`));
  }

  private event(
    parties: { SaleID: string; POIID: string; ServiceID: string },
    what: EventToNotify,
    details: string,
  ): NexoMessage {
    return nexoRequest('Event', parties, {
      TimeStamp: new Date().toISOString(),
      EventToNotify: what,
      EventDetails: details,
    });
  }

  private post(message: NexoMessage): void {
    this.outbox.push({ seq: ++this.seq, message });
    if (this.outbox.length > OUTBOX_LIMIT) this.outbox.shift();
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** A service the POI refuses with an ErrorCondition. */
class NexoRefusal extends Error {
  constructor(
    readonly condition: ErrorCondition,
    message: string,
  ) {
    super(message);
  }
}

/** The ErrorCondition and text of an error thrown while carrying out a service. */
function conditionOf(e: unknown): [ErrorCondition, string] {
  if (e instanceof NexoRefusal) return [e.condition, e.message];
  if (e instanceof NexoAmountError) return ['NotAllowed', e.message];
  if (e instanceof TerminalStateError)
    return [
      e.code === 'E_TERMINAL_BUSY'
        ? 'Busy'
        : e.code === 'E_TERMINAL_NO_TRANSACTION'
          ? 'NotFound'
          : 'NotAllowed',
      e.message,
    ];
  log('internal error: %s', (e as Error).message);
  return ['NotAllowed', `the POI failed: ${(e as Error).message}`];
}

/** The members a failed response of this category must still carry to be a valid message. */
function requiredFailureFields(h: MessageHeader): NexoBody {
  const now = new Date().toISOString();
  switch (h.MessageCategory) {
    case 'Payment':
    case 'CardAcquisition':
      return {
        SaleData: { SaleTransactionID: { TransactionID: '', TimeStamp: now } },
        POIData: { POITransactionID: { TransactionID: '', TimeStamp: now } },
      };
    case 'Reconciliation':
      return { ReconciliationType: 'SaleReconciliation' };
    default:
      return {};
  }
}

/** nexo EntryMode of an ISO 8583 field 22 (its first two digits). */
function entryModeOf(field22: string): string {
  const pan = field22.slice(0, 2);
  if (pan === '05') return 'ICC';
  if (pan === '07' || pan === '91') return 'Contactless';
  if (pan === '02' || pan === '90') return 'MagStripe';
  if (pan === '01') return 'Keyed';
  return 'File';
}
