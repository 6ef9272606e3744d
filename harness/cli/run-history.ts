/**
 * `payhil run`'s history hook: the recorder that appends the run's record to the history folder
 * (reports/history/ by default), and the line that names the run at the end.
 */
import { resolve } from 'node:path';
import { FolderHistoryStore, type HistoryStore } from '../report/history-store.js';
import { HistoryRecorder } from '../report/history-recorder.js';

/** The history folder: `--history-dir` resolved against cwd, else reports/history. */
export function historyStoreOf(cwd: string, dir?: string): FolderHistoryStore {
  return new FolderHistoryStore(resolve(cwd, dir ?? 'reports/history'));
}

export interface RunHistoryOptions {
  cwd: string;
  root: string;
  resultsDir: string;
  historyDir?: string;
  labFile?: string;
  junit?: string;
  defects?: readonly string[];
}

/** A run's recorder and the store it appends to. */
export interface RunHistory {
  recorder: HistoryRecorder;
  store: HistoryStore;
}

/** The recorder for a run and the store it appends to. */
export function historyRecorder(o: RunHistoryOptions): RunHistory {
  const store = historyStoreOf(o.cwd, o.historyDir);
  const recorder = new HistoryRecorder({
    store,
    root: o.root,
    resultsDir: o.resultsDir,
    ...(o.labFile !== undefined ? { labFile: o.labFile } : {}),
    ...(o.junit !== undefined ? { junit: o.junit } : {}),
    ...(o.defects !== undefined ? { defects: o.defects } : {}),
  });
  return { recorder, store };
}

/** `run: ID (history DIR)`, or why the run was not recorded. */
export function historyLine(h: RunHistory): string {
  if (h.recorder.record) return `run: ${h.recorder.record.id} (history: ${h.store.where})`;
  return `run: not recorded in the history (${h.recorder.error?.message ?? 'no record'})`;
}
