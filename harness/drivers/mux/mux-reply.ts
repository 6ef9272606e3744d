/**
 * The multiplexer's answers (docs/mux-robot.md): `OK <VERB> [args…]` or `ERR <CODE> [text]`, words
 * separated by single spaces or tabs. Anything else is not an answer (undefined).
 */
export type MuxReply = { ok: true; verb: string; args: string[] } | { ok: false; code: string; text: string };

/** Error codes a multiplexer may answer with (others are passed on as they are). */
export const MUX_ERROR_CODES = {
  /** No such slot. */
  BADSLOT: 'BADSLOT',
  /** Unknown command or wrong arguments. */
  BADCMD: 'BADCMD',
  /** The switch mechanism is stuck. */
  JAM: 'JAM',
  /** The mux cannot switch now (e.g. the terminal powers the card). */
  BUSY: 'BUSY',
} as const;

export function parseMuxReply(line: string): MuxReply | undefined {
  const words = line.trim().split(/[ \t]+/);
  const head = words[0];
  if (head === 'OK' && words.length >= 2 && /^[A-Z]+$/.test(words[1] as string))
    return { ok: true, verb: words[1] as string, args: words.slice(2) };
  if (head === 'ERR' && words.length >= 2 && /^[A-Z_]+$/.test(words[1] as string)) {
    const rest = line.trim().slice(line.trim().indexOf(words[1] as string) + (words[1] as string).length);
    return { ok: false, code: words[1] as string, text: rest.trim() };
  }
  return undefined;
}
