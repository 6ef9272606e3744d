/**
 * A pure text function remembered for the texts it last saw. Reports render the same masked APDUs and
 * timeline lines scenario after scenario (the same cards answer the same records); the memory holds at
 * most `maxChars` characters of texts and answers and is emptied when full, so a long run does not grow
 * it (a run in a 48 MiB heap keeps working: `test/e2e/run-memory.test.ts`).
 */
export function textMemo(fn: (text: string) => string, maxChars = 1 << 18): (text: string) => string {
  const seen = new Map<string, string>();
  let chars = 0;
  return (text) => {
    const hit = seen.get(text);
    if (hit !== undefined) return hit;
    const out = fn(text);
    const size = text.length + out.length;
    if (chars + size > maxChars) {
      seen.clear();
      chars = 0;
    }
    if (size <= maxChars) {
      seen.set(text, out);
      chars += size;
    }
    return out;
  };
}
