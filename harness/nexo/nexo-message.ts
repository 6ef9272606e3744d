/**
 * The nexo Retailer Sale-to-POI message in its JSON form (as the Adyen Terminal API local integration
 * carries it): one `SaleToPOIRequest` or `SaleToPOIResponse` object holding a `MessageHeader` and exactly
 * one body named after the MessageCategory (`PaymentRequest`, `PaymentResponse`, `EventNotification`…).
 * Only the fields payhil reads or writes are typed; a message keeps every other field as sent.
 */
import type {
  DocumentQualifier,
  ErrorCondition,
  EventToNotify,
  GlobalStatus,
  MessageCategory,
  MessageClass,
  MessageType,
  NexoResult,
  PaymentType,
} from './wire-values.js';

/** The two envelopes of the JSON form. */
export type NexoEnvelope = 'SaleToPOIRequest' | 'SaleToPOIResponse';

/** MessageHeader: who talks to whom about which message pair. */
export interface MessageHeader {
  /** "3.0"; sent on Login and Diagnosis, optional elsewhere. */
  ProtocolVersion?: string;
  MessageClass: MessageClass;
  MessageCategory: MessageCategory;
  MessageType: MessageType;
  /** Identifies the message pair (1–10 alphanumerics, unique per sale system); absent on a Device response. */
  ServiceID?: string;
  /** A Device message pair's identifier. */
  DeviceID?: string;
  /** The sale system. */
  SaleID: string;
  /** The POI (terminal). */
  POIID: string;
}

/** Response: the outcome of a service. */
export interface NexoResponseStatus {
  Result: NexoResult;
  /** Why it failed (Failure / Partial). */
  ErrorCondition?: ErrorCondition;
  /** Free text (Adyen: URL-encoded key=value pairs). */
  AdditionalResponse?: string;
}

/** A transaction's identification: its ID and when it was made (ISO 8601). */
export interface TransactionIdentification {
  TransactionID: string;
  TimeStamp: string;
}

/** A text to display or print. */
export interface OutputContent {
  OutputFormat: 'MessageRef' | 'Text' | 'XHTML' | 'BarCode';
  OutputText?: { Text?: string }[];
}

/** A receipt in a response (PaymentReceipt). */
export interface PaymentReceipt {
  DocumentQualifier: DocumentQualifier;
  OutputContent: OutputContent;
  RequiredSignatureFlag?: boolean;
}

/** A message body: the typed fields and whatever else was sent. */
export type NexoBody = Record<string, unknown>;

export interface LoginRequest extends NexoBody {
  DateTime: string;
  SaleSoftware: {
    ManufacturerID?: string;
    ApplicationName: string;
    SoftwareVersion: string;
    CertificationCode: string;
  };
  OperatorLanguage: string;
  OperatorID?: string;
}

export interface PaymentRequest extends NexoBody {
  SaleData: { SaleTransactionID: TransactionIdentification; SaleReferenceID?: string };
  PaymentTransaction: {
    AmountsReq: { Currency: string; RequestedAmount?: number };
    /** The original of a referenced refund. */
    OriginalPOITransaction?: { POITransactionID?: TransactionIdentification };
  };
  PaymentData?: { PaymentType?: PaymentType };
}

export interface PaymentResponse extends NexoBody {
  Response: NexoResponseStatus;
  SaleData: { SaleTransactionID: TransactionIdentification };
  POIData: { POITransactionID: TransactionIdentification; POIReconciliationID?: string };
  PaymentResult?: {
    PaymentType?: PaymentType;
    AmountsResp?: { AuthorizedAmount: number; Currency?: string };
    PaymentInstrumentData?: {
      PaymentInstrumentType: string;
      CardData?: { MaskedPan?: string; EntryMode?: string[]; PaymentBrand?: string };
    };
    PaymentAcquirerData?: {
      ApprovalCode?: string;
      AcquirerTransactionID?: TransactionIdentification;
      AcquirerPOIID?: string;
      MerchantID?: string;
    };
  };
  PaymentReceipt?: PaymentReceipt[];
}

export interface ReversalRequest extends NexoBody {
  OriginalPOITransaction: { POITransactionID?: TransactionIdentification };
  ReversalReason: string;
  ReversedAmount?: number;
}

export interface MessageReference {
  MessageCategory?: MessageCategory;
  ServiceID?: string;
  SaleID?: string;
  POIID?: string;
}

export interface AbortRequest extends NexoBody {
  MessageReference: MessageReference;
  AbortReason: string;
}

export interface TransactionStatusRequest extends NexoBody {
  MessageReference?: MessageReference;
  ReceiptReprintFlag?: boolean;
}

export interface TransactionStatusResponse extends NexoBody {
  Response: NexoResponseStatus;
  MessageReference?: MessageReference;
  RepeatedMessageResponse?: {
    MessageHeader: MessageHeader;
    RepeatedResponseMessageBody: Record<string, NexoBody>;
  };
}

export interface DiagnosisResponse extends NexoBody {
  Response: NexoResponseStatus;
  POIStatus?: { GlobalStatus: GlobalStatus; CardReaderOKFlag?: boolean; PrinterStatus?: string };
}

export interface DisplayOutput {
  Device: string;
  InfoQualify: string;
  OutputContent: OutputContent;
  ResponseRequiredFlag?: boolean;
}

export interface DisplayRequest extends NexoBody {
  DisplayOutput: DisplayOutput[];
}

export interface PrintRequest extends NexoBody {
  PrintOutput: { DocumentQualifier: DocumentQualifier; ResponseMode: string; OutputContent: OutputContent };
}

export interface EventNotification extends NexoBody {
  TimeStamp: string;
  EventToNotify: EventToNotify;
  EventDetails?: string;
}

/** A checked message: the envelope, its header and its one body. */
export interface NexoMessage<B extends NexoBody = NexoBody> {
  envelope: NexoEnvelope;
  header: MessageHeader;
  /** The body's name, e.g. `PaymentRequest`, `EventNotification`. */
  bodyName: string;
  body: B;
}

/** The name of the body a header announces: `${Category}Request|Response`, `EventNotification`. */
export function bodyNameOf(category: MessageCategory, type: MessageType): string {
  if (category === 'Event') return 'EventNotification';
  return `${category}${type === 'Notification' ? 'Request' : type}`;
}

/** The JSON text of a message (`{"SaleToPOIRequest": {"MessageHeader": …, "PaymentRequest": …}}`). */
export function encodeNexo(m: NexoMessage): string {
  return JSON.stringify({ [m.envelope]: { MessageHeader: m.header, [m.bodyName]: m.body } });
}

/** The text of the first line of each OutputText of an OutputContent, joined by newlines. */
export function outputText(c: OutputContent | undefined): string {
  return (c?.OutputText ?? []).map((t) => t.Text ?? '').join('\n');
}
