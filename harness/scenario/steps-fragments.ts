/**
 * Steps files (`*.steps.yaml`) as includes see them: resolved against the including file, kept inside the
 * project root, parsed once per load, schema-checked and reference-checked against their params.
 */
import { dirname, resolve } from 'node:path';
import { didYouMean } from '../common/diagnostic.js';
import { validateWithSchema } from '../common/schema-check.js';
import type { YamlDocument, YamlPath } from '../common/yaml-file.js';
import { findVarRefs, walkStrings } from './interpolate.js';
import { hasRef, isInside, type Fragment } from './load-context.js';
import { ReferenceChecks } from './reference-checks.js';
import { isStepsFile, stepsSchemaPath } from './scenario-schema.js';
import type { StepsFile } from './scenario-types.js';

/** Finds, parses and checks the steps files that includes name. */
export abstract class StepsFragments extends ReferenceChecks {
  private readonly fragments = new Map<string, Fragment>();
  private readonly resolved = new Map<string, Fragment | undefined>();

  protected resolveInclude(from: string, target: unknown): string | undefined {
    return typeof target === 'string' ? resolve(dirname(from), target) : undefined;
  }

  protected override fragmentFor(from: string, target: unknown): Fragment | undefined {
    const key = `${from}\0${String(target)}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const frag = this.findFragment(from, target);
    this.resolved.set(key, frag);
    return frag;
  }

  private findFragment(from: string, target: unknown): Fragment | undefined {
    const abs = this.resolveInclude(from, target);
    if (
      !abs ||
      !isStepsFile(abs) ||
      !isInside(this.root, abs) ||
      !this.exists(abs) ||
      this.linkedOutside(abs) !== undefined
    ) {
      return undefined;
    }
    return this.fragment(abs);
  }

  protected fragment(file: string): Fragment {
    const hit = this.fragments.get(file);
    if (hit) return hit;
    const frag: Fragment = { file, ok: false, captures: [] };
    this.fragments.set(file, frag);
    const shown = this.display(file);
    const r = this.read(file, true);
    this.texts.set(shown, r.text);
    for (const d of r.diagnostics) this.add({ ...d, file: shown });
    const docs = r.docs.filter((d) => d.value !== null);
    if (r.diagnostics.length > 0) return frag;
    if (docs.length !== 1) {
      this.add({
        file: shown,
        line: 1,
        col: 1,
        severity: 'error',
        message: `a steps file holds exactly one YAML document, found ${docs.length}`,
      });
      return frag;
    }
    const doc = docs[0] as YamlDocument;
    const problems = validateWithSchema(stepsSchemaPath(), doc, shown, { skipValue: hasRef });
    for (const d of problems) this.add(d);
    if (problems.length > 0) return frag;
    const value = doc.value as StepsFile;
    frag.doc = doc;
    frag.value = value;
    const before = this.errorCount();
    const captures = new Set<string>();
    this.collectCaptures(value.steps as unknown[], file, captures);
    frag.captures = [...captures];
    const params = new Set(Object.keys(value.params ?? {}));
    const check = (v: unknown, path: YamlPath, names: Set<string>, later?: Set<string>) =>
      walkStrings(v, (text, sub) => {
        for (const ref of findVarRefs(text)) {
          if (names.has(ref.name)) continue;
          const token = text.slice(ref.index, ref.index + ref.length);
          const near = didYouMean(ref.name, names);
          this.errorAtRef(
            doc,
            shown,
            [...path, ...sub],
            token,
            later?.has(ref.name)
              ? `'${ref.name}' is used before the step that captures it`
              : `undefined variable '${ref.name}' in a steps file`,
            near
              ? `did you mean '${near}'?`
              : later?.has(ref.name)
                ? undefined
                : `declare it under params and pass it with 'with'`,
          );
        }
      });
    this.walkStepRefs(value.steps as unknown[], ['steps'], file, params, captures, check);
    this.checkMatchers(doc, shown, value);
    frag.ok = this.errorCount() === before;
    return frag;
  }
}
