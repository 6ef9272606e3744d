// Curated public API of harness/cards: virtual EMV/PBOC cards and the vpcd bridge.
export {
  CardFixtureError,
  CardNoAnswerError,
  CardRemovedError,
  CardStateError,
  VpcdError,
  ApduFormatError,
  CardDataError,
} from './errors.js';
export type {
  CardFixture,
  CardApplicationSpec,
  CardFaultsSpec,
  CardInterfaceKind,
  CardKeysSpec,
  CardRecordSpec,
  CardEcSpec,
  CardRiskSpec,
  CardWalletSpec,
  CardTracksSpec,
} from './card-fixture.js';
export {
  loadCardFixture,
  listBundledCards,
  resolveCardRef,
  cardSchemaPath,
  bundledCardsDir,
  mergeCardFields,
} from './card-fixture-loader.js';
export { EmvVirtualCard, createVirtualCard } from './virtual-card.js';
export type {
  VirtualCard,
  VirtualCardOptions,
  CardInterface,
  CardFault,
  ApduExchange,
} from './virtual-card.js';
export type { CardRunState, CardLogEntry } from './card-state.js';
export {
  SW,
  exchangeWithGetResponse,
  parseCommandApdu,
  responseApdu,
  commandApdu,
  statusWord,
  responseData,
  swHex,
  LE_ANY,
} from './apdu.js';
export type { CommandApdu } from './apdu.js';
export { tracksOf, track1Of, track2Of, track2Equivalent, serviceCodeSaysChip } from './magstripe.js';
export type { MagstripeTracks } from './magstripe.js';
export { PSE_NAME, PPSE_NAME } from './emv-application.js';
export { plaintextPinBlock } from './plaintext-pin.js';
export {
  AC_TERMINAL_TAGS,
  acInput,
  iccMasterKey,
  acKey,
  computeAc,
  verifyArpc,
  encodeIad,
  encodeCvr,
  emptyCvr,
} from './card-cryptogram.js';
export type { Cvn, Cvr } from './card-cryptogram.js';
export { atrOf, isContactlessAtr } from './atr.js';
export { serveCardOnVpcd, VpcdFrameParser, vpcdFrame, VPCD_CTRL, VPCD_DEFAULT_PORT } from './vpcd-bridge.js';
export type { VpcdOptions, VpcdHandle } from './vpcd-bridge.js';
