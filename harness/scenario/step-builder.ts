/**
 * Step building: a scenario's (or a steps file's) step list into `LoadedStep`s with their source positions,
 * includes expanded in place (root, symbolic link, cycle, file name and parameter checks), card names checked.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { didYouMean } from '../common/diagnostic.js';
import type { YamlPath } from '../common/yaml-file.js';
import { interpolate, type Scope } from './interpolate.js';
import { isInside, stepEntry, type Raw, type StepContext, type StepWalk } from './load-context.js';
import type { LoadedStep } from './scenario.js';
import { isStepsFile } from './scenario-schema.js';
import type { ScalarValue } from './scenario-types.js';
import { StepsFragments } from './steps-fragments.js';

const CARD_ACTIONS = new Set<string>(['insert', 'tap', 'swipe', 'remove']);

/** Builds step lists and expands includes. */
export abstract class StepBuilder extends StepsFragments {
  protected buildSteps(list: unknown[], path: YamlPath, walk: StepWalk): LoadedStep[] {
    const { doc, file, ctx, via, where } = walk;
    const shown = this.display(file);
    const out: LoadedStep[] = [];
    list.forEach((step, i) => {
      const entry = stepEntry(step);
      if (!entry) return;
      const [action, args] = entry;
      const p = [...path, i, action];
      const at = { ...doc.locateKey(p), file: shown };
      if (action === 'include') {
        out.push(...this.expandInclude(args as Raw, p, { ...walk, via: [...via, at] }));
        return;
      }
      let steps: LoadedStep[] | undefined;
      if (action === 'repeat') {
        steps = this.buildSteps(((args as Raw).steps ?? []) as unknown[], [...p, 'steps'], walk);
      }
      if (action === 'capture' && args && typeof args === 'object') ctx.captures.push(...Object.keys(args));
      if (CARD_ACTIONS.has(action) && args && typeof args === 'object') {
        this.checkCard(doc, shown, [...p, 'card'], (args as Raw).card, ctx, where);
      }
      out.push({
        action,
        args: args ?? null,
        at,
        ...(via.length ? { via } : {}),
        ...(steps ? { steps } : {}),
      });
    });
    return out;
  }

  protected checkStepsFile(file: string): void {
    const frag = this.fragment(file);
    if (!frag.ok || !frag.doc || !frag.value) return;
    const scope: Record<string, ScalarValue> = {};
    for (const [k, v] of Object.entries(frag.value.params ?? {}))
      if (v !== null && v !== undefined) scope[k] = v;
    const steps = interpolate(frag.value.steps, scope) as unknown[];
    const ctx: StepContext = { aliases: null, captures: [] };
    this.buildSteps(steps, ['steps'], { doc: frag.doc, file, ctx, stack: [file], via: [], where: '' });
  }

  protected expandInclude(args: Raw, path: YamlPath, walk: StepWalk): LoadedStep[] {
    const { doc, file, stack } = walk;
    const shown = this.display(file);
    const target = this.resolveInclude(file, args.file);
    if (!target) return [];
    if (!isInside(this.root, target)) {
      this.error(
        doc,
        shown,
        [...path, 'file'],
        `include '${String(args.file)}' escapes the project root ${this.root}`,
      );
      return [];
    }
    const real = this.linkedOutside(target);
    if (real !== undefined) {
      this.error(
        doc,
        shown,
        [...path, 'file'],
        `include '${String(args.file)}' is a symbolic link (or passes through one) to ${real}, outside the project root ${this.root}`,
      );
      return [];
    }
    if (stack.includes(target)) {
      const cycle = [...stack.slice(stack.indexOf(target)), target].map((f) => this.display(f)).join(' → ');
      this.error(doc, shown, [...path, 'file'], `include cycle: ${cycle}`);
      return [];
    }
    if (!this.exists(target)) {
      const dir = dirname(target);
      const near = existsSync(dir)
        ? didYouMean(
            basename(target),
            readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)),
          )
        : undefined;
      this.error(doc, shown, [...path, 'file'], `include file not found: ${this.display(target)}`, {
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      });
      return [];
    }
    if (!isStepsFile(target)) {
      this.error(
        doc,
        shown,
        [...path, 'file'],
        `an included file must be a steps file named *.steps.yaml, not ${basename(target)}`,
      );
      return [];
    }
    const frag = this.fragment(target);
    if (!frag.ok || !frag.doc || !frag.value) {
      this.error(
        doc,
        shown,
        [...path, 'file'],
        `included file ${this.display(target)} has errors (reported there)`,
      );
      return [];
    }
    const params = frag.value.params ?? {};
    const given = (args.with ?? {}) as Record<string, ScalarValue>;
    let bad = false;
    for (const k of Object.keys(given)) {
      if (Object.hasOwn(params, k)) continue;
      const near = didYouMean(k, Object.keys(params));
      const takes = Object.keys(params).length
        ? `it takes: ${Object.keys(params).join(', ')}`
        : 'it takes no parameters';
      this.errorAtKey(
        doc,
        shown,
        [...path, 'with', k],
        `unknown parameter '${k}' for ${this.display(target)}`,
        near ? `did you mean '${near}'?` : takes,
      );
      bad = true;
    }
    for (const [k, def] of Object.entries(params)) {
      if (def === null && !Object.hasOwn(given, k)) {
        this.error(
          doc,
          shown,
          path,
          `missing parameter '${k}' for ${this.display(target)} (pass it in 'with')`,
        );
        bad = true;
      }
    }
    if (bad) return [];
    const scope: Scope = {
      ...(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null)) as Scope),
      ...given,
    };
    const steps = interpolate(frag.value.steps, scope) as unknown[];
    return this.buildSteps(steps, ['steps'], {
      ...walk,
      doc: frag.doc,
      file: target,
      stack: [...stack, target],
    });
  }
}
