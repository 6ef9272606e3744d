import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { packagePath } from '../common/project-root.js';
import { TEXT_KEYS, text } from './display-texts.js';

describe('emulator/display texts', () => {
  it('docs/scenario-language.md lists every display text as the terminal shows it, in English and Chinese', () => {
    const doc = readFileSync(packagePath('docs', 'scenario-language.md'), 'utf8');
    const rows = new Map<string, string>();
    for (const m of doc.matchAll(/^\| `([A-Za-z0-9]+)` \| (.*) \| (.*) \|$/gm))
      rows.set(m[1] as string, `${m[2]} | ${m[3]}`);
    const wrong = TEXT_KEYS.filter((k) => rows.get(k) !== `${text(k, 'en')} | ${text(k, 'zh')}`).map(
      (k) => `${k}: doc '${rows.get(k) ?? 'missing'}', terminal '${text(k, 'en')} | ${text(k, 'zh')}'`,
    );
    assert.deepEqual(wrong, []);
  });
});
