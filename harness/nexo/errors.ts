/**
 * Errors of the nexo Retailer (Sale-to-POI) codec. A message that cannot be read names the message
 * (e.g. `PaymentRequest`) and the JSON path of the field at fault.
 */
import { PayhilError } from '../common/payhil-error.js';

/**
 * A nexo message that is not valid: not JSON, not one `SaleToPOIRequest`/`SaleToPOIResponse`, an unknown
 * MessageCategory, a missing or mistyped field. `message` says which message and which field.
 */
export class NexoMessageError extends PayhilError {
  /** The message it concerns (`SaleToPOIRequest`, `PaymentRequest`…), as far as it could be told. */
  readonly nexoMessage: string;
  /** JSON path of the field at fault, e.g. `SaleToPOIRequest.MessageHeader.MessageCategory`. */
  readonly field: string;
  /** The nexo ErrorCondition a terminal answers with (MessageFormat for a bad message). */
  readonly errorCondition: 'MessageFormat' | 'NotAllowed';
  constructor(
    nexoMessage: string,
    field: string,
    problem: string,
    options: { code?: string; errorCondition?: 'MessageFormat' | 'NotAllowed' } = {},
  ) {
    super(options.code ?? 'E_NEXO_MESSAGE', `${nexoMessage}: ${field ? `${field} ` : ''}${problem}`);
    this.nexoMessage = nexoMessage;
    this.field = field;
    this.errorCondition = options.errorCondition ?? 'MessageFormat';
  }
}

/** A message whose MessageCategory this codec does not know (nexo has more than payhil speaks). */
export class NexoUnknownCategoryError extends NexoMessageError {
  readonly category: string;
  constructor(envelope: string, category: string) {
    super(
      envelope,
      `${envelope}.MessageHeader.MessageCategory`,
      `'${category.slice(0, 40)}' is not a MessageCategory payhil speaks`,
      { code: 'E_NEXO_UNKNOWN_CATEGORY' },
    );
    this.category = category;
  }
}

/** An amount or currency that cannot be carried (no minor-unit form, unknown currency). */
export class NexoAmountError extends PayhilError {
  constructor(message: string) {
    super('E_NEXO_AMOUNT', message);
  }
}
