/**
 * The EMV and PBOC data elements a terminal, card or host sees, labelled for reports and used by DOL
 * building for its format-dependent padding.
 *
 * Sources: EMV 4.3 Book 3 Annex A (data element dictionary), EMV Book C-7 / PBOC 3.0 (JR/T 0025)
 * part 5 and part 12–13 for the qPBOC / electronic-cash tags, and the UnionPay field 55 usage
 * (DF31 issuer script results). Lengths are in bytes; `maxLength` for variable elements.
 *
 * The `sensitive` column is the one list of sensitive tags: the host journal, the proxy's spy, the
 * masked pcap, the report masking, APDU traces and `payhil tools tlv --mask` all read it through
 * {@link tagSensitivity} / {@link SENSITIVE_TAGS}. Cardholder data (PCI DSS: PAN, track data and its
 * equivalents, PIN data) and the cardholder's identity (name, PBOC ID number) are marked; identifiers of
 * the application (AID 4F/84/9F06, labels 50/9F12), the ID *type* 9F62 (a one-digit document code:
 * 00 ID card, 01 officer's card, 02 passport…, identifying nobody), amounts and cryptograms are not.
 */

/**
 * Data element formats (EMV Book 3 §4.3):
 * `n` BCD digits right-justified, left-padded with 0; `cn` BCD digits left-justified, right-padded
 * with F; `b` binary; `a` alphabetic; `an` alphanumeric; `ans` alphanumeric and special characters.
 */
export type DataFormat = 'n' | 'cn' | 'b' | 'a' | 'an' | 'ans';

/** Who originates the element. */
export type DataSource = 'ICC' | 'Terminal' | 'Issuer';

/**
 * What masking an element needs before it may appear in a report or log: `pan` keeps its first 6 and
 * last 4 digits; `track` (track data and its equivalents), `pin` (PIN data) and `pii` (cardholder name
 * and identity) are hidden entirely.
 */
export type Sensitivity = 'pan' | 'track' | 'pin' | 'pii';

export interface TagInfo {
  readonly tag: string;
  readonly name: string;
  readonly format: DataFormat;
  readonly source: DataSource;
  /** 'EMV' for EMVCo elements; 'PBOC' for elements defined (or re-used) by JR/T 0025 / UnionPay. */
  readonly spec: 'EMV' | 'PBOC';
  /** Fixed length in bytes, or the bounds of a variable one. */
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly sensitive?: Sensitivity;
}

type Row = [
  tag: string,
  name: string,
  format: DataFormat,
  source: DataSource,
  min?: number,
  max?: number,
  extra?: { spec?: 'PBOC'; sensitive?: Sensitivity },
];

const PBOC = { spec: 'PBOC' } as const;

// prettier-ignore
const ROWS: Row[] = [
  // --- templates (value is BER-TLV)
  ['61', 'Application Template', 'b', 'ICC', 0, 252],
  ['6F', 'File Control Information (FCI) Template', 'b', 'ICC', 0, 252],
  ['70', 'READ RECORD Response Message Template', 'b', 'ICC', 0, 252],
  ['71', 'Issuer Script Template 1', 'b', 'Issuer'],
  ['72', 'Issuer Script Template 2', 'b', 'Issuer'],
  ['73', 'Directory Discretionary Template', 'b', 'ICC', 0, 252],
  ['77', 'Response Message Template Format 2', 'b', 'ICC'],
  ['A5', 'File Control Information (FCI) Proprietary Template', 'b', 'ICC'],
  ['BF0C', 'File Control Information (FCI) Issuer Discretionary Data', 'b', 'ICC', 0, 222],
  // --- card data
  ['42', 'Issuer Identification Number (IIN)', 'n', 'ICC', 3, 3],
  ['4F', 'Application Identifier (AID) – card', 'b', 'ICC', 5, 16],
  ['50', 'Application Label', 'ans', 'ICC', 1, 16],
  ['56', 'Track 1 Data', 'ans', 'ICC', 0, 76, { sensitive: 'track' }],
  ['57', 'Track 2 Equivalent Data', 'b', 'ICC', 0, 19, { sensitive: 'track' }],
  ['5A', 'Application Primary Account Number (PAN)', 'cn', 'ICC', 0, 10, { sensitive: 'pan' }],
  ['5F20', 'Cardholder Name', 'ans', 'ICC', 2, 26, { sensitive: 'pii' }],
  ['5F24', 'Application Expiration Date', 'n', 'ICC', 3, 3],
  ['5F25', 'Application Effective Date', 'n', 'ICC', 3, 3],
  ['5F28', 'Issuer Country Code', 'n', 'ICC', 2, 2],
  ['5F2D', 'Language Preference', 'an', 'ICC', 2, 8],
  ['5F30', 'Service Code', 'n', 'ICC', 2, 2],
  ['5F34', 'Application PAN Sequence Number', 'n', 'ICC', 1, 1],
  ['5F50', 'Issuer URL', 'ans', 'ICC'],
  ['80', 'Response Message Template Format 1', 'b', 'ICC'],
  ['82', 'Application Interchange Profile (AIP)', 'b', 'ICC', 2, 2],
  ['84', 'Dedicated File (DF) Name', 'b', 'ICC', 5, 16],
  ['87', 'Application Priority Indicator', 'b', 'ICC', 1, 1],
  ['88', 'Short File Identifier (SFI)', 'b', 'ICC', 1, 1],
  ['8C', 'Card Risk Management Data Object List 1 (CDOL1)', 'b', 'ICC', 0, 252],
  ['8D', 'Card Risk Management Data Object List 2 (CDOL2)', 'b', 'ICC', 0, 252],
  ['8E', 'Cardholder Verification Method (CVM) List', 'b', 'ICC', 10, 252],
  ['8F', 'Certification Authority Public Key Index', 'b', 'ICC', 1, 1],
  ['90', 'Issuer Public Key Certificate', 'b', 'ICC'],
  ['92', 'Issuer Public Key Remainder', 'b', 'ICC'],
  ['93', 'Signed Static Application Data', 'b', 'ICC'],
  ['94', 'Application File Locator (AFL)', 'b', 'ICC', 0, 252],
  ['97', 'Transaction Certificate Data Object List (TDOL)', 'b', 'ICC', 0, 252],
  ['9D', 'Directory Definition File (DDF) Name', 'b', 'ICC', 5, 16],
  ['9F05', 'Application Discretionary Data', 'b', 'ICC', 1, 32],
  ['9F07', 'Application Usage Control (AUC)', 'b', 'ICC', 2, 2],
  ['9F08', 'Application Version Number – card', 'b', 'ICC', 2, 2],
  ['9F0B', 'Cardholder Name Extended', 'ans', 'ICC', 27, 45, { sensitive: 'pii' }],
  ['9F0D', 'Issuer Action Code – Default', 'b', 'ICC', 5, 5],
  ['9F0E', 'Issuer Action Code – Denial', 'b', 'ICC', 5, 5],
  ['9F0F', 'Issuer Action Code – Online', 'b', 'ICC', 5, 5],
  ['9F10', 'Issuer Application Data (IAD)', 'b', 'ICC', 0, 32],
  ['9F11', 'Issuer Code Table Index', 'n', 'ICC', 1, 1],
  ['9F12', 'Application Preferred Name', 'ans', 'ICC', 1, 16],
  ['9F13', 'Last Online ATC Register', 'b', 'ICC', 2, 2],
  ['9F14', 'Lower Consecutive Offline Limit', 'b', 'ICC', 1, 1],
  ['9F17', 'PIN Try Counter', 'b', 'ICC', 1, 1],
  ['9F1F', 'Track 1 Discretionary Data', 'ans', 'ICC', 0, 54, { sensitive: 'track' }],
  ['9F20', 'Track 2 Discretionary Data', 'cn', 'ICC', 0, 16, { sensitive: 'track' }],
  ['9F23', 'Upper Consecutive Offline Limit', 'b', 'ICC', 1, 1],
  ['9F26', 'Application Cryptogram (AC)', 'b', 'ICC', 8, 8],
  ['9F27', 'Cryptogram Information Data (CID)', 'b', 'ICC', 1, 1],
  ['9F2D', 'ICC PIN Encipherment Public Key Certificate', 'b', 'ICC'],
  ['9F2E', 'ICC PIN Encipherment Public Key Exponent', 'b', 'ICC', 1, 3],
  ['9F2F', 'ICC PIN Encipherment Public Key Remainder', 'b', 'ICC'],
  ['9F32', 'Issuer Public Key Exponent', 'b', 'ICC', 1, 3],
  ['9F36', 'Application Transaction Counter (ATC)', 'b', 'ICC', 2, 2],
  ['9F38', 'Processing Options Data Object List (PDOL)', 'b', 'ICC'],
  ['9F3B', 'Application Reference Currency', 'n', 'ICC', 2, 8],
  ['9F42', 'Application Currency Code', 'n', 'ICC', 2, 2],
  ['9F43', 'Application Reference Currency Exponent', 'n', 'ICC', 1, 4],
  ['9F44', 'Application Currency Exponent', 'n', 'ICC', 1, 1],
  ['9F45', 'Data Authentication Code', 'b', 'ICC', 2, 2],
  ['9F46', 'ICC Public Key Certificate', 'b', 'ICC'],
  ['9F47', 'ICC Public Key Exponent', 'b', 'ICC', 1, 3],
  ['9F48', 'ICC Public Key Remainder', 'b', 'ICC'],
  ['9F49', 'Dynamic Data Authentication Data Object List (DDOL)', 'b', 'ICC', 0, 252],
  ['9F4A', 'Static Data Authentication Tag List', 'b', 'ICC'],
  ['9F4B', 'Signed Dynamic Application Data', 'b', 'ICC'],
  ['9F4C', 'ICC Dynamic Number', 'b', 'ICC', 2, 8],
  ['9F4D', 'Log Entry', 'b', 'ICC', 2, 2],
  ['9F4F', 'Log Format', 'b', 'ICC'],
  // --- PBOC / UnionPay card data (JR/T 0025; several shared with Visa VIS)
  ['9F51', 'Application Currency Code (PBOC)', 'n', 'ICC', 2, 2, PBOC],
  ['9F52', 'Application Default Action (ADA)', 'b', 'ICC', 2, 2, PBOC],
  ['9F53', 'Consecutive Transaction Limit (International)', 'b', 'ICC', 1, 1, PBOC],
  ['9F54', 'Cumulative Total Transaction Amount Limit', 'n', 'ICC', 6, 6, PBOC],
  ['9F55', 'Geographic Indicator', 'b', 'ICC', 1, 1, PBOC],
  ['9F56', 'Issuer Authentication Indicator', 'b', 'ICC', 1, 1, PBOC],
  ['9F57', 'Issuer Country Code (PBOC)', 'n', 'ICC', 2, 2, PBOC],
  ['9F58', 'Lower Consecutive Offline Limit (Card Check)', 'b', 'ICC', 1, 1, PBOC],
  ['9F59', 'Upper Consecutive Offline Limit (Card Check)', 'b', 'ICC', 1, 1, PBOC],
  ['9F5A', 'Issuer URL2', 'ans', 'ICC', 0, 32, PBOC],
  ['9F5B', 'Issuer Script Results (card)', 'b', 'ICC', 0, 64, PBOC],
  ['9F5C', 'Cumulative Total Transaction Amount Upper Limit', 'n', 'ICC', 6, 6, PBOC],
  ['9F5D', 'Available Offline Spending Amount', 'n', 'ICC', 6, 6, PBOC],
  ['9F61', 'Cardholder ID Number', 'an', 'ICC', 1, 40, { spec: 'PBOC', sensitive: 'pii' }],
  ['9F62', 'Cardholder ID Type', 'n', 'ICC', 1, 1, PBOC],
  ['9F63', 'Card Product Identification Information', 'b', 'ICC', 16, 16, PBOC],
  // EMV Contactless Book C-2: track 2 as the card builds it for a mag-stripe mode tap.
  ['9F6B', 'Track 2 Data (contactless)', 'b', 'ICC', 0, 19, { sensitive: 'track' }],
  ['9F6C', 'Card Transaction Qualifiers (CTQ)', 'b', 'ICC', 2, 2, PBOC],
  ['9F6D', 'EC Reset Threshold', 'n', 'ICC', 6, 6, PBOC],
  ['9F74', 'EC Issuer Authorization Code', 'a', 'ICC', 6, 6, PBOC],
  ['9F77', 'EC Balance Limit', 'n', 'ICC', 6, 6, PBOC],
  ['9F78', 'EC Single Transaction Limit', 'n', 'ICC', 6, 6, PBOC],
  ['9F79', 'EC Balance', 'n', 'ICC', 6, 6, PBOC],
  ['DF4D', 'Load Log Entry', 'b', 'ICC', 2, 2, PBOC],
  ['DF4F', 'Load Log Format', 'b', 'ICC', 0, 252, PBOC],
  ['DF71', 'Second Application Currency Code', 'n', 'ICC', 2, 2, PBOC],
  ['DF79', 'EC Balance (second currency)', 'n', 'ICC', 6, 6, PBOC],
  // --- terminal data
  ['81', 'Amount, Authorised (Binary)', 'b', 'Terminal', 4, 4],
  ['83', 'Command Template', 'b', 'Terminal'],
  ['95', 'Terminal Verification Results (TVR)', 'b', 'Terminal', 5, 5],
  ['98', 'Transaction Certificate (TC) Hash Value', 'b', 'Terminal', 20, 20],
  ['99', 'Transaction PIN Data', 'b', 'Terminal', 0, 64, { sensitive: 'pin' }],
  ['9A', 'Transaction Date', 'n', 'Terminal', 3, 3],
  ['9B', 'Transaction Status Information (TSI)', 'b', 'Terminal', 2, 2],
  ['9C', 'Transaction Type', 'n', 'Terminal', 1, 1],
  ['5F2A', 'Transaction Currency Code', 'n', 'Terminal', 2, 2],
  ['5F36', 'Transaction Currency Exponent', 'n', 'Terminal', 1, 1],
  ['9F01', 'Acquirer Identifier', 'n', 'Terminal', 6, 6],
  ['9F02', 'Amount, Authorised (Numeric)', 'n', 'Terminal', 6, 6],
  ['9F03', 'Amount, Other (Numeric)', 'n', 'Terminal', 6, 6],
  ['9F04', 'Amount, Other (Binary)', 'b', 'Terminal', 4, 4],
  ['9F06', 'Application Identifier (AID) – terminal', 'b', 'Terminal', 5, 16],
  ['9F09', 'Application Version Number – terminal', 'b', 'Terminal', 2, 2],
  ['9F15', 'Merchant Category Code', 'n', 'Terminal', 2, 2],
  ['9F16', 'Merchant Identifier', 'ans', 'Terminal', 15, 15],
  ['9F1A', 'Terminal Country Code', 'n', 'Terminal', 2, 2],
  ['9F1B', 'Terminal Floor Limit', 'b', 'Terminal', 4, 4],
  ['9F1C', 'Terminal Identification', 'an', 'Terminal', 8, 8],
  ['9F1D', 'Terminal Risk Management Data', 'b', 'Terminal', 1, 8],
  ['9F1E', 'Interface Device (IFD) Serial Number', 'an', 'Terminal', 8, 8],
  ['9F21', 'Transaction Time', 'n', 'Terminal', 3, 3],
  ['9F22', 'Certification Authority Public Key Index – terminal', 'b', 'Terminal', 1, 1],
  ['9F33', 'Terminal Capabilities', 'b', 'Terminal', 3, 3],
  ['9F34', 'Cardholder Verification Method (CVM) Results', 'b', 'Terminal', 3, 3],
  ['9F35', 'Terminal Type', 'n', 'Terminal', 1, 1],
  ['9F37', 'Unpredictable Number', 'b', 'Terminal', 4, 4],
  ['9F39', 'Point-of-Service (POS) Entry Mode', 'n', 'Terminal', 1, 1],
  ['9F3A', 'Amount, Reference Currency', 'b', 'Terminal', 4, 4],
  ['9F3C', 'Transaction Reference Currency Code', 'n', 'Terminal', 2, 2],
  ['9F3D', 'Transaction Reference Currency Exponent', 'n', 'Terminal', 1, 1],
  ['9F40', 'Additional Terminal Capabilities', 'b', 'Terminal', 5, 5],
  ['9F41', 'Transaction Sequence Counter', 'n', 'Terminal', 2, 4],
  ['9F4E', 'Merchant Name and Location', 'ans', 'Terminal'],
  ['9F66', 'Terminal Transaction Qualifiers (TTQ)', 'b', 'Terminal', 4, 4, PBOC],
  ['9F7A', 'EC Terminal Support Indicator', 'b', 'Terminal', 1, 1, PBOC],
  ['9F7B', 'EC Terminal Transaction Limit', 'n', 'Terminal', 6, 6, PBOC],
  ['DF31', 'Issuer Script Results', 'b', 'Terminal', 0, 64, PBOC],
  // --- issuer data
  ['86', 'Issuer Script Command', 'b', 'Issuer', 0, 261],
  ['89', 'Authorisation Code', 'an', 'Issuer', 6, 6],
  ['8A', 'Authorisation Response Code', 'an', 'Issuer', 2, 2],
  ['91', 'Issuer Authentication Data', 'b', 'Issuer', 8, 16],
  ['9F18', 'Issuer Script Identifier', 'b', 'Issuer', 4, 4],
];

const DICTIONARY: ReadonlyMap<string, TagInfo> = new Map(
  ROWS.map(([tag, name, format, source, min, max, extra]) => {
    const info: TagInfo = {
      tag,
      name,
      format,
      source,
      spec: extra?.spec ?? 'EMV',
      ...(min === undefined ? {} : { minLength: min }),
      ...(max === undefined ? {} : { maxLength: max }),
      ...(extra?.sensitive ? { sensitive: extra.sensitive } : {}),
    };
    return [tag, Object.freeze(info)];
  }),
);

/** What payhil knows about a tag (any case), or undefined for a tag outside the dictionary. */
export function tagInfo(tag: string): TagInfo | undefined {
  return DICTIONARY.get(tag) ?? DICTIONARY.get(tag.toUpperCase());
}

/** The tags that never appear in clear in a report or log, with how each is masked (upper-case tags). */
export const SENSITIVE_TAGS: ReadonlyMap<string, Sensitivity> = new Map(
  [...DICTIONARY.values()].flatMap((i) => (i.sensitive ? [[i.tag, i.sensitive] as const] : [])),
);

/** How a tag (any case) must be masked, or undefined when its value may be shown as it is. */
export function tagSensitivity(tag: string): Sensitivity | undefined {
  return SENSITIVE_TAGS.get(tag) ?? SENSITIVE_TAGS.get(tag.toUpperCase());
}

/** The tag's name, or a generic label ('Unknown tag', or 'Proprietary tag' for context-specific DFxx/9Fxx not listed). */
export function tagName(tag: string): string {
  const info = tagInfo(tag);
  if (info) return info.name;
  const first = parseInt(tag.slice(0, 2), 16);
  return (first & 0xc0) === 0xc0 ? 'Proprietary tag' : 'Unknown tag';
}

/** Every dictionary entry, in tag order (for docs and completeness checks). */
export function allTags(): TagInfo[] {
  return [...DICTIONARY.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}
