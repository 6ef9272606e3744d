/**
 * How to build a bench, as plain data a worker process or a lab agent can be given: the embedded bench
 * (terminal profile, defects) or a bench of a lab file.
 */
import { createBenchFromLab, createEmbeddedBench, type Bench } from '../bench/index.js';

export type BenchSpec =
  | { kind: 'embedded'; terminal?: string; defects?: string[]; name?: string; realTime?: boolean }
  | { kind: 'lab'; file: string; bench?: string };

/** Creates (does not activate) the bench of a spec. */
export function createBenchOf(spec: BenchSpec): Bench {
  if (spec.kind === 'lab') return createBenchFromLab(spec.file, spec.bench);
  return createEmbeddedBench({
    ...(spec.terminal ? { terminal: spec.terminal } : {}),
    ...(spec.defects ? { defects: spec.defects } : {}),
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.realTime ? { realTime: true } : {}),
  });
}
