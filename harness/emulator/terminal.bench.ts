/**
 * Emulated terminal benchmark (`npm run bench -- terminal`): complete chip purchases (insert, PSE, GPO,
 * records, online PIN, ARQC, 0200 over a new TCP connection, ARPC, second GENERATE AC, receipt) against
 * the host simulator on 127.0.0.1, compared in the same run with the bare host round trip of the same
 * purchase from the host's TestTerminal (persistent connection, field 55 prebuilt). Then the heap after
 * many purchases (the event history and batch are bounded/cleared by settlement).
 *
 * Environment: PAYHIL_BENCH_SECONDS (default 4) per phase.
 */
import { createVirtualCard } from '../cards/index.js';
import { startHost } from '../host/index.js';
import { heapUsedMiB, percentile, report } from '../../test/bench/bench-kit.js';
import { createTerminal } from './emulated-terminal.js';
import { buildIccData, TestTerminal } from '../testing/index.js';

const SECONDS = Number(process.env.PAYHIL_BENCH_SECONDS ?? 4);
const PAN = '6222021000000000017';

async function main(): Promise<void> {
  const host = await startHost({ dialect: 'cup' });
  // Baseline: the host round trip alone (TestTerminal, persistent connection, prebuilt field 55).
  const tt = await TestTerminal.connect({
    dialect: 'cup',
    host: host.address.host,
    port: host.address.port,
    terminalId: '87654321',
    merchantId: '123456789012345',
    tmk: '11111111111111112222222222222222',
  });
  await tt.signIn();
  let atc = 1;
  let base = 0;
  const baseEnd = performance.now() + SECONDS * 1000;
  while (performance.now() < baseEnd) {
    const iccData = buildIccData({
      imkAc: '0123456789ABCDEFFEDCBA9876543210',
      pan: PAN,
      psn: '01',
      atc: atc++,
      amount: 1,
    });
    await tt.transact('purchase', {
      card: { pan: PAN, expiry: '3012', psn: '001', iccData },
      amount: 1,
      pin: '123456',
    });
    base++;
  }
  const baseRate = base / SECONDS;
  await tt.close();

  const t = await createTerminal({ profile: 'cup-pos-ci', host: host.address });
  await t.signIn();
  const card = createVirtualCard('cup-debit');
  const latencies: number[] = [];
  let n = 0;
  let approved = 0;
  const heapBefore = heapUsedMiB();
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    const p = t.purchase(1);
    await t.keypad.enterPin('123456');
    await t.cardSlot.insert(card);
    const r = await p;
    await t.cardSlot.remove();
    latencies.push(performance.now() - started);
    n++;
    if (r.outcome === 'approved') approved++;
    if (n % 500 === 0) await t.settle();
  }
  const rate = n / SECONDS;
  const heapAfter = heapUsedMiB();
  await t.close();
  await host.close();
  report({
    bench: 'terminal',
    figures: [
      { name: 'emulated chip purchases/s (full EMV + online)', value: rate, unit: '/s' },
      { name: 'host round trip alone (TestTerminal) /s', value: baseRate, unit: '/s' },
      {
        name: 'emulator cost vs bare round trip',
        value: baseRate / rate,
        unit: 'x',
        target: '<= 10',
        met: baseRate / rate <= 10,
      },
      { name: 'purchase latency p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'purchase latency p95', value: percentile(latencies, 95), unit: 'ms' },
      { name: 'approved', value: approved / Math.max(1, n), unit: 'ratio' },
      {
        name: 'heap growth over the run',
        value: heapAfter - heapBefore,
        unit: 'MiB',
        target: '< 50',
        met: heapAfter - heapBefore < 50,
      },
    ],
    notes: [
      'one TCP connection per host exchange (as dial-up/GPRS POS do); the baseline keeps one connection open',
      'the card is the in-process virtual card (no PC/SC)',
    ],
  });
}

await main();
