/**
 * Code values of the nexo Retailer Sale-to-POI protocol as its JSON form carries them (nexo Retailer
 * Protocol specifications v3.x; Adyen Terminal API reference, docs.adyen.com/point-of-sale/…): enumerations
 * are strings, amounts are decimal numbers in the currency's major unit.
 */

/** MessageHeader.ProtocolVersion payhil sends (Adyen Terminal API: "3.0"). */
export const NEXO_PROTOCOL_VERSION = '3.0';

/** MessageHeader.MessageClass. */
export const MESSAGE_CLASSES = [
  'Service', // a service the sale system asks of the POI (payment, reversal, login…)
  'Device', // a device of one side used by the other (display, print, input)
  'Event', // an event notified by the POI (EventNotification)
] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

/**
 * MessageHeader.MessageCategory payhil speaks, with the MessageClass each one belongs to. Other nexo
 * categories (Admin, Batch, Loyalty, StoredValue, CardReaderAPDU…) are refused as unknown.
 */
export const MESSAGE_CATEGORIES = {
  Login: 'Service',
  Logout: 'Service',
  Payment: 'Service',
  Reversal: 'Service',
  BalanceInquiry: 'Service',
  Reconciliation: 'Service',
  CardAcquisition: 'Service',
  Abort: 'Service',
  TransactionStatus: 'Service',
  Diagnosis: 'Service',
  Display: 'Device',
  Input: 'Device',
  Print: 'Device',
  Event: 'Event',
} as const satisfies Record<string, MessageClass>;
export type MessageCategory = keyof typeof MESSAGE_CATEGORIES;

/** MessageHeader.MessageType. */
export const MESSAGE_TYPES = ['Request', 'Response', 'Notification'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Response.Result. */
export const RESULTS = ['Success', 'Failure', 'Partial'] as const;
export type NexoResult = (typeof RESULTS)[number];

/** Response.ErrorCondition (nexo Retailer, "ErrorCondition" code list). */
export const ERROR_CONDITIONS = [
  'Aborted', // the sale system aborted the transaction (AbortRequest)
  'Busy', // the POI is busy with another request
  'Cancel', // the customer or cashier cancelled on the POI
  'DeviceOut', // a device of the POI is out of order
  'InProgress', // TransactionStatus: the referenced transaction still runs
  'InsertedCard', // the card was left inserted
  'InvalidCard', // the card could not be read or is not accepted
  'LoggedOut', // no Login yet (or after Logout)
  'MessageFormat', // the request is not a valid message
  'NotAllowed', // the request is not allowed now or here
  'NotFound', // the referenced transaction is unknown
  'PaymentRestriction', // a payment restriction applies
  'Refusal', // the acquirer or card declined
  'UnavailableDevice',
  'UnavailableService', // the service is not offered by this POI
  'UnreachableHost', // the acquirer host could not be reached
  'WrongPIN',
] as const;
export type ErrorCondition = (typeof ERROR_CONDITIONS)[number];

/** PaymentData.PaymentType. */
export const PAYMENT_TYPES = [
  'Normal',
  'Refund',
  'OneTimeReservation',
  'FirstReservation',
  'UpdateReservation',
  'Completion',
  'CashAdvance',
  'CashDeposit',
  'Recurring',
  'Instalment',
  'IssuerInstalment',
  'PaidOut',
] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

/** EventNotification.EventToNotify (the values payhil's POI sends and any value a real POI may send). */
export const EVENTS_TO_NOTIFY = [
  'Abort',
  'BeginMaintenance',
  'CardInserted',
  'CardRemoved',
  'Completed',
  'CustomerLanguage',
  'EndMaintenance',
  'Initialised',
  'KeyPressed',
  'OutOfOrder',
  'Reject',
  'SaleAdmin',
  'SaleWakeUp',
  'SecurityAlarm',
  'Shutdown',
  'StopAssistance',
  'NetworkConnected',
  'NetworkDisconnected',
] as const;
export type EventToNotify = (typeof EVENTS_TO_NOTIFY)[number];

/** DocumentQualifier of a receipt (PaymentReceipt, PrintOutput). */
export const DOCUMENT_QUALIFIERS = [
  'SaleReceipt',
  'CashierReceipt',
  'CustomerReceipt',
  'Document',
  'Voucher',
  'Journal',
] as const;
export type DocumentQualifier = (typeof DOCUMENT_QUALIFIERS)[number];

/** POIStatus.GlobalStatus (DiagnosisResponse, LoginResponse). */
export const GLOBAL_STATUSES = ['OK', 'Busy', 'Maintenance', 'Unreachable'] as const;
export type GlobalStatus = (typeof GLOBAL_STATUSES)[number];
