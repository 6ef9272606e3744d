/**
 * `--seed`: one seed per run, a stream per scenario. Two runs of the same scenarios with the same seed —
 * the second in the reverse order — give the same host journals (STANs, RRNs, authorisation codes,
 * response codes, the terminal's unpredictable number 9F37, connection numbers) and the same verdicts; another seed gives
 * other STANs. The failing run's replay command names the seed and the run id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { createEmbeddedBench } from '../../harness/bench/index.js';
import { packagePath } from '../../harness/common/project-root.js';
import { runScenarios, type RunReporter, type ScenarioRun } from '../../harness/runner/index.js';
import { loadScenarios, type Scenario } from '../../harness/scenario/index.js';

const FILES = [
  'scenarios/account/issuer-declines.yaml',
  'scenarios/purchase/chip-pin-approved.yaml',
  'scenarios/contactless/quickpass-no-cvm.yaml',
];

/** Per scenario id: its verdict and its host exchanges as the proxy saw them (the values drawn). */
interface Journal {
  verdicts: Record<string, string>;
  host: Record<string, string[]>;
}

function journalLine(fields: Record<string, string>, mti: string, direction: string, conn: unknown): string {
  const un = /9F3704([0-9A-F]{8})/.exec(fields['55'] ?? '')?.[1];
  const keep = ['11', '37', '38', '39'].map((f) => `${f}=${fields[f] ?? ''}`).join(' ');
  return `${direction === 'request' ? '→' : '←'} ${mti} conn ${String(conn)} ${keep}${un ? ` 9F37=${un}` : ''}`;
}

async function runWith(scenarios: readonly Scenario[], seed: number): Promise<Journal> {
  const journal: Journal = { verdicts: {}, host: {} };
  const reporter: RunReporter = {
    scenarioEnd(run: ScenarioRun) {
      journal.verdicts[run.scenario.id] = run.status;
      journal.host[run.scenario.id] = run.timeline
        .entries('host')
        .map((e) =>
          journalLine(
            (e.data.fields as Record<string, string>) ?? {},
            String(e.data.mti),
            String(e.data.direction),
            e.data.conn,
          ),
        );
    },
  };
  const summary = await runScenarios(scenarios, {
    bench: createEmbeddedBench(),
    reporters: [reporter],
    seed,
    retain: 'verdicts',
  });
  assert.equal(summary.seed, seed);
  // The summary kept verdicts only.
  assert.ok(summary.runs.every((r) => r.timeline.entries().length === 0 && r.steps.length === 0));
  return journal;
}

describe('e2e: payhil run --seed', function () {
  this.timeout(240000);
  const scenarios = loadScenarios(FILES.map((f) => packagePath(f)));

  it('same seed: same host journals and verdicts, whatever ran before; another seed: other STANs', async () => {
    assert.ok(scenarios.length >= 6);
    const a = await runWith(scenarios, 1234);
    const b = await runWith([...scenarios].reverse(), 1234);
    const c = await runWith(scenarios, 99);
    const stans = (j: Journal): string[] =>
      Object.values(j.host)
        .flat()
        .map((l) => /11=(\d*)/.exec(l)?.[1] ?? '');
    // Something was drawn: STANs, RRNs and a 9F37 in every scenario that went to the host.
    assert.ok(stans(a).filter((s) => s !== '').length >= 10);
    assert.ok(
      Object.values(a.host)
        .flat()
        .some((l) => / 9F37=/.test(l)),
    );
    assert.deepEqual(b.verdicts, a.verdicts);
    for (const id of Object.keys(a.host)) assert.deepEqual(b.host[id], a.host[id], id);
    assert.deepEqual(c.verdicts, a.verdicts);
    assert.notDeepEqual(stans(c), stans(a));
    // Within a run, two scenarios do not start from the same STAN.
    const firsts = Object.values(a.host).map((ls) => /11=(\d+)/.exec(ls[0] ?? '')?.[1]);
    assert.equal(new Set(firsts).size, firsts.length);
  });

  it('a failing run carries the command that replays it', async () => {
    const one = scenarios.filter((s) => s.id === 'account/insufficient-funds');
    let replay: string | undefined;
    const summary = await runScenarios(one, {
      bench: createEmbeddedBench({ defects: ['pin-block-format-1'] }),
      reporters: [{ scenarioEnd: (r) => void (replay = r.replay) }],
      seed: 7,
      replayArgs: ['--defect', 'pin-block-format-1'],
      defaultWithinMs: 1000,
    });
    assert.equal(summary.counts.failed, 1);
    assert.equal(
      replay,
      'payhil run scenarios/account/issuer-declines.yaml --seed 7 --only account/insufficient-funds --defect pin-block-format-1',
    );
  });
});
