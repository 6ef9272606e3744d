// Curated public API of harness/net: the fault proxy, its toxics and message faults, the spy journal,
// pcap export, the Toxiproxy-compatible control API and the NetworkControl backends.
export { Proxy, startProxy } from './proxy.js';
export type { ProxyOptions, ProxyView } from './proxy.js';
export { ProxyCollection } from './proxy-collection.js';
export type { CollectionDefaults } from './proxy-collection.js';
export { startControlApi, TOXIPROXY_API_VERSION } from './control-api.js';
export type { ControlApi } from './control-api.js';
export { ProxyJournal } from './proxy-journal.js';
export type { JournalEntry, JournalInput, ProxyJournalOptions, AppliedFault } from './proxy-journal.js';
export { MessageFaults, FAULT_ACTIONS, normalizeFault } from './message-fault.js';
export type { FaultAction, MessageFaultInput, MessageFaultSpec } from './message-fault.js';
export { toxicDefinitions, normalizeToxic, updateToxicSpec } from './toxic-registry.js';
export type { ToxicInput, ToxicSpec } from './toxic-registry.js';
export type { ToxicType, ToxicDefinition, AttributeDefinition } from './toxic-definition.js';
export type { StreamDirection } from './toxic-stage.js';
export type { MessageTap } from './message-stage.js';
export { ExchangePairing } from './exchange-pairing.js';
export type { PairedExchange } from './exchange-pairing.js';
export { LocalNetworkControl } from './network-control.js';
export type { NetworkControl } from './network-control.js';
export { ToxiproxyNetworkControl } from './toxiproxy-network-control.js';
export { HttpNetworkControl } from './http-network-control.js';
export type { HttpControlOptions } from './http-network-control.js';
export type { ToxiproxyControlOptions } from './toxiproxy-network-control.js';
export { PcapWriter } from './pcap-writer.js';
export { PcapRecorder } from './pcap-recorder.js';
export { readPcap } from './pcap-reader.js';
export type { PcapCapture, PcapPacket, PcapTcp } from './pcap-reader.js';
export { maskPcap, maskIsoStream } from './pcap-masking.js';
export { relabelLegs, CAPTURE_PORT, CAPTURE_ADDRESSES } from './pcap-legs.js';
export type { CaptureLegs } from './pcap-legs.js';
export {
  maskFields,
  maskFrame,
  maskRawHex,
  maskFrameBytes,
  blankFrame,
  fieldTreatment,
} from '../iso8583/index.js';
export { maskTlvHex } from '../emv/index.js';
export type { FieldTreatment } from '../iso8583/index.js';
export { maskFieldValue, maskReportText } from './report-masking.js';
export { parseHostPort, formatHostPort } from './address.js';
export type { HostPort } from './address.js';
export {
  ProxyInputError,
  NotFoundError,
  AlreadyExistsError,
  ProxyListenError,
  UnsupportedError,
  ControlApiError,
  PcapFormatError,
} from './errors.js';
