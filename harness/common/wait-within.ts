/**
 * Waits for `p` (nothing to wait for when undefined) or `timeoutMs`, whichever comes first; a rejection
 * of `p` within the time passes through. The timer is cleared either way.
 */
export async function waitWithin(p: Promise<unknown> | undefined, timeoutMs: number): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}
