import { PayhilError, type Verdict } from './payhil-error.js';

/** A place in a source file; `line` and `col` are 1-based, `col` counts characters (UTF-16 units). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a file, located for a person and an editor alike. */
export interface Diagnostic extends SourcePos {
  severity: 'error' | 'warning';
  message: string;
  /** A follow-up line, e.g. "did you mean 'title'?". */
  hint?: string;
  /** The text of the source line, when the producer had it (used when no source text is given to format). */
  sourceLine?: string;
  /** How many characters the caret spans (default 1). */
  length?: number;
}

/** The 1-based line `line` of `text`, without its line break ('' when out of range). */
export function sourceLineOf(text: string, line: number): string {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

/**
 * `path:line:col: error: message`, then the source line and a caret under the spot, then the hint:
 *
 * ```
 * scenarios/purchase/chip.yaml:4:1: error: unknown key 'titel'
 *   titel: Chip purchase
 *   ^^^^^
 *   did you mean 'title'?
 * ```
 */
export function formatDiagnostic(d: Diagnostic, sourceText?: string): string {
  let out = `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
  const line = sourceText !== undefined ? sourceLineOf(sourceText, d.line) : d.sourceLine;
  if (line !== undefined && line.trim() !== '') {
    const shown = line.replace(/\t/g, ' ');
    const col = Math.max(1, Math.min(d.col, shown.length + 1));
    const width = Math.max(1, Math.min(d.length ?? 1, shown.length - col + 1));
    out += `\n  ${shown}\n  ${' '.repeat(col - 1)}${'^'.repeat(width)}`;
  }
  if (d.hint) out += `\n  ${d.hint}`;
  return out;
}

/** Orders diagnostics by file, line, column (stable otherwise). */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) =>
    a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1,
  );
}

/** True when at least one diagnostic is an error (warnings alone do not fail). */
export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error');
}

/** Damerau–Levenshtein (optimal string alignment) distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (prev2[j - 2] as number) + 1);
      }
      cur.push(v);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n] as number;
}

/**
 * The closest candidate to a misspelt word, or undefined when nothing is close enough. Case differences
 * count as nothing; otherwise up to a third of the word's length may differ (at least 1, at most 3).
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * One or more located problems in a file the user wrote (scenario, fixture, lab file). The message is the
 * formatted diagnostics, ready to print; `diagnostics` holds them structured.
 */
export class LocatedError extends PayhilError {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[], options: { verdict?: Verdict; sourceText?: string } = {}) {
    super(
      'E_LOCATED',
      sortDiagnostics(diagnostics)
        .map((d) => formatDiagnostic(d, options.sourceText))
        .join('\n'),
      { verdict: options.verdict ?? 'usage' },
    );
    this.diagnostics = diagnostics;
  }
}
