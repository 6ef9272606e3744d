// Curated public API of harness/emv: BER-TLV, DOLs, the tag dictionary, and EMV bit maps and lists.
export {
  TlvError,
  UnknownBitError,
  CvmListError,
  BitFieldLengthError,
  CryptogramVersionError,
} from './errors.js';
export type { TlvErrorReason } from './errors.js';

export {
  parseTlv,
  encodeTlv,
  findTag,
  findAllTags,
  flattenTlv,
  readTag,
  readLength,
  encodeLength,
  lengthFieldSize,
  tagBytes,
} from './tlv.js';
export type { Tlv, TlvInput, ParseTlvOptions, TagRead } from './tlv.js';

export { describeTlv, maskValue } from './tlv-describe.js';
export type { TlvDescription, DescribeOptions } from './tlv-describe.js';

export { parseDol, encodeDol, dolDataLength, fitDolValue, buildDolData, splitDolData } from './dol.js';
export type { DolEntry, BuildDolOptions } from './dol.js';

export { tagInfo, tagName, allTags, tagSensitivity, SENSITIVE_TAGS } from './tag-dictionary.js';
export { maskTlvHex, maskIccHex } from './tlv-masking.js';
export type { TlvMaskFillers } from './tlv-masking.js';
export {
  maskApduCommand,
  maskApduResponse,
  maskApduCommandText,
  maskApduResponseText,
} from './apdu-masking.js';
export type { TagInfo, DataFormat, DataSource, Sensitivity } from './tag-dictionary.js';

export { BitField } from './bit-field.js';
export type { BitDef } from './bit-field.js';
export { TVR } from './tvr.js';
export type { TvrBit } from './tvr.js';
export { TSI } from './tsi.js';
export type { TsiBit } from './tsi.js';
export { AIP } from './aip.js';
export type { AipBit } from './aip.js';
export { TTQ } from './ttq.js';
export type { TtqBit } from './ttq.js';
export { CTQ } from './ctq.js';
export type { CtqBit } from './ctq.js';
export { decodeCid, encodeCid } from './cid.js';
export type { Cid, CryptogramType, CidReason } from './cid.js';

export {
  CVM_CODES,
  CVM_CONDITIONS,
  cvmMethod,
  cvmCondition,
  decodeCvRule,
  parseCvmList,
  encodeCvmList,
  cvmConditionSatisfied,
  decodeCvmResults,
  encodeCvmResults,
} from './cvm.js';
export type {
  CvmMethod,
  CvmCondition,
  CvRule,
  CvmList,
  CvRuleInput,
  CvmContext,
  CvmResultCode,
  CvmResults,
} from './cvm.js';

export { deriveIccMasterKeyOptionA } from './icc-key-derivation.js';
export { deriveCommonSessionKey } from './session-key.js';
export {
  cryptogramKeyFor,
  cryptogramPadding,
  generateAc,
  generateArqc,
  generateArpcMethod1,
  generateArpcMethod2,
} from './cryptogram.js';
export type { CryptogramVersion } from './cryptogram.js';
