/**
 * The loader's reference checks beyond the schema: undefined `${var}`, captures used before they are set,
 * matrix variables never used, unknown card or bench profile, invalid regular expression in a matcher.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { didYouMean } from '../common/diagnostic.js';
import { checkMatcher } from '../common/matcher.js';
import type { YamlDocument, YamlPath } from '../common/yaml-file.js';
import { findVarRefs, walkStrings } from './interpolate.js';
import { LoadContext, stepEntry, type Fragment, type Raw, type StepContext } from './load-context.js';
import type { InlineCard, Scenario as ScenarioDoc } from './scenario-types.js';

const BENCH_KINDS: Record<string, string> = {
  terminal: 'terminals',
  host: 'hosts',
  dialect: 'dialects',
  lab: 'labs',
};

/** Checks a scenario's and a steps file's references; the steps files themselves come from a subclass. */
export abstract class ReferenceChecks extends LoadContext {
  /** The parsed steps file an include names, if it resolves inside the root and exists. */
  protected abstract fragmentFor(from: string, target: unknown): Fragment | undefined;

  /** Undefined `${var}`, captures used before they are set, matrix variables never used. */
  protected checkRefs(doc: YamlDocument, file: string, shown: string, raw: ScenarioDoc): void {
    const used = new Set<string>();
    const defined = new Set<string>(Object.keys(raw.matrix ?? {}));
    const check = (value: unknown, path: YamlPath, names: Set<string>, later?: Set<string>) =>
      walkStrings(value, (text, sub) => {
        for (const ref of findVarRefs(text)) {
          used.add(ref.name);
          if (names.has(ref.name)) continue;
          const full = [...path, ...sub];
          const token = text.slice(ref.index, ref.index + ref.length);
          if (later?.has(ref.name)) {
            this.errorAtRef(
              doc,
              shown,
              full,
              token,
              `'${ref.name}' is used before the step that captures it`,
            );
          } else {
            const near = didYouMean(ref.name, names);
            this.errorAtRef(
              doc,
              shown,
              full,
              token,
              `undefined variable '${ref.name}'`,
              near
                ? `did you mean '${near}'?`
                : 'define it in vars or matrix, or set it with a capture step before',
            );
          }
        }
      });
    for (const [k, v] of Object.entries(raw.vars ?? {})) {
      check(v, ['vars', k], defined);
      defined.add(k);
    }
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'vars' || k === 'matrix' || k === 'steps' || k === 'finally') continue;
      check(v, [k], defined);
    }
    const allCaptures = new Set<string>();
    this.collectCaptures(raw.steps as unknown[], file, allCaptures);
    this.collectCaptures((raw.finally ?? []) as unknown[], file, allCaptures);
    const scope = new Set(defined);
    this.walkStepRefs(raw.steps as unknown[], ['steps'], file, scope, allCaptures, check);
    this.walkStepRefs((raw.finally ?? []) as unknown[], ['finally'], file, scope, allCaptures, check);
    for (const name of Object.keys(raw.matrix ?? {})) {
      if (!used.has(name)) {
        this.errorAtKey(
          doc,
          shown,
          ['matrix', name],
          `matrix variable '${name}' is never used: every combination would run the same scenario`,
          `refer to it as \${${name}} in a step or the title, or remove it`,
        );
      }
    }
  }

  protected walkStepRefs(
    steps: unknown[],
    path: YamlPath,
    file: string,
    scope: Set<string>,
    allCaptures: Set<string>,
    check: (value: unknown, path: YamlPath, names: Set<string>, later?: Set<string>) => void,
  ): void {
    steps.forEach((step, i) => {
      const entry = stepEntry(step);
      if (!entry) return;
      const [action, args] = entry;
      const p = [...path, i, action];
      if (action === 'repeat' && args && typeof args === 'object') {
        const { steps: inner, ...other } = args as Raw;
        check(other, p, scope, allCaptures);
        this.walkStepRefs((inner ?? []) as unknown[], [...p, 'steps'], file, scope, allCaptures, check);
        return;
      }
      check(args, p, scope, allCaptures);
      if (action === 'capture' && args && typeof args === 'object')
        for (const k of Object.keys(args)) scope.add(k);
      if (action === 'include' && args && typeof args === 'object') {
        const frag = this.fragmentFor(file, (args as Raw).file);
        for (const c of frag?.captures ?? []) scope.add(c);
      }
    });
  }

  protected collectCaptures(steps: unknown[], file: string, out: Set<string>): void {
    for (const step of steps) {
      const entry = stepEntry(step);
      if (!entry) continue;
      const [action, args] = entry;
      if (!args || typeof args !== 'object') continue;
      if (action === 'capture') for (const k of Object.keys(args)) out.add(k);
      if (action === 'repeat') this.collectCaptures(((args as Raw).steps ?? []) as unknown[], file, out);
      if (action === 'include')
        for (const c of this.fragmentFor(file, (args as Raw).file)?.captures ?? []) out.add(c);
    }
  }

  /** Regular expressions in matchers must compile (the schema cannot tell). */
  protected checkMatchers(doc: YamlDocument, shown: string, raw: unknown): void {
    walkStrings(raw, (text, path) => {
      if (text.startsWith('/') && text.length > 2) {
        const problem = checkMatcher(text);
        if (problem) this.error(doc, shown, path, problem);
      }
    });
  }

  protected checkCardAliases(
    doc: YamlDocument,
    shown: string,
    cards: Record<string, string | InlineCard>,
  ): void {
    const fixtures = this.fixtureNames('cards');
    for (const [alias, card] of Object.entries(cards)) {
      const name = typeof card === 'string' ? card : card.extends;
      const path = typeof card === 'string' ? ['cards', alias] : ['cards', alias, 'extends'];
      if (name.includes('${') || fixtures.has(name)) continue;
      const near = didYouMean(name, fixtures);
      this.error(doc, shown, path, `unknown card fixture '${name}' (no fixtures/cards/${name}.yaml)`, {
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      });
    }
  }

  /**
   * `host.replay` names a folder written by `payhil record`: it must hold replay-host.yaml (the name
   * host/replay-fixture.ts writes; the scenario layer sits below the host and repeats it).
   */
  protected checkReplay(doc: YamlDocument, file: string, shown: string, value: ScenarioDoc): void {
    const replay = value.host?.replay;
    if (replay === undefined || replay.includes('${')) return;
    const dir = resolve(dirname(file), replay);
    if (existsSync(join(dir, 'replay-host.yaml'))) return;
    this.error(doc, shown, ['host', 'replay'], `no recording at ${dir} (no replay-host.yaml in it)`, {
      hint: 'write one with `payhil record --upstream HOST:PORT -o DIR`',
    });
  }

  protected checkBench(doc: YamlDocument, shown: string, value: ScenarioDoc): void {
    for (const [key, kind] of Object.entries(BENCH_KINDS)) {
      const name = (value.bench as Record<string, string> | undefined)?.[key];
      if (name === undefined) continue;
      const names = this.fixtureNames(kind);
      if (names.size === 0 || names.has(name)) continue;
      const near = didYouMean(name, names);
      this.error(
        doc,
        shown,
        ['bench', key],
        `unknown ${key} profile '${name}' (no fixtures/${kind}/${name}.yaml)`,
        {
          ...(near ? { hint: `did you mean '${near}'?` } : {}),
        },
      );
    }
  }

  protected checkCard(
    doc: YamlDocument,
    shown: string,
    path: YamlPath,
    card: unknown,
    ctx: StepContext,
    where: string,
  ): void {
    if (typeof card !== 'string' || card.includes('${') || ctx.aliases === null) return;
    if (ctx.aliases.has(card)) return;
    const fixtures = this.fixtureNames('cards');
    if (fixtures.has(card)) return;
    const near = didYouMean(card, [...ctx.aliases, ...fixtures]);
    this.error(
      doc,
      shown,
      path,
      `unknown card '${card}': neither an alias in cards nor a fixture in fixtures/cards/${where}`,
      {
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      },
    );
  }
}
