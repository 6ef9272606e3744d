/**
 * Reads and checks nexo messages in their JSON form. Every refusal is a `NexoMessageError` that names the
 * message and the JSON path of the field at fault; a terminal answers it with ErrorCondition MessageFormat.
 *
 * What is checked (nexo Retailer Sale-to-POI Protocol v3.x, as in the Adyen Terminal API reference):
 * - the text is JSON holding exactly one `SaleToPOIRequest` or `SaleToPOIResponse`;
 * - MessageHeader: MessageClass, MessageCategory, MessageType from their code lists, the class the
 *   category belongs to, SaleID and POIID present, ServiceID present on Service and Event messages
 *   ("Required if MessageClass is Service or Event", 1–10 alphanumerics), Request/Notification in a
 *   SaleToPOIRequest, Response in a SaleToPOIResponse;
 * - exactly one body, named after the category (`PaymentRequest`…), with the fields payhil relies on
 *   present and of the right JSON type (NEXO_BODY_FIELDS); other fields pass through untouched.
 */
import { NexoMessageError, NexoUnknownCategoryError } from './errors.js';
import {
  bodyNameOf,
  type MessageHeader,
  type NexoBody,
  type NexoEnvelope,
  type NexoMessage,
} from './nexo-message.js';
import {
  DOCUMENT_QUALIFIERS,
  ERROR_CONDITIONS,
  EVENTS_TO_NOTIFY,
  GLOBAL_STATUSES,
  MESSAGE_CATEGORIES,
  MESSAGE_CLASSES,
  MESSAGE_TYPES,
  PAYMENT_TYPES,
  RESULTS,
  type MessageCategory,
} from './wire-values.js';

/** A field's JSON type, or the code list its string value must come from. */
type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array' | readonly string[];
/** `[path, type]`; a path ending in `?` is optional (its children are checked only when it is there). */
type FieldSpec = readonly [string, FieldType];

const RESPONSE: readonly FieldSpec[] = [
  ['Response', 'object'],
  ['Response.Result', RESULTS],
  ['Response.ErrorCondition?', ERROR_CONDITIONS],
  ['Response.AdditionalResponse?', 'string'],
];
const TRANSACTION_ID = (p: string): FieldSpec[] => [
  [p, 'object'],
  [`${p}.TransactionID`, 'string'],
  [`${p}.TimeStamp`, 'string'],
];
const MESSAGE_REFERENCE = (optional: boolean): FieldSpec[] => [
  [`MessageReference${optional ? '?' : ''}`, 'object'],
  ['MessageReference.MessageCategory?', Object.keys(MESSAGE_CATEGORIES)],
  ['MessageReference.ServiceID?', 'string'],
  ['MessageReference.SaleID?', 'string'],
  ['MessageReference.POIID?', 'string'],
];
const OUTPUT_CONTENT = (p: string): FieldSpec[] => [
  [p, 'object'],
  [`${p}.OutputFormat`, ['MessageRef', 'Text', 'XHTML', 'BarCode']],
  [`${p}.OutputText?`, 'array'],
];
const RECONCILIATION_TYPES = [
  'SaleReconciliation',
  'AcquirerReconciliation',
  'AcquirerSynchronisation',
  'PreviousReconciliation',
];

/** The fields each body must carry (beyond them, anything goes). */
export const NEXO_BODY_FIELDS: Readonly<Record<string, readonly FieldSpec[]>> = {
  LoginRequest: [
    ['DateTime', 'string'],
    ['SaleSoftware', 'object'],
    ['SaleSoftware.ApplicationName', 'string'],
    ['SaleSoftware.SoftwareVersion', 'string'],
    ['SaleSoftware.CertificationCode', 'string'],
    ['OperatorLanguage', 'string'],
    ['OperatorID?', 'string'],
  ],
  LoginResponse: [...RESPONSE, ['POISystemData?', 'object']],
  LogoutRequest: [['MaintenanceAllowed?', 'boolean']],
  LogoutResponse: RESPONSE,
  PaymentRequest: [
    ['SaleData', 'object'],
    ...TRANSACTION_ID('SaleData.SaleTransactionID'),
    ['PaymentTransaction', 'object'],
    ['PaymentTransaction.AmountsReq', 'object'],
    ['PaymentTransaction.AmountsReq.Currency', 'string'],
    ['PaymentTransaction.AmountsReq.RequestedAmount?', 'number'],
    ['PaymentTransaction.OriginalPOITransaction?', 'object'],
    ['PaymentData?', 'object'],
    ['PaymentData.PaymentType?', PAYMENT_TYPES],
  ],
  PaymentResponse: [
    ...RESPONSE,
    ['SaleData', 'object'],
    ['POIData', 'object'],
    ...TRANSACTION_ID('POIData.POITransactionID'),
    ['PaymentResult?', 'object'],
    ['PaymentResult.AmountsResp?', 'object'],
    ['PaymentResult.AmountsResp.AuthorizedAmount', 'number'],
    ['PaymentReceipt?', 'array'],
  ],
  ReversalRequest: [
    ['OriginalPOITransaction', 'object'],
    ...TRANSACTION_ID('OriginalPOITransaction.POITransactionID'),
    ['ReversalReason', 'string'],
    ['ReversedAmount?', 'number'],
  ],
  ReversalResponse: [...RESPONSE, ['POIData?', 'object'], ['ReversedAmount?', 'number']],
  BalanceInquiryRequest: [],
  BalanceInquiryResponse: [
    ...RESPONSE,
    ['PaymentAccountStatus?', 'object'],
    ['PaymentAccountStatus.CurrentBalance?', 'number'],
    ['PaymentAccountStatus.Currency?', 'string'],
  ],
  ReconciliationRequest: [
    ['ReconciliationType', RECONCILIATION_TYPES],
    ['POIReconciliationID?', 'string'],
  ],
  ReconciliationResponse: [
    ...RESPONSE,
    ['ReconciliationType', RECONCILIATION_TYPES],
    ['POIReconciliationID?', 'string'],
    ['TransactionTotals?', 'array'],
  ],
  CardAcquisitionRequest: [
    ['SaleData', 'object'],
    ...TRANSACTION_ID('SaleData.SaleTransactionID'),
    ['CardAcquisitionTransaction', 'object'],
    ['CardAcquisitionTransaction.TotalAmount?', 'number'],
  ],
  CardAcquisitionResponse: [
    ...RESPONSE,
    ['SaleData', 'object'],
    ['POIData', 'object'],
    ['PaymentInstrumentData?', 'object'],
  ],
  AbortRequest: [...MESSAGE_REFERENCE(false), ['AbortReason', 'string']],
  TransactionStatusRequest: [...MESSAGE_REFERENCE(true), ['ReceiptReprintFlag?', 'boolean']],
  TransactionStatusResponse: [
    ...RESPONSE,
    ...MESSAGE_REFERENCE(true),
    ['RepeatedMessageResponse?', 'object'],
    ['RepeatedMessageResponse.MessageHeader', 'object'],
    ['RepeatedMessageResponse.RepeatedResponseMessageBody', 'object'],
  ],
  DiagnosisRequest: [['HostDiagnosisFlag?', 'boolean']],
  DiagnosisResponse: [...RESPONSE, ['POIStatus?', 'object'], ['POIStatus.GlobalStatus', GLOBAL_STATUSES]],
  DisplayRequest: [['DisplayOutput', 'array']],
  DisplayResponse: [['OutputResult?', 'array']],
  InputRequest: [
    ['DisplayOutput?', 'object'],
    ['InputData', 'object'],
    ['InputData.Device', 'string'],
    ['InputData.InfoQualify', 'string'],
    ['InputData.InputCommand', 'string'],
  ],
  InputResponse: [['InputResult', 'object']],
  PrintRequest: [
    ['PrintOutput', 'object'],
    ['PrintOutput.DocumentQualifier', DOCUMENT_QUALIFIERS],
    ['PrintOutput.ResponseMode', 'string'],
    ...OUTPUT_CONTENT('PrintOutput.OutputContent'),
  ],
  PrintResponse: [...RESPONSE, ['DocumentQualifier', DOCUMENT_QUALIFIERS]],
  EventNotification: [
    ['TimeStamp', 'string'],
    ['EventToNotify', EVENTS_TO_NOTIFY],
    ['EventDetails?', 'string'],
  ],
};

const SERVICE_ID = /^[A-Za-z0-9]{1,10}$/;
const ID_LIMIT = 64;

/** Reads one nexo message from JSON text; NexoMessageError when it is not one. */
export function parseNexo(text: string): NexoMessage {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new NexoMessageError('nexo message', '', `is not JSON: ${(e as Error).message}`, {
      code: 'E_NEXO_JSON',
    });
  }
  return checkNexo(v);
}

/** Checks a parsed JSON value as a nexo message; NexoMessageError when it is not one. */
export function checkNexo(v: unknown): NexoMessage {
  if (!isObject(v))
    throw new NexoMessageError(
      'nexo message',
      '',
      'must be a JSON object holding SaleToPOIRequest or SaleToPOIResponse',
    );
  const keys = Object.keys(v);
  const envelope = keys[0];
  if (keys.length !== 1 || (envelope !== 'SaleToPOIRequest' && envelope !== 'SaleToPOIResponse'))
    throw new NexoMessageError(
      'nexo message',
      '',
      `must hold exactly one SaleToPOIRequest or SaleToPOIResponse, got ${
        keys.length
          ? keys
              .slice(0, 5)
              .map((k) => JSON.stringify(k.slice(0, 40)))
              .join(', ')
          : 'nothing'
      }`,
    );
  const inner = v[envelope];
  if (!isObject(inner)) throw new NexoMessageError(envelope, envelope, 'must be an object');
  const header = checkHeader(envelope, inner.MessageHeader);
  const bodyName = bodyNameOf(header.MessageCategory, header.MessageType);
  const others = Object.keys(inner).filter((k) => k !== 'MessageHeader' && k !== 'SecurityTrailer');
  if (!others.includes(bodyName))
    throw new NexoMessageError(
      bodyName,
      `${envelope}.${bodyName}`,
      `is missing (MessageCategory ${header.MessageCategory}, MessageType ${header.MessageType})`,
    );
  if (others.length !== 1)
    throw new NexoMessageError(
      envelope,
      envelope,
      `must hold one message body, got ${others.slice(0, 5).join(', ')}`,
    );
  const body = inner[bodyName];
  if (!isObject(body)) throw new NexoMessageError(bodyName, `${envelope}.${bodyName}`, 'must be an object');
  checkFields(bodyName, `${envelope}.${bodyName}`, body, NEXO_BODY_FIELDS[bodyName] ?? []);
  return { envelope, header, bodyName, body: body as NexoBody };
}

/** Checks a body against its field table (also for a body that travels inside another, e.g. repeated). */
export function checkNexoBody(bodyName: string, where: string, body: unknown): NexoBody {
  if (!isObject(body)) throw new NexoMessageError(bodyName, where, 'must be an object');
  checkFields(bodyName, where, body, NEXO_BODY_FIELDS[bodyName] ?? []);
  return body;
}

function checkHeader(envelope: NexoEnvelope, h: unknown): MessageHeader {
  const at = `${envelope}.MessageHeader`;
  if (!isObject(h))
    throw new NexoMessageError(envelope, at, h === undefined ? 'is missing' : 'must be an object');
  const category = h.MessageCategory;
  if (typeof category !== 'string')
    throw new NexoMessageError(
      envelope,
      `${at}.MessageCategory`,
      category === undefined ? 'is missing' : 'must be a string',
    );
  if (!Object.hasOwn(MESSAGE_CATEGORIES, category)) throw new NexoUnknownCategoryError(envelope, category);
  const cat = category as MessageCategory;
  const name = `${envelope} (${cat})`;
  checkFields(name, at, h, [
    ['MessageClass', MESSAGE_CLASSES],
    ['MessageType', MESSAGE_TYPES],
    ['ProtocolVersion?', 'string'],
    ['ServiceID?', 'string'],
    ['DeviceID?', 'string'],
    ['SaleID', 'string'],
    ['POIID', 'string'],
  ]);
  const header = h as unknown as MessageHeader;
  if (header.MessageClass !== MESSAGE_CATEGORIES[cat])
    throw new NexoMessageError(
      name,
      `${at}.MessageClass`,
      `must be ${MESSAGE_CATEGORIES[cat]} for MessageCategory ${cat}, got ${header.MessageClass}`,
    );
  const wantResponse = envelope === 'SaleToPOIResponse';
  if ((header.MessageType === 'Response') !== wantResponse)
    throw new NexoMessageError(
      name,
      `${at}.MessageType`,
      wantResponse
        ? `must be Response in a SaleToPOIResponse`
        : `must be Request or Notification in a SaleToPOIRequest`,
    );
  if ((header.MessageType === 'Notification') !== (cat === 'Event'))
    throw new NexoMessageError(
      name,
      `${at}.MessageType`,
      cat === 'Event' ? 'must be Notification for an Event' : `cannot be Notification for ${cat}`,
    );
  const serviceRequired = header.MessageClass !== 'Device';
  if (header.ServiceID === undefined && serviceRequired)
    throw new NexoMessageError(
      name,
      `${at}.ServiceID`,
      `is missing (required for MessageClass ${header.MessageClass})`,
    );
  if (header.ServiceID !== undefined && !SERVICE_ID.test(header.ServiceID))
    throw new NexoMessageError(name, `${at}.ServiceID`, 'must be 1 to 10 letters or digits');
  for (const f of ['SaleID', 'POIID'] as const)
    if (header[f].length === 0 || header[f].length > ID_LIMIT)
      throw new NexoMessageError(name, `${at}.${f}`, `must be 1 to ${ID_LIMIT} characters`);
  return header;
}

function checkFields(
  name: string,
  at: string,
  obj: Record<string, unknown>,
  specs: readonly FieldSpec[],
): void {
  for (const [rawPath, type] of specs) {
    const optional = rawPath.endsWith('?');
    const path = optional ? rawPath.slice(0, -1) : rawPath;
    const parts = path.split('.');
    let parent: unknown = obj;
    for (const p of parts.slice(0, -1)) parent = isObject(parent) ? parent[p] : undefined;
    // A field of an absent (optional) parent is not checked.
    if (!isObject(parent)) continue;
    const value = parent[parts[parts.length - 1] as string];
    const where = `${at}.${path}`;
    if (value === undefined) {
      if (optional) continue;
      throw new NexoMessageError(name, where, 'is missing');
    }
    const problem = typeProblem(value, type);
    if (problem) throw new NexoMessageError(name, where, problem);
  }
}

function typeProblem(value: unknown, type: FieldType): string | undefined {
  if (typeof type !== 'string') {
    if (typeof value === 'string' && type.includes(value)) return undefined;
    const shown = typeof value === 'string' ? `'${value.slice(0, 40)}'` : JSON.stringify(value)?.slice(0, 40);
    return `must be one of ${type.join(', ')}, got ${shown}`;
  }
  if (type === 'array') return Array.isArray(value) ? undefined : 'must be an array';
  if (type === 'object') return isObject(value) ? undefined : 'must be an object';
  if (type === 'number')
    return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
  return typeof value === type ? undefined : `must be a ${type}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
