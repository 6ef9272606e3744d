import { dirname, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../common/diagnostic.js';

/** The first line every payhil YAML file starts with, so editors find its schema. */
const SCHEMA_LINE = '# yaml-language-server: $schema=';

/**
 * A warning when a file's first line does not name its schema, or names another file than `schema`.
 * `file` is the absolute path, `shown` the path printed in the diagnostic.
 */
export function checkSchemaLine(
  text: string,
  file: string,
  shown: string,
  schema: string,
): Diagnostic | undefined {
  const want = () => relative(dirname(file), schema).split(sep).join('/');
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  if (!first.startsWith(SCHEMA_LINE)) {
    return {
      file: shown,
      line: 1,
      col: 1,
      severity: 'warning',
      message: 'the first line should name the schema, so editors check the file as you type',
      hint: `${SCHEMA_LINE}${want()}`,
    };
  }
  const given = first.slice(SCHEMA_LINE.length).trim();
  if (/^[a-z]+:\/\//i.test(given) || resolve(dirname(file), given) === resolve(schema)) return undefined;
  return {
    file: shown,
    line: 1,
    col: SCHEMA_LINE.length + 1,
    length: Math.max(1, given.length),
    severity: 'warning',
    message: `the $schema path '${given}' does not lead to ${schema.split(sep).slice(-2).join('/')}`,
    hint: `${SCHEMA_LINE}${want()}`,
    sourceLine: first,
  };
}
