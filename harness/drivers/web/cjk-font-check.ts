/**
 * Whether Chromium can draw Chinese text on this machine. Chromium on Linux takes its fonts from
 * fontconfig; when no installed font covers Chinese (`fc-list :lang=zh` lists nothing), a Chinese display
 * renders as empty boxes ("tofu") in the browser and in every screenshot. The web driver asks once per
 * activation and, when a display shows Chinese text, emits a warning note (timeline, console) instead of
 * leaving a reviewer with screenshots of boxes.
 */
import { spawnSync } from 'node:child_process';

/** Han ideographs (CJK Unified Ideographs and Extension A) and CJK punctuation/fullwidth forms. */
export const CJK_TEXT = /[\u3000-\u303F\u3400-\u4DBF\u4E00-\u9FFF\uFF00-\uFFEF]/;

/** The warning shown when the machine has no Chinese font. */
export const CJK_FONT_WARNING =
  'warning: no font for Chinese text on this machine (fc-list :lang=zh lists none): the display shows ' +
  'empty boxes in the browser and the screenshots; install one (Debian: apt-get install fonts-wqy-microhei ' +
  'or fonts-noto-cjk)';

/**
 * The Chinese fonts fontconfig knows (family names), or undefined when fc-list cannot be run (then
 * nothing is claimed either way). `env` is the environment fc-list runs with (FONTCONFIG_FILE…).
 */
export function chineseFonts(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8', timeout: 5000, env });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The warning when fc-list ran and found no Chinese font, else undefined. */
export function cjkFontWarning(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fonts = chineseFonts(env);
  return fonts !== undefined && fonts.length === 0 ? CJK_FONT_WARNING : undefined;
}
