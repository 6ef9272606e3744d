import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import {
  RUN_MARKER,
  benchHistoryDir,
  carryBenchHistory,
  keepBenchHistory,
  readRunMarker,
} from './bench-history.js';

describe('report/bench-history', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'payhil-bench-history-'));
    dirs.push(d);
    return d;
  };

  it('keeps one Allure history per bench: a web report does not carry the embedded trend', () => {
    const root = tmp();
    const results = join(root, 'results');
    const report = join(root, 'report');
    mkdirSync(join(report, 'history'), { recursive: true });
    writeFileSync(join(report, 'history', 'history-trend.json'), '[{"data":{"total":61}}]');
    keepBenchHistory(report, benchHistoryDir(join(root, 'history'), 'embedded'));
    // The next run is on the web bench: its results get the web history (none yet), not the embedded one.
    mkdirSync(join(results, 'history'), { recursive: true });
    writeFileSync(join(results, 'history', 'stale.json'), '{}');
    carryBenchHistory(results, benchHistoryDir(join(root, 'history'), 'web'));
    assert.equal(existsSync(join(results, 'history')), false);
    carryBenchHistory(results, benchHistoryDir(join(root, 'history'), 'embedded'));
    assert.equal(
      readFileSync(join(results, 'history', 'history-trend.json'), 'utf8'),
      '[{"data":{"total":61}}]',
    );
  });

  it('a bench name cannot lead out of the history folder', () => {
    assert.equal(benchHistoryDir('/h', '../../etc'), join('/h', 'allure', '__.._etc'));
    assert.equal(benchHistoryDir('/h', 'web atm/2'), join('/h', 'allure', 'web_atm_2'));
  });

  it('reads the run marker, and nothing from a file that is not one', () => {
    const d = tmp();
    assert.equal(readRunMarker(d), undefined);
    writeFileSync(join(d, RUN_MARKER), '{"run":1}');
    assert.equal(readRunMarker(d), undefined);
    writeFileSync(join(d, RUN_MARKER), 'not json');
    assert.equal(readRunMarker(d), undefined);
    writeFileSync(join(d, RUN_MARKER), '{"run":"r","bench":"b","history":"h"}');
    assert.deepEqual(readRunMarker(d), { run: 'r', bench: 'b', history: 'h' });
  });
});
