/**
 * Small kit shared by every `*.bench.ts`: timing loops, percentiles, heap sampling, and the result record.
 * Benchmarks report ratios against a baseline measured in the same run; they never fail a test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../harness/common/project-root.js';

export interface BenchFigure {
  /** What was measured, e.g. "round trips/s". */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** A target from the issue, e.g. ">= 100000"; `met` says whether it was reached in this run. */
  readonly target?: string;
  readonly met?: boolean;
}

export interface BenchResult {
  readonly bench: string;
  readonly figures: BenchFigure[];
  readonly notes?: string[];
}

/** Runs `fn` repeatedly for about `seconds` (after a warm-up) and returns operations per second. */
export async function opsPerSecond(
  fn: () => unknown | Promise<unknown>,
  seconds = 1,
  batch = 100,
): Promise<number> {
  const warmUntil = performance.now() + Math.min(300, seconds * 200);
  while (performance.now() < warmUntil) for (let i = 0; i < batch; i++) await fn();
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) await fn();
    ops += batch;
  }
  return ops / ((performance.now() - start) / 1000);
}

/** Same as opsPerSecond for synchronous code, without the await per call. */
export function opsPerSecondSync(fn: () => unknown, seconds = 1, batch = 1000): number {
  const warmUntil = performance.now() + Math.min(300, seconds * 200);
  while (performance.now() < warmUntil) for (let i = 0; i < batch; i++) fn();
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
  }
  return ops / ((performance.now() - start) / 1000);
}

/** The p-th percentile (0–100) of a list of samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

/** Heap used after a forced GC (run node with --expose-gc; without it, the value is taken as is). */
export function heapUsedMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

/** Prints a result and writes it to reports/bench/<bench>.json. */
export function report(result: BenchResult): void {
  const dir = packagePath('reports', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.bench}.json`), JSON.stringify(result, null, 2) + '\n');
  console.log(`\n## ${result.bench}`);
  for (const f of result.figures) {
    const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(f.value < 10 ? 3 : 1);
    const target = f.target ? `  (target ${f.target}: ${f.met ? 'met' : 'NOT met'})` : '';
    console.log(`  ${f.name.padEnd(48)} ${value.padStart(12)} ${f.unit}${target}`);
  }
  for (const n of result.notes ?? []) console.log(`  note: ${n}`);
}
