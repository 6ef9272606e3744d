import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isPayhilError } from '../common/payhil-error.js';
import {
  collectEvidence,
  generateReport,
  zipArchive,
  type EvidenceOptions,
  type RunRecord,
} from '../report/index.js';
import { EXIT_OK, type CliIo, type Command } from './command.js';
import { parseCommandArgs } from './command-args.js';
import { historyStoreOf } from './run-history.js';
import { UsageError } from './usage-error.js';

const HELP = `usage: payhil evidence [RUN] [-o FILE.zip] [options]

Builds the evidence bundle of a recorded run (default: the latest run of the history): its JUnit XML, the
Allure report, per scenario the masked pcap, timeline, receipt and traces, the scenario files exactly as run,
the bench and terminal identification, the seed, a coverage matrix of the scenarios' refs, and a manifest with
a SHA-256 per file (unzip, then 'sha256sum -c SHA256SUMS' in the bundle's folder).

  -o, --output FILE   the ZIP file (default reports/evidence-RUN.zip)
  --history-dir DIR   the run history (default reports/history)
  --no-html           leave the generated Allure report out (it needs Java)

Exit status: 0 written, 2 usage error (no such run, its results replaced by a later run, a scenario file
changed since the run).`;

export const evidenceCommand: Command = {
  name: 'evidence',
  summary: 'evidence bundle of a run (ZIP with reports, pcaps, scenario files, SHA-256 manifest)',
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('evidence', {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        'history-dir': { type: 'string' },
        'no-html': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (positionals.length > 1) throw new UsageError('evidence: one RUN at most');
    const store = historyStoreOf(io.cwd, values['history-dir']);
    let record: RunRecord | undefined;
    if (positionals[0] !== undefined) {
      record = await store.get(positionals[0]);
      if (!record) throw new UsageError(`evidence: no run '${positionals[0]}' in ${store.where}`);
    } else {
      record = (await store.list()).at(-1);
      if (!record) throw new UsageError(`evidence: no run in ${store.where}; run 'payhil run' first`);
    }
    const out = resolve(io.cwd, values.output ?? join('reports', `evidence-${record.id}.zip`));

    const options: EvidenceOptions = {};
    let tmp: string | undefined;
    try {
      if (values['no-html']) options.noReport = '--no-html';
      else if (record.outputs.results) {
        tmp = mkdtempSync(join(tmpdir(), 'payhil-evidence-'));
        try {
          await generateReport({ resultsDir: record.outputs.results, reportDir: join(tmp, 'allure-report') });
          options.reportDir = join(tmp, 'allure-report');
        } catch (e) {
          if (!isPayhilError(e)) throw e;
          options.noReport = e.message;
          io.err(`evidence: no Allure report in the bundle: ${e.message}`);
        }
      }
      const bundle = collectEvidence(record, options);
      const zip = zipArchive(
        bundle.files.map((f) => ({ name: `${bundle.root}/${f.name}`, data: f.data })),
        new Date(record.time),
      );
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, zip);
      io.out(
        `evidence: ${out} (run ${record.id}, ${bundle.files.length} files, ${bundle.coverage.length} refs; verify: unzip, cd ${bundle.root}, sha256sum -c SHA256SUMS)`,
      );
      for (const n of bundle.notes) io.out(`  note: ${n}`);
      return EXIT_OK;
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  },
};
