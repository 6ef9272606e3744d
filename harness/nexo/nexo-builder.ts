/**
 * Builds nexo messages: a header for a category and type, a request or response around a body, the
 * Response of a failure, and text OutputContent. Both the POI (emulator) and the sale system (driver) use it.
 */
import type {
  MessageHeader,
  NexoBody,
  NexoMessage,
  NexoResponseStatus,
  OutputContent,
} from './nexo-message.js';
import { bodyNameOf } from './nexo-message.js';
import {
  MESSAGE_CATEGORIES,
  NEXO_PROTOCOL_VERSION,
  type ErrorCondition,
  type MessageCategory,
  type MessageType,
} from './wire-values.js';

/** Who a message pair is between and which pair it is. */
export interface NexoParties {
  SaleID: string;
  POIID: string;
  /** The message pair (absent on a Device response). */
  ServiceID?: string;
  DeviceID?: string;
}

/** A header for `category` / `type` between `parties`. */
export function nexoHeader(
  category: MessageCategory,
  type: MessageType,
  parties: NexoParties,
): MessageHeader {
  return {
    ProtocolVersion: NEXO_PROTOCOL_VERSION,
    MessageClass: MESSAGE_CATEGORIES[category],
    MessageCategory: category,
    MessageType: type,
    ...(parties.ServiceID !== undefined ? { ServiceID: parties.ServiceID } : {}),
    ...(parties.DeviceID !== undefined ? { DeviceID: parties.DeviceID } : {}),
    SaleID: parties.SaleID,
    POIID: parties.POIID,
  };
}

/** A request (or, for Event, a notification) in a SaleToPOIRequest. */
export function nexoRequest<B extends NexoBody>(
  category: MessageCategory,
  parties: NexoParties,
  body: B,
): NexoMessage<B> {
  const type: MessageType = category === 'Event' ? 'Notification' : 'Request';
  return {
    envelope: 'SaleToPOIRequest',
    header: nexoHeader(category, type, parties),
    bodyName: bodyNameOf(category, type),
    body,
  };
}

/** The response to `request` (same category, parties and ServiceID) in a SaleToPOIResponse. */
export function nexoResponse<B extends NexoBody>(request: MessageHeader, body: B): NexoMessage<B> {
  const header: MessageHeader = { ...request, MessageType: 'Response' };
  return {
    envelope: 'SaleToPOIResponse',
    header,
    bodyName: bodyNameOf(request.MessageCategory, 'Response'),
    body,
  };
}

/** A Response block. */
export function nexoStatus(
  ok: boolean,
  errorCondition?: ErrorCondition,
  additional?: string,
): NexoResponseStatus {
  return {
    Result: ok ? 'Success' : 'Failure',
    ...(!ok && errorCondition ? { ErrorCondition: errorCondition } : {}),
    ...(additional !== undefined ? { AdditionalResponse: additional } : {}),
  };
}

/** Text OutputContent, one OutputText per line. */
export function textContent(lines: readonly string[]): OutputContent {
  return { OutputFormat: 'Text', OutputText: lines.map((Text) => ({ Text })) };
}
