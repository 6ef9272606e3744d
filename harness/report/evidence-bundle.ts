/**
 * The evidence bundle of a recorded run, for a certification lab or an auditor: the run's JUnit, the
 * Allure report, per scenario the masked pcap, timeline, receipt and traces (from the Allure results),
 * the scenario files exactly as run (checked against the SHA-256 the run recorded), the bench and
 * terminal identification, the seed, a coverage matrix of the scenarios' test-plan refs, and a manifest
 * with a SHA-256 per file (`SHA256SUMS`, checked with `sha256sum -c SHA256SUMS`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { readRunMarker } from './bench-history.js';
import { ReportError } from './errors.js';
import { xmlEscape } from './junit-writer.js';
import { isFailing, type RunRecord } from './run-record.js';
import type { ZipEntry } from './zip-writer.js';

/** Evidence files larger than this are refused (a scenario's attachments are kilobytes). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

export const EVIDENCE_FORMAT = 1;

export interface EvidenceOptions {
  /** A generated Allure report folder to include (its files under `allure-report/`). */
  reportDir?: string;
  /** Why there is no report, when there is none (written to the manifest). */
  noReport?: string;
}

export interface CoverageRow {
  ref: string;
  scenarios: { id: string; verdict: string }[];
  /** passed when every scenario passed, failed when any failed or broke, else skipped. */
  verdict: 'passed' | 'failed' | 'skipped';
}

export interface EvidenceBundle {
  /** Top folder of the archive: `evidence-RUNID`. */
  root: string;
  /** Files, paths relative to `root`; the last two are manifest.json and SHA256SUMS. */
  files: ZipEntry[];
  coverage: CoverageRow[];
  notes: string[];
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function readBounded(file: string): Buffer {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES)
    throw new ReportError('E_EVIDENCE_FILE', `${file}: ${size} bytes, too large for an evidence file`);
  return readFileSync(file);
}

/** A path segment safe in an archive (scenario ids carry `/`, `[k=v,…]`). */
function safe(part: string): string {
  const s = part.replace(/[^A-Za-z0-9._=,-]+/g, '-').replace(/^[.-]+/, '');
  return s === '' ? '_' : s.slice(0, 120);
}

/** A scenario id as a folder path: each `/`-part made safe. */
function idPath(id: string): string {
  return id.split('/').map(safe).join('/');
}

/** The coverage matrix: each ref → its scenarios and their verdicts, refs sorted. */
export function coverageMatrix(record: RunRecord): CoverageRow[] {
  const byRef = new Map<string, { id: string; verdict: string }[]>();
  for (const s of record.scenarios)
    for (const ref of s.refs ?? [])
      byRef.set(ref, [...(byRef.get(ref) ?? []), { id: s.id, verdict: s.verdict }]);
  return [...byRef.keys()].sort().map((ref) => {
    const scenarios = byRef.get(ref) as { id: string; verdict: string }[];
    const verdict = scenarios.some((s) => isFailing(s.verdict as never))
      ? 'failed'
      : scenarios.every((s) => s.verdict === 'passed')
        ? 'passed'
        : 'skipped';
    return { ref, scenarios, verdict };
  });
}

function coverageMarkdown(rows: readonly CoverageRow[]): string {
  const out = [
    '# Coverage: test-plan refs → scenarios',
    '',
    '| ref | verdict | scenarios |',
    '| --- | --- | --- |',
  ];
  for (const r of rows)
    out.push(
      `| ${r.ref} | ${r.verdict} | ${r.scenarios.map((s) => `${s.id} (${s.verdict})`).join('<br>')} |`,
    );
  if (rows.length === 0) out.push('', 'No scenario of this run names a test-plan ref (`refs:`).');
  return out.join('\n') + '\n';
}

/** Attachment name → file name in the bundle. */
function attachmentFile(name: string, source: string): string {
  const known: Record<string, string> = {
    timeline: 'timeline.txt',
    receipt: 'receipt.txt',
    'host traffic (masked).pcap': 'host-traffic-masked.pcap',
    'ISO 8583 frames (masked)': 'iso8583-frames-masked.html',
    'APDU trace': 'apdu-trace.txt',
    'ECR frames': 'ecr-frames.txt',
  };
  const ext = /\.([A-Za-z0-9]+)$/.exec(source)?.[1] ?? 'bin';
  return known[name] ?? `${safe(name.replace(/\.[A-Za-z0-9]+$/, ''))}.${ext}`;
}

interface AllureResult {
  fullName?: string;
  status?: string;
  statusDetails?: { message?: string };
  start?: number;
  stop?: number;
  attachments?: { name: string; source: string }[];
  steps?: AllureStep[];
}

interface AllureStep {
  attachments?: { name: string; source: string }[];
  steps?: AllureStep[];
}

/** A result's attachments and its steps' (screenshots hang on the step that was running), in order. */
function allAttachments(r: { attachments?: AllureStep['attachments']; steps?: AllureStep[] }): {
  name: string;
  source: string;
}[] {
  return [...(r.attachments ?? []), ...(r.steps ?? []).flatMap(allAttachments)];
}

/** JUnit XML rebuilt from Allure results, for a run that did not write one. */
function junitFromResults(results: { r: AllureResult }[]): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="payhil" tests="${results.length}">`,
  ];
  out.push(`  <testsuite name="payhil" tests="${results.length}">`);
  for (const { r } of results) {
    const time = (Math.max(0, (r.stop ?? 0) - (r.start ?? 0)) / 1000 || 0).toFixed(3);
    const msg = xmlEscape(r.statusDetails?.message ?? r.status ?? '');
    out.push(`    <testcase name="${xmlEscape(r.fullName ?? '')}" time="${time}">`);
    if (r.status === 'failed') out.push(`      <failure message="${msg.split('\n')[0]}">${msg}</failure>`);
    else if (r.status === 'broken') out.push(`      <error message="${msg.split('\n')[0]}">${msg}</error>`);
    else if (r.status === 'skipped') out.push(`      <skipped/>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Collects the bundle of `record`. Refuses (ReportError) when the run's results folder now holds another
 * run, or a scenario file changed since the run: the bundle holds the run as it was, or nothing.
 */
export function collectEvidence(record: RunRecord, options: EvidenceOptions = {}): EvidenceBundle {
  const files: ZipEntry[] = [];
  const notes: string[] = [];
  const add = (name: string, data: Buffer | string): void => {
    files.push({ name, data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data });
  };

  // The Allure results of the run.
  const resultsDir = record.outputs.results;
  if (!resultsDir || !existsSync(resultsDir))
    throw new ReportError(
      'E_EVIDENCE_RESULTS',
      `the Allure results of run ${record.id} are not there (${resultsDir ?? 'no results folder recorded'})`,
    );
  const marker = readRunMarker(resultsDir);
  if (marker?.run !== record.id)
    throw new ReportError(
      'E_EVIDENCE_RESULTS',
      `${resultsDir} holds the results of ${marker ? `run ${marker.run}` : 'another run'}, not of run ${record.id}: a bundle can be built for the last run of a results folder (use --results-dir to keep runs apart)`,
    );
  const results: { r: AllureResult; file: string }[] = [];
  for (const f of readdirSync(resultsDir).sort()) {
    if (!f.endsWith('-result.json')) continue;
    let r: AllureResult;
    try {
      r = JSON.parse(readBounded(join(resultsDir, f)).toString('utf8')) as AllureResult;
    } catch (e) {
      if (e instanceof ReportError) throw e;
      throw new ReportError(
        'E_EVIDENCE_FILE',
        `${join(resultsDir, f)}: not an Allure result (${(e as Error).message})`,
      );
    }
    results.push({ r, file: f });
  }
  results.sort((a, b) => ((a.r.fullName ?? '') < (b.r.fullName ?? '') ? -1 : 1));
  const usedDirs = new Set<string>();
  for (const { r } of results) {
    let dir = `scenarios/${idPath(r.fullName ?? 'unnamed')}`;
    for (let i = 2; usedDirs.has(dir); i++) dir = `scenarios/${idPath(r.fullName ?? 'unnamed')}-${i}`;
    usedDirs.add(dir);
    add(`${dir}/result.json`, JSON.stringify(r, null, 1) + '\n');
    const names = new Set<string>();
    for (const a of allAttachments(r)) {
      if (!/^[A-Za-z0-9._-]+$/.test(a.source)) continue; // only files of the results folder itself
      const src = join(resultsDir, a.source);
      if (!existsSync(src)) {
        notes.push(`${r.fullName}: attachment '${a.name}' (${a.source}) is missing from the results`);
        continue;
      }
      let name = attachmentFile(a.name, a.source);
      for (let i = 2; names.has(name); i++) name = name.replace(/(\.[^.]+)?$/, `-${i}$1`);
      names.add(name);
      add(`${dir}/${name}`, readBounded(src));
    }
  }

  // JUnit: the run's file when it is still the one the run wrote, else rebuilt from the results.
  const junit = record.outputs.junit;
  const junitData = junit && existsSync(junit.path) ? readBounded(junit.path) : undefined;
  if (junitData && sha256(junitData) === junit?.sha256) add('junit.xml', junitData);
  else {
    add('junit.xml', junitFromResults(results));
    notes.push(
      junit
        ? `junit.xml: ${junit.path} changed or is gone since the run; rebuilt from the Allure results`
        : 'junit.xml: the run wrote none (--junit); rebuilt from the Allure results',
    );
  }

  // The scenario files and the lab file exactly as run.
  const root = record.pack.root;
  const asRun = (path: string, expected: string, into: string): void => {
    const abs = isAbsolute(path) ? path : resolve(root, path);
    if (!existsSync(abs))
      throw new ReportError(
        'E_EVIDENCE_CHANGED',
        `${abs}: gone since run ${record.id}; the bundle needs the files as run`,
      );
    const data = readBounded(abs);
    if (sha256(data) !== expected)
      throw new ReportError(
        'E_EVIDENCE_CHANGED',
        `${abs} changed since run ${record.id} (SHA-256 then ${expected.slice(0, 12)}…, now ${sha256(data).slice(0, 12)}…); the bundle needs the files as run: check out the pack at ${record.pack.git?.commit ?? 'the run'} and build it again`,
      );
    add(into, data);
  };
  for (const f of record.files) {
    const rel = isAbsolute(f.path) ? relative(root, f.path) : f.path;
    const inside = !isAbsolute(rel) && !rel.startsWith('..');
    asRun(
      f.path,
      f.sha256,
      `scenario-files/${inside ? rel.split('\\').join('/') : `outside/${safe(f.path)}`}`,
    );
  }
  if (record.bench.lab)
    asRun(
      record.bench.lab.path,
      record.bench.lab.sha256,
      `bench/${safe(record.bench.lab.path.split(/[\\/]/).pop() ?? 'lab.yaml')}`,
    );

  // The Allure report.
  if (options.reportDir && existsSync(options.reportDir))
    for (const f of filesUnder(options.reportDir))
      add(`allure-report/${relative(options.reportDir, f).split('\\').join('/')}`, readBounded(f));
  else notes.push(`allure-report: not included (${options.noReport ?? 'no report generated'})`);

  add(
    'bench.json',
    JSON.stringify(
      { name: record.bench.name, facts: record.bench.facts, lab: record.bench.lab ?? null },
      null,
      2,
    ) + '\n',
  );
  add('terminal.json', JSON.stringify(record.bench.terminal, null, 2) + '\n');
  add('run.json', JSON.stringify(record, null, 1) + '\n');
  const coverage = coverageMatrix(record);
  add('coverage.json', JSON.stringify(coverage, null, 2) + '\n');
  add('coverage.md', coverageMarkdown(coverage));

  const manifest = {
    format: EVIDENCE_FORMAT,
    run: record.id,
    time: record.time,
    payhil: record.payhil,
    pack: record.pack,
    bench: record.bench.name,
    terminal: record.bench.terminal,
    seed: record.seed,
    seedNote:
      record.seed === null
        ? 'null: this run recorded no seed (a run merged from --jobs or --queue workers, or an older payhil)'
        : `every draw of the bench (STAN and RRN starts, unpredictable numbers, working keys, toxics) came from this seed: payhil run FILE --seed ${record.seed} --only ID replays one scenario run`,
    counts: record.counts,
    coverage: coverage.map((c) => ({ ref: c.ref, verdict: c.verdict, scenarios: c.scenarios.length })),
    notes,
    files: files.map((f) => ({ path: f.name, bytes: f.data.length, sha256: sha256(f.data) })),
    verify: 'sha256sum -c SHA256SUMS (in this folder)',
  };
  add('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  add('SHA256SUMS', files.map((f) => `${sha256(f.data)}  ${f.name}\n`).join(''));
  return { root: `evidence-${record.id}`, files, coverage, notes };
}
