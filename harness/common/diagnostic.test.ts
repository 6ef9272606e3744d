import { strict as assert } from 'node:assert';
import {
  LocatedError,
  didYouMean,
  editDistance,
  formatDiagnostic,
  hasErrors,
  sortDiagnostics,
  sourceLineOf,
  type Diagnostic,
} from './diagnostic.js';

describe('common/diagnostic', () => {
  const d: Diagnostic = {
    file: 'a.yaml',
    line: 2,
    col: 3,
    severity: 'error',
    message: "unknown key 'titel'",
  };

  it('formats path:line:col, the source line and a caret under the column', () => {
    const text = 'id: x\n  titel: y\n';
    assert.equal(
      formatDiagnostic({ ...d, length: 5, hint: "did you mean 'title'?" }, text),
      "a.yaml:2:3: error: unknown key 'titel'\n    titel: y\n    ^^^^^\n  did you mean 'title'?",
    );
  });

  it('uses the sourceLine carried by the diagnostic when no text is given, and omits it when unknown', () => {
    assert.equal(
      formatDiagnostic({ ...d, sourceLine: 'abcdef' }),
      "a.yaml:2:3: error: unknown key 'titel'\n  abcdef\n    ^",
    );
    assert.equal(formatDiagnostic(d), "a.yaml:2:3: error: unknown key 'titel'");
    assert.equal(
      formatDiagnostic({ ...d, severity: 'warning' }).split('\n')[0],
      "a.yaml:2:3: warning: unknown key 'titel'",
    );
  });

  it('keeps the caret on the line when the column is past its end', () => {
    const out = formatDiagnostic({ ...d, col: 40, length: 9 }, 'x\nshort\n');
    assert.equal(out.split('\n')[2], '       ^');
  });

  it('returns source lines by number, CRLF-safe', () => {
    assert.equal(sourceLineOf('a\r\nb\r\nc', 2), 'b');
    assert.equal(sourceLineOf('a\nb', 9), '');
  });

  it('computes edit distances with transpositions', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('purchase', 'purhcase'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('suggests the nearest candidate, or nothing when too far', () => {
    assert.equal(didYouMean('titel', ['title', 'tags', 'timeout']), 'title');
    assert.equal(didYouMean('SIGNIN', ['signIn', 'settle']), 'signIn');
    assert.equal(didYouMean('purchse', ['purchase', 'preAuth']), 'purchase');
    assert.equal(didYouMean('zzz', ['title', 'tags']), undefined);
  });

  it('sorts by file, line, column and tells errors from warnings', () => {
    const list = [
      { ...d, line: 5 },
      { ...d, file: '0.yaml' },
      { ...d, line: 2, col: 1, severity: 'warning' as const },
    ];
    assert.deepEqual(
      sortDiagnostics(list).map((x) => `${x.file}:${x.line}:${x.col}`),
      ['0.yaml:2:3', 'a.yaml:2:1', 'a.yaml:5:3'],
    );
    assert.equal(hasErrors([{ ...d, severity: 'warning' }]), false);
    assert.equal(hasErrors(list), true);
  });

  it('LocatedError carries the diagnostics and a formatted message', () => {
    const e = new LocatedError([d], { sourceText: 'a\n  titel: y\n' });
    assert.equal(e.code, 'E_LOCATED');
    assert.equal(e.verdict, 'usage');
    assert.equal(e.diagnostics.length, 1);
    assert.match(e.message, /^a\.yaml:2:3: error: unknown key 'titel'\n {4}titel: y\n {4}\^$/);
  });
});
