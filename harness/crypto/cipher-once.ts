/** One node:crypto pass without padding: `data` (whole blocks, checked by the caller) in, the result out. */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export function cipherOnce(
  encrypt: boolean,
  algorithm: string,
  key: Uint8Array,
  iv: Uint8Array | null,
  data: Uint8Array,
): Buffer {
  const cipher = encrypt ? createCipheriv(algorithm, key, iv) : createDecipheriv(algorithm, key, iv);
  cipher.setAutoPadding(false);
  const head = cipher.update(data);
  const tail = cipher.final();
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}
