/**
 * An Allure results folder from one run to the next. A run starts with none of the last run's results in
 * sight, but the last run's files are not deleted: ResultsWriter writes into them (overwrite, then rename
 * to the new name) instead of creating new files. Creating a file soon after deleting many is what costs
 * on ext4 without a journal (as on the CI machine's disk): a new inode skips every inode freed in the
 * last one to six minutes (`recently_deleted`), a scan that grows with each file deleted — perf showed it
 * at a tenth of a catalogue run's CPU when a run deleted the last run's 430 files and wrote as many.
 *
 * Out of sight at the start: the results, containers, environment, categories and run marker are renamed
 * into `.payhil-spare/` under a neutral name (Allure reads the folder's top-level files). The last run's
 * attachments stay where they are: Allure and payhil read an attachment only through a result that names
 * it, and no result names them any more. A spare gets its new content before it is renamed, so a run
 * stopped half way shows only its own results. The writer deletes the spares it did not use when it
 * closes ({@link SparePool.drop}).
 */
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { RUN_MARKER } from './bench-history.js';

/** The folder of spare files inside a results folder. */
export const SPARE_DIR = '.payhil-spare';

/** A previous run's attachment (left in place as a spare). */
const ATTACHMENT = /-attachment\./;

/** What else a previous run wrote into a results folder (besides the `history` folder and the run marker). */
const PREVIOUS_RUN =
  /-(result|container)\.json$|^environment\.properties$|^categories\.json$|^executor\.json$/;

/** The list of the spares of a run, in the spare folder: taken (read and deleted) by the run's writer. */
const SPARE_LIST = 'spares.list';
/** A name on the list: `NAME` or `.payhil-spare/NAME`, NAME one plain file name. */
const LISTED = /^(\.payhil-spare\/)?(?!\.\.?$)[\w.-]+$/;

/**
 * Empties a results folder of what a previous run wrote: its results become spares, the `history` folder
 * a previous report copied in is removed; its attachments stay, named by nothing. The spares are listed
 * for the run's writer (with those a stopped run left in the spare folder).
 */
export function setAsideResults(dir: string): void {
  if (!existsSync(dir)) return;
  const spareDir = join(dir, SPARE_DIR);
  mkdirSync(spareDir, { recursive: true });
  const spares = readdirSync(spareDir)
    .filter((f) => f !== SPARE_LIST)
    .map((f) => join(SPARE_DIR, f));
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const f = e.name;
    if (e.isFile() && ATTACHMENT.test(f)) spares.push(f);
    else if (PREVIOUS_RUN.test(f) || f === 'history' || f === RUN_MARKER) {
      if (!e.isFile()) {
        rmSync(join(dir, f), { recursive: true, force: true });
        continue;
      }
      // A neutral name: no `-result.json` for a tool that would look inside.
      renameSync(join(dir, f), join(spareDir, `${f}.spare`));
      spares.push(join(SPARE_DIR, `${f}.spare`));
    }
  }
  writeFileSync(join(spareDir, SPARE_LIST), spares.join('\n'));
}

/** A spare file and its size in bytes. */
export interface Spare {
  path: string;
  size: number;
}

/** The spares of a results folder, handed out by size. */
export class SparePool {
  /** Smallest first. */
  private readonly spares: Spare[] = [];

  /**
   * The spares setAsideResults listed for this run, taken: a second pool on the folder gets none, so a
   * writer never writes over another's files. Or the spares `given` (handed over by another pool).
   */
  constructor(
    private readonly dir: string,
    given?: readonly Spare[],
  ) {
    if (given) {
      this.spares.push(...given);
      return;
    }
    const list = join(dir, SPARE_DIR, SPARE_LIST);
    let names: string[];
    try {
      names = readFileSync(list, 'utf8').split('\n');
      rmSync(list);
    } catch {
      return;
    }
    for (const name of names) {
      // Only a file of the folder or of its spare folder, whatever the list says.
      if (!LISTED.test(name)) continue;
      const path = join(dir, name);
      try {
        const st = statSync(path);
        if (st.isFile()) this.spares.push({ path, size: st.size });
      } catch {
        // Gone since.
      }
    }
    this.spares.sort((a, b) => a.size - b.size);
  }

  /**
   * A spare for a body of about `bytes`: the largest one not larger (written over and grown, nothing to
   * cut), else the smallest (cut after writing: freeing blocks is the dearest step of a reuse).
   */
  take(bytes: number): Spare | undefined {
    if (this.spares.length === 0) return undefined;
    let lo = 0;
    let hi = this.spares.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.spares[mid] as Spare).size <= bytes) lo = mid + 1;
      else hi = mid;
    }
    return this.spares.splice(lo > 0 ? lo - 1 : 0, 1)[0];
  }

  /** Gives up the spares not taken yet (smallest first), for another pool. */
  handOver(): Spare[] {
    return this.spares.splice(0);
  }

  /** Deletes the spares not taken (and the spare folder once it is empty). */
  drop(): void {
    for (const s of this.spares.splice(0)) rmSync(s.path, { force: true });
    const spare = join(this.dir, SPARE_DIR);
    if (existsSync(spare) && readdirSync(spare).length === 0) rmdirSync(spare);
  }
}

/**
 * Writes `body` to `file` through a spare when there is one, else as a new file. The spare is
 * overwritten in place (not truncated to zero first: ext4 then writes it back at close, its
 * `auto_da_alloc` rule for replaced files), cut to length if it was longer, and renamed into place. A
 * spare that is gone (deleted meanwhile) is no loss: the file is created.
 */
export function writeReusing(file: string, body: string | Uint8Array, spare: Spare | undefined): void {
  if (spare !== undefined) {
    let fd: number | undefined;
    try {
      fd = openSync(spare.path, 'r+');
      // Text is encoded by the write itself: no copy of it on the heap.
      const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
      let at = typeof body === 'string' ? writeSync(fd, body, 0, 'utf8') : 0;
      if (at < size) {
        const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
        while (at < size) at += writeSync(fd, bytes, at, size - at, at);
      }
      if (spare.size > size) ftruncateSync(fd, size);
      closeSync(fd);
      fd = undefined;
      renameSync(spare.path, file);
      return;
    } catch {
      if (fd !== undefined) closeSync(fd);
      rmSync(spare.path, { force: true });
    }
  }
  writeFileSync(file, body);
}
