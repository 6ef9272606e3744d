/**
 * Session keys held with their key schedule for the hot path (MAC and PIN block under the same MAK and
 * PIK request after request): one `TdesKey` (harness/crypto) per working-key buffer, kept as long as the
 * buffer lives.
 */
import { TdesKey } from '../crypto/index.js';

/** Cache of `TdesKey` per key buffer (working keys live as long as their sign-in session). */
export class SessionKeyCache {
  private readonly keys = new WeakMap<Buffer, TdesKey>();
  // The two keys asked for last: a session's MAK and PIK come back request after request.
  private bufferA: Buffer | undefined;
  private keyA: TdesKey | undefined;
  private bufferB: Buffer | undefined;
  private keyB: TdesKey | undefined;

  /**
   * The held key for `key` (the same object for the same buffer).
   * @throws KeyLengthError unless the key is 8, 16 or 24 bytes.
   */
  get(key: Buffer): TdesKey {
    if (key === this.bufferA) return this.keyA as TdesKey;
    if (key === this.bufferB) return this.keyB as TdesKey;
    let k = this.keys.get(key);
    if (!k) this.keys.set(key, (k = new TdesKey(key)));
    this.bufferB = this.bufferA;
    this.keyB = this.keyA;
    this.bufferA = key;
    this.keyA = k;
    return k;
  }
}
