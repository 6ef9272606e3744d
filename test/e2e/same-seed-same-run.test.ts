/**
 * Issue #17: two `payhil run --seed N` of the same scenarios on the embedded bench (simulated time) give
 * byte-identical timeline attachments, identical host journals (the masked ISO 8583 frames), APDU traces
 * and receipts, and identical verdicts. The scenarios cover a chip purchase with field 55, a line with
 * toxics, a reversal and `clock` steps (day change). With another seed, or with `--real-time`, the
 * attachments differ: the comparison can fail.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { memoryIo } from '../../harness/cli/command.js';
import { main } from '../../harness/cli/main.js';
import { packagePath } from '../../harness/common/project-root.js';

const FILES = [
  'scenarios/purchase/chip-pin-approved.yaml',
  'scenarios/network/slow-and-flaky-line.yaml',
  'scenarios/network/no-answer-reversal.yaml',
  'scenarios/account/day-change.yaml',
  'scenarios/sign-in/sign-in-again-next-day.yaml',
];

/**
 * Attachments compared byte for byte. Not the capture (pcap): its packet times follow the calendar too,
 * but its TCP ports are the ephemeral ports the system gave the bench's sockets.
 */
const COMPARED = ['timeline', 'ISO 8583 frames (masked)', 'APDU trace', 'receipt'];

/** Per scenario id: its status and the text of each compared attachment. */
interface RunOutput {
  status: Record<string, string>;
  attachments: Record<string, Record<string, string>>;
}

async function run(flags: readonly string[]): Promise<RunOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'payhil-same-seed-'));
  try {
    const io = memoryIo(packagePath());
    const results = join(dir, 'results');
    await main(
      ['run', ...FILES.map((f) => packagePath(f)), ...flags, '--results-dir', results, '--no-history'],
      io,
    );
    const out: RunOutput = { status: {}, attachments: {} };
    for (const f of readdirSync(results).filter((n) => n.endsWith('-result.json'))) {
      const r = JSON.parse(readFileSync(join(results, f), 'utf8')) as {
        fullName: string;
        status: string;
        attachments: { name: string; source: string }[];
      };
      out.status[r.fullName] = r.status;
      const texts: Record<string, string> = {};
      for (const a of r.attachments)
        if (COMPARED.includes(a.name)) texts[a.name] = readFileSync(join(results, a.source), 'utf8');
      out.attachments[r.fullName] = texts;
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Scenario ids whose attachment `name` differs between two runs. */
function differing(a: RunOutput, b: RunOutput, name: string): string[] {
  return Object.keys(a.attachments).filter((id) => a.attachments[id]?.[name] !== b.attachments[id]?.[name]);
}

/** The first line where two texts differ, for a readable failure. */
function firstDiff(a = '', b = ''): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  const i = la.findIndex((l, k) => l !== lb[k]);
  return `line ${i + 1}:\n  ${la[i] ?? '(none)'}\n  ${lb[i] ?? '(none)'}`;
}

describe('e2e: same seed, same run (issue #17)', function () {
  this.timeout(600000);

  it('two runs with one seed give identical timelines, host journals and verdicts; another seed or real time does not', async () => {
    const a = await run(['--seed', '4242']);
    const b = await run(['--seed', '4242']);
    const ids = Object.keys(a.status);
    assert.ok(ids.length >= 8, `${ids.length} scenarios`);
    assert.deepEqual(b.status, a.status);
    // What is compared is there: field 55 on the wire, a toxic, a reversal, a clock step.
    const all = (name: string): string => ids.map((id) => a.attachments[id]?.[name] ?? '').join('\n');
    assert.match(all('timeline'), / 55=/);
    assert.match(all('timeline'), /^ *\+[\d.]+s NETWORK /m);
    assert.match(all('timeline'), /REVERSAL /);
    assert.match(all('timeline'), /clock: .*terminal and host at/);
    assert.match(all('timeline'), / 12=\d{6}/);
    for (const name of COMPARED)
      for (const id of ids)
        assert.equal(
          b.attachments[id]?.[name],
          a.attachments[id]?.[name],
          `${id}: ${name} differs at ${firstDiff(a.attachments[id]?.[name], b.attachments[id]?.[name])}`,
        );

    const other = await run(['--seed', '4243']);
    assert.ok(differing(a, other, 'timeline').length > 0, 'another seed: other timelines');
    const real = await run(['--seed', '4242', '--real-time']);
    assert.ok(differing(a, real, 'timeline').length > 0, 'real time: other timelines');
  });
});
