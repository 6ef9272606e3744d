/**
 * APDU round trips per second and full contact read-and-ARQC flows per second, in-process (baseline) and
 * through the real PC/SC stack (pcsclite → pcscd → vpcd → the vpcd bridge → the same virtual card).
 * Run: node --expose-gc dist/harness/cards/apdu.bench.js (or npm run bench -- apdu).
 */
import { spawnSync } from 'node:child_process';
import {
  opsPerSecond,
  opsPerSecondSync,
  percentile,
  report,
  type BenchFigure,
} from '../../test/bench/bench-kit.js';
import { generateAc, PcscDriver, readEmvCard, type ApduTransport } from '../drivers/pcsc/index.js';
import { exchangeWithGetResponse } from './apdu.js';
import { createVirtualCard, type EmvVirtualCard } from './virtual-card.js';
import { serveCardOnVpcd } from './vpcd-bridge.js';

const READER = 'Virtual PCD 00 00';
const GET_ATC = Buffer.from('80CA9F3600', 'hex');

async function flow(tx: ApduTransport, atr?: Buffer): Promise<void> {
  const s = await readEmvCard(tx, { atr, terminal: { amount: 1000, unpredictableNumber: '01020304' } });
  const cdol1 = s.data.get('8C');
  if (!cdol1) throw new Error('no CDOL1 read');
  const ac = await generateAc(tx, 'ARQC', cdol1, s.terminal);
  if (ac.type !== 'ARQC') throw new Error(`expected an ARQC, got ${ac.type}`);
}

function inProcessTransport(card: EmvVirtualCard): ApduTransport {
  return (apdu) => exchangeWithGetResponse(async (a) => card.transmitSync(a), apdu);
}

async function main(): Promise<void> {
  const figures: BenchFigure[] = [];
  const notes: string[] = [];

  // --- in-process (baseline) ---
  const card = createVirtualCard('cup-debit');
  card.powerOnSync('contact');
  const apduSync = opsPerSecondSync(() => card.transmitSync(GET_ATC), 1.5);
  const apduAsync = await opsPerSecond(() => card.transmit(GET_ATC), 1.5);
  figures.push({ name: 'in-process APDU round trips/s (sync)', value: apduSync, unit: 'APDU/s' });
  figures.push({ name: 'in-process APDU round trips/s (Promise)', value: apduAsync, unit: 'APDU/s' });
  const tx = inProcessTransport(card);
  let n = 0;
  const flowsInProcess = await opsPerSecond(
    async () => {
      // Keep the ATC far from its 65535 ceiling.
      if (++n % 1000 === 0) card.reset();
      card.powerOnSync('contact');
      await flow(tx);
    },
    2,
    10,
  );
  figures.push({ name: 'in-process contact read + ARQC flows/s', value: flowsInProcess, unit: 'flows/s' });

  // --- through pcscd + vpcd ---
  const driver = new PcscDriver();
  try {
    if (spawnSync('pgrep', ['-x', 'pcscd']).status !== 0) spawnSync('pcscd', [], { timeout: 5000 });
    await driver.activate();
    const readers = await driver.listReaders(3000);
    if (!readers.includes(READER)) throw new Error(`no '${READER}' reader (vsmartcard-vpcd not installed?)`);
    const served = createVirtualCard('cup-debit');
    const handle = await serveCardOnVpcd(served);
    try {
      const st = await driver.waitForCard(READER, 5000);
      if (!st) throw new Error('card not seen by pcscd');
      const conn = await driver.connect(READER);
      const samples: number[] = [];
      const end = performance.now() + 4000;
      while (performance.now() < end) {
        const t0 = performance.now();
        await conn.transmitRaw(GET_ATC);
        samples.push(performance.now() - t0);
      }
      const pcscApdu = samples.length / (samples.reduce((a, b) => a + b, 0) / 1000);
      figures.push({ name: 'pcscd+vpcd APDU round trips/s', value: pcscApdu, unit: 'APDU/s' });
      figures.push({ name: 'pcscd+vpcd APDU latency p50', value: percentile(samples, 50), unit: 'ms' });
      figures.push({ name: 'pcscd+vpcd APDU latency p95', value: percentile(samples, 95), unit: 'ms' });
      figures.push({
        name: 'in-process / pcscd+vpcd APDU speed ratio',
        value: apduAsync / pcscApdu,
        unit: 'x',
      });
      const flowTimes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        await flow((a) => conn.transmit(a), st.atr);
        flowTimes.push(performance.now() - t0);
      }
      const pcscFlows = flowTimes.length / (flowTimes.reduce((a, b) => a + b, 0) / 1000);
      figures.push({ name: 'pcscd+vpcd contact read + ARQC flows/s', value: pcscFlows, unit: 'flows/s' });
      figures.push({ name: 'pcscd+vpcd flow time p50', value: percentile(flowTimes, 50), unit: 'ms' });
      figures.push({
        name: 'in-process / pcscd+vpcd flow speed ratio',
        value: flowsInProcess / pcscFlows,
        unit: 'x',
      });
      await conn.disconnect();
      notes.push(
        'vpcd (vsmartcard 3.3) sends the 2-byte length and the payload of each message in two send() calls (seen with strace on pcscd); Nagle on its socket then waits for our delayed ACK, about 40 ms per message. That, not the card, bounds the PC/SC figures.',
      );
    } finally {
      await handle.close();
    }
  } catch (e) {
    notes.push(`PC/SC figures skipped: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await driver.deactivate();
  }
  report({ bench: 'cards-apdu', figures, notes });
}

await main();
