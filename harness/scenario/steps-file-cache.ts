import { readFileSync, statSync } from 'node:fs';
import { MAX_YAML_BYTES, parseYamlText, readYamlFile } from '../common/yaml-file.js';

/**
 * Parsed steps files, by path and content: the same fragment included from many scenarios (or loaded by
 * many loaders, as the fuzz test and the benchmark do) is parsed once. Keyed by content, so an edited file
 * is parsed again.
 */
const fragmentCache = new Map<string, ReturnType<typeof readYamlFile>>();

/** Reads and parses a steps file, from the cache when its content was parsed before. */
export function readFragment(file: string): ReturnType<typeof readYamlFile> {
  let text: string;
  try {
    if (statSync(file).size > MAX_YAML_BYTES) return readYamlFile(file);
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return readYamlFile(file);
  }
  const key = `${file}\0${text}`;
  const hit = fragmentCache.get(key);
  if (hit) return hit;
  const parsed = { text, ...parseYamlText(text, file) };
  if (fragmentCache.size >= 256) fragmentCache.delete(fragmentCache.keys().next().value as string);
  fragmentCache.set(key, parsed);
  return parsed;
}
