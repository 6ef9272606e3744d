/**
 * BER-TLV speed on a UnionPay purchase's field 55 (21 data objects, 178 bytes): parse, find, encode,
 * and heap over 1,000,000 parses. Baseline measured in the same run: a hex round trip of the same
 * bytes (Buffer → hex string → Buffer), the cheapest thing any decoder of field 55 must beat.
 */
import { heapUsedMiB, opsPerSecondSync, report } from '../../test/bench/bench-kit.js';
import { encodeTlv, findTag, parseTlv, type TlvInput } from './tlv.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

// The tags JR/T 0001 / UnionPay ask for in a chip purchase request (field 55), with plausible values.
const FIELD_55: TlvInput[] = [
  { tag: '9F26', value: hex('6ECF9347C1A92471') },
  { tag: '9F27', value: hex('80') },
  { tag: '9F10', value: hex('07010103A0A000010A010000000000754048769000000000000000000000000000') },
  { tag: '9F37', value: hex('1A2B3C4D') },
  { tag: '9F36', value: hex('0005') },
  { tag: '95', value: hex('0000048000') },
  { tag: '9A', value: hex('261121') },
  { tag: '9C', value: hex('00') },
  { tag: '9F02', value: hex('000000001000') },
  { tag: '5F2A', value: hex('0156') },
  { tag: '82', value: hex('7C00') },
  { tag: '9F1A', value: hex('0156') },
  { tag: '9F03', value: hex('000000000000') },
  { tag: '9F33', value: hex('E0E1C8') },
  { tag: '9F34', value: hex('420300') },
  { tag: '9F35', value: hex('22') },
  { tag: '9F1E', value: Buffer.from('12345678', 'latin1') },
  { tag: '84', value: hex('A000000333010101') },
  { tag: '9F09', value: hex('0030') },
  { tag: '9F41', value: hex('00000001') },
  { tag: '9F63', value: hex('30313032303030300000000000000000') },
];

const bytes = encodeTlv(FIELD_55);
const seconds = 2;

const baseline = opsPerSecondSync(() => Buffer.from(bytes.toString('hex'), 'hex'), seconds);
const parse = opsPerSecondSync(() => parseTlv(bytes), seconds);
const parseFind = opsPerSecondSync(() => findTag(parseTlv(bytes), '9F63'), seconds);
const encode = opsPerSecondSync(() => encodeTlv(FIELD_55), seconds);
const roundTrip = opsPerSecondSync(() => encodeTlv(parseTlv(bytes)), seconds);

// Heap: parse 1,000,000 times, sampling after GC at the start and the end.
const before = heapUsedMiB();
let sink = 0;
for (let i = 0; i < 1_000_000; i++) sink += parseTlv(bytes).length;
const after = heapUsedMiB();
if (sink !== 1_000_000 * FIELD_55.length) throw new Error('bench: parse result changed');

report({
  bench: 'emv-tlv',
  figures: [
    {
      name: `parse field 55 (21 objects, ${bytes.length} B)`,
      value: Math.round(parse),
      unit: 'ops/s',
      target: '>= 300000',
      met: parse >= 300_000,
    },
    { name: 'parse + findTag (last tag)', value: Math.round(parseFind), unit: 'ops/s' },
    {
      name: 'encode field 55',
      value: Math.round(encode),
      unit: 'ops/s',
      target: '>= 300000',
      met: encode >= 300_000,
    },
    { name: 'parse + encode round trip', value: Math.round(roundTrip), unit: 'ops/s' },
    { name: 'baseline: hex round trip of the same bytes', value: Math.round(baseline), unit: 'ops/s' },
    { name: 'parse / baseline', value: parse / baseline, unit: 'x' },
    {
      name: 'heap growth over 1,000,000 parses',
      value: after - before,
      unit: 'MiB',
      target: '< 2',
      met: after - before < 2,
    },
  ],
  notes: [
    `field 55 is ${bytes.length} bytes`,
    'target: TLV must stay a small share of the 100,000 ISO 8583 round trips/s budget (issue 3)',
  ],
});
