import { readablePath, schemaErrors } from '../common/schema-check.js';
import type { Dialect, DialectDefinition } from '../iso8583/dialect-types.js';
import {
  BUNDLED_DIALECTS,
  compileDialect,
  dialectSchemaPath,
  loadDialect,
} from '../iso8583/dialect-loader.js';
import { ProxyInputError } from './errors.js';

/**
 * The dialect a control-API request names, resolved without touching the file system on the caller's
 * word: a bundled name (`cup`, `iso87-ascii`, `iso87-binary`), a name the operator configured when
 * starting the API (`configured`, e.g. the `--dialect` file of `payhil proxy`), or an inline definition
 * (an object in the dialect schema's shape). Anything else — a path above all — is refused with the same
 * message whether or not such a file exists, and no file is read.
 * @param field the request field, for the error (`dialect`, `[2].dialect`).
 * @throws ProxyInputError (400) naming `field`.
 */
export function resolveWireDialect(
  value: unknown,
  field: string,
  configured: Readonly<Record<string, Dialect>> = {},
): Dialect {
  if (typeof value === 'string') {
    const own = Object.prototype.hasOwnProperty.call(configured, value) ? configured[value] : undefined;
    if (own) return own;
    if (BUNDLED_DIALECTS.includes(value)) return loadDialect(value);
    const names = [...BUNDLED_DIALECTS, ...Object.keys(configured)].join(', ');
    throw new ProxyInputError(
      `${field} must name a known dialect (${names}) or be an inline definition; file paths are not accepted over the API`,
      { field },
    );
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const errors = schemaErrors(dialectSchemaPath(), value);
    const first = errors[0];
    if (first) {
      const at = first.instancePath
        ? readablePath(first.instancePath.slice(1).split('/'), value)
        : '(definition)';
      throw new ProxyInputError(`${field}: inline dialect: ${at}: ${first.message ?? first.keyword}`, {
        field,
      });
    }
    try {
      return compileDialect(value as DialectDefinition, 'inline');
    } catch (e) {
      throw new ProxyInputError(`${field}: inline dialect: ${(e as Error).message}`, { field });
    }
  }
  throw new ProxyInputError(`${field} must be a dialect name or an inline definition`, { field });
}
