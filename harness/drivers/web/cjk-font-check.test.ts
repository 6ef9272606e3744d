import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import type { Observation } from '../../capabilities/index.js';
import { ConsoleReporter } from '../../report/console-reporter.js';
import { Timeline, type ScenarioRun } from '../../runner/index.js';
import { CJK_FONT_WARNING, chineseFonts, cjkFontWarning } from './cjk-font-check.js';
import { PageObserver } from './page-observer.js';

describe('web bench: a missing Chinese font gives a warning, not empty boxes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payhil-fonts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // A fontconfig with no font folder: what a machine without fonts looks like to fc-list (and Chromium).
  const noFonts = join(dir, 'fonts.conf');
  writeFileSync(
    noFonts,
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><cachedir>${dir}</cachedir></fontconfig>\n`,
  );

  it("fc-list with no Chinese font: the warning; with this machine's fonts: the fonts, no warning", () => {
    const env = { ...process.env, FONTCONFIG_FILE: noFonts };
    assert.deepEqual(chineseFonts(env), []);
    assert.equal(cjkFontWarning(env), CJK_FONT_WARNING);
    // This machine (and CI) has fonts-wqy-microhei: a Chinese font is found, nothing to warn about.
    const fonts = chineseFonts();
    assert.ok(
      fonts && fonts.length > 0,
      'a Chinese font on this machine (apt-get install fonts-wqy-microhei)',
    );
    assert.equal(cjkFontWarning(), undefined);
    // fc-list that cannot run claims nothing.
    assert.equal(chineseFonts({ ...process.env, PATH: dir }), undefined);
  });

  it('a Chinese display without the font: one warning note per scenario, none for Latin text; the console prints it once', () => {
    const seen: Observation[] = [];
    const o = new PageObserver('web test', { screenshots: false }, {} as never, { current: undefined });
    o.observe((e) => seen.push(e));
    o.cjkWarning = CJK_FONT_WARNING;
    o.onChange({ type: 'display', lines: ['WELCOME'], key: 'idle' });
    assert.equal(seen.filter((e) => e.kind === 'note').length, 0, 'Latin text: no warning');
    o.onChange({ type: 'display', lines: ['请插卡'], key: 'insertCard' });
    o.onChange({ type: 'display', lines: ['请输入密码'], key: 'enterPin' });
    const notes = seen.filter((e) => e.kind === 'note');
    assert.equal(notes.length, 1);
    assert.equal(notes[0]?.data.level, 'warning');
    assert.equal(notes[0]?.data.text, CJK_FONT_WARNING);
    o.resetWarnings();
    o.onChange({ type: 'display', lines: ['交易成功'], key: 'approved' });
    assert.equal(seen.filter((e) => e.kind === 'note').length, 2, 'again in the next scenario');

    const lines: string[] = [];
    const c = new ConsoleReporter({ write: (l) => lines.push(l) });
    for (const id of ['a', 'b']) {
      const t = new Timeline(0);
      t.add('note', { text: CJK_FONT_WARNING, level: 'warning' }, 1);
      c.scenarioEnd({
        scenario: { id, file: 'x.yaml', at: { line: 1 } },
        status: 'passed',
        start: 0,
        stop: 5,
        steps: [],
        timeline: t,
        captures: {},
        attempt: 1,
      } as unknown as ScenarioRun);
    }
    assert.deepEqual(
      lines.filter((l) => l.startsWith('WARN')),
      [`WARN    ${CJK_FONT_WARNING.slice('warning: '.length)}`],
    );

    // Fonts present: no warning at all.
    const quiet: Observation[] = [];
    const p = new PageObserver('web test', { screenshots: false }, {} as never, { current: undefined });
    p.observe((e) => quiet.push(e));
    p.onChange({ type: 'display', lines: ['请插卡'], key: 'insertCard' });
    assert.equal(quiet.filter((e) => e.kind === 'note').length, 0);
  });
});
