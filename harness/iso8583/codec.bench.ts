/**
 * ISO 8583 codec throughput and memory:
 * - encode+decode round trips/s of the published CUP 0200 purchase (field 55, 428-byte frame);
 * - the same for an equivalent ISO 8583:1987 ASCII message through our iso87-ascii dialect and through
 *   the npm package iso_8583, measured in the same run (target: at least 3× the package);
 * - heap before and after 1,000,000 CUP round trips (target: flat).
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { strict as assert } from 'node:assert';
import { heapUsedMiB, opsPerSecondSync, report } from '../../test/bench/bench-kit.js';
import { loadDialect } from './dialect-loader.js';
import { decodeFrame, encodeFrame, type IsoMessage } from './message-codec.js';
import { CUP_PURCHASE_0200_HEX } from './sample-frames.js';

const require = createRequire(import.meta.url);

interface Iso8583Package {
  new (data?: Record<string, string>): {
    getBufferMessage(): Buffer;
    getIsoJSON(b: Buffer, o: object): Record<string, string>;
  };
}
const Iso8583 = require('iso_8583') as Iso8583Package;

const SECONDS = 2;

const cup = loadDialect('cup');
const cupFrame = Buffer.from(CUP_PURCHASE_0200_HEX, 'hex');
const cupMessage = decodeFrame(cup, cupFrame);

function cupRoundTrip(): IsoMessage {
  return decodeFrame(cup, encodeFrame(cup, cupMessage));
}

// An authorisation request both codecs express with the same field formats (ASCII digits, LLVAR/LLLVAR
// as ASCII digits); the EMV data travels as ASCII hex in field 48 so both sides carry the same bytes.
const iso87Fields: Record<number, string> = {
  2: '6222021234567890123',
  3: '000000',
  4: '000000001000',
  7: '1121050607',
  11: '000123',
  12: '050607',
  13: '1121',
  14: '2812',
  22: '051',
  23: '001',
  25: '00',
  32: '12345678',
  35: '6222021234567890123=28122011234567',
  37: '000000123456',
  41: '10000019',
  42: '850100082410002',
  48: cupMessage.fields[55]!,
  49: '156',
};
const ascii = loadDialect('iso87-ascii');
const iso87Message: IsoMessage = { mti: '0200', fields: iso87Fields };
const packageData: Record<string, string> = { 0: '0200' };
for (const [k, v] of Object.entries(iso87Fields)) packageData[k] = v;

function oursRoundTrip(): IsoMessage {
  return decodeFrame(ascii, encodeFrame(ascii, iso87Message));
}

function packageRoundTrip(): Record<string, string> {
  const buf = new Iso8583(packageData).getBufferMessage();
  return new Iso8583().getIsoJSON(buf, {});
}

// Both sides must really do the work: check the results once.
assert.deepEqual(cupRoundTrip(), cupMessage);
assert.deepEqual(oursRoundTrip().fields, iso87Fields);
assert.deepEqual(packageRoundTrip(), packageData);
const oursBytes = encodeFrame(ascii, iso87Message).length;
const packageBytes = new Iso8583(packageData).getBufferMessage().length;

/**
 * Operations per second of CPU time used by this process (user + system): what one core does, whatever
 * else the shared machine runs. The wall-clock figures beside it drop when the cores are busy.
 */
function opsPerCpuSecond(fn: () => unknown, count: number): number {
  for (let i = 0; i < count / 4; i++) fn(); // warm-up
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) fn();
  const used = process.cpuUsage(start);
  return count / ((used.user + used.system) / 1e6);
}

// CPU-time figures first: the package's garbage would otherwise be collected on our clock.
const cupCpuRate = opsPerCpuSecond(cupRoundTrip, 200_000);
const oursCpuRate = opsPerCpuSecond(oursRoundTrip, 200_000);
const packageCpuRate = opsPerCpuSecond(packageRoundTrip, 20_000);
const cupRate = opsPerSecondSync(cupRoundTrip, SECONDS);
const oursRate = opsPerSecondSync(oursRoundTrip, SECONDS);
const packageRate = opsPerSecondSync(packageRoundTrip, SECONDS, 100);
const ratio = oursRate / packageRate;
const cpuRatio = oursCpuRate / packageCpuRate;

const ROUNDS = 1_000_000;
const heapBefore = heapUsedMiB();
let sink = 0;
for (let i = 0; i < ROUNDS; i++) sink += cupRoundTrip().mti.length;
const heapAfter = heapUsedMiB();
assert.equal(sink, ROUNDS * 4);

report({
  bench: 'iso8583-codec',
  figures: [
    {
      name: 'CUP 0200 with field 55, encode+decode (CPU time)',
      value: Math.round(cupCpuRate),
      unit: 'round trips/cpu-s',
      target: '>= 100000 on one core',
      met: cupCpuRate >= 100_000,
    },
    {
      name: 'CUP 0200 with field 55, encode+decode (wall clock)',
      value: Math.round(cupRate),
      unit: 'round trips/s',
    },
    {
      name: 'ISO 1987 ASCII 0200, ours (CPU time)',
      value: Math.round(oursCpuRate),
      unit: 'round trips/cpu-s',
    },
    {
      name: 'ISO 1987 ASCII 0200, iso_8583 (CPU time)',
      value: Math.round(packageCpuRate),
      unit: 'round trips/cpu-s',
    },
    { name: 'ours / iso_8583 (CPU time)', value: cpuRatio, unit: '×', target: '>= 3', met: cpuRatio >= 3 },
    { name: 'ISO 1987 ASCII 0200, ours (wall clock)', value: Math.round(oursRate), unit: 'round trips/s' },
    {
      name: 'ISO 1987 ASCII 0200, iso_8583 (wall clock)',
      value: Math.round(packageRate),
      unit: 'round trips/s',
    },
    { name: 'ours / iso_8583 (wall clock)', value: ratio, unit: '×', target: '>= 3', met: ratio >= 3 },
    { name: `heap before ${ROUNDS.toLocaleString('en')} CUP round trips`, value: heapBefore, unit: 'MiB' },
    {
      name: `heap after ${ROUNDS.toLocaleString('en')} CUP round trips`,
      value: heapAfter,
      unit: 'MiB',
      target: 'flat (< +2 MiB)',
      met: heapAfter - heapBefore < 2,
    },
  ],
  notes: [
    `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores: wall-clock rates fall with the load, CPU-time rates much less`,
    `CUP frame ${cupFrame.length} bytes (published example, sample-frames.ts); ISO 1987 frame ${oursBytes} bytes ours, ${packageBytes} bytes iso_8583`,
    'the ISO 1987 frames differ only in the bitmap: iso87-ascii sends the primary as 16 ASCII hex digits, iso_8583 always sends primary + secondary as 16 binary bytes',
  ],
});
