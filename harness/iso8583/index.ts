export { DecodeError, EncodeError, DialectError, PathError } from './errors.js';
export type { FieldNumber } from './errors.js';
export type {
  Dialect,
  DialectDefinition,
  FieldDefinition,
  FieldSpec,
  SubfieldDefinition,
  FieldType,
  LengthKind,
  FieldEncoding,
  PrefixEncoding,
  FrameLengthKind,
  Sensitivity,
} from './dialect-types.js';
export { loadDialect, compileDialect, dialectSchemaPath, BUNDLED_DIALECTS } from './dialect-loader.js';
export {
  encodeMessage,
  decodeMessage,
  encodeFrame,
  decodeFrame,
  frameLengthAt,
  responseTpdu,
  DEFAULT_MAX_FRAME_BYTES,
} from './message-codec.js';
export type { IsoMessage, DecodedFrame, EncodeFrameOptions, DecodeFrameOptions } from './message-codec.js';
export { FrameParser } from './frame-parser.js';
export { EMPTY_FIELDS_64, EMPTY_FIELDS_128 } from './empty-fields.js';
export {
  blankFrame,
  fieldTreatment,
  frameHeaderBytes,
  maskFields,
  maskFrame,
  maskFrameBytes,
  maskRawHex,
  tryMaskFrameBytes,
} from './frame-masking.js';
export type { FieldTreatment } from './frame-masking.js';
export type { FrameParserOptions } from './frame-parser.js';
export { getPath, setPath, parsePath } from './field-path.js';
export type { ParsedPath } from './field-path.js';
export { macInput, macField } from './mac-input.js';
