/**
 * The host's session keys on the hot path (MAC, PIN block): one `TdesKey` (harness/crypto: its key
 * schedule computed once, blocks through the JavaScript DES core) per working key, kept as long as the key buffer lives. `EcbKey` and the CUP MAC
 * helpers are harness/crypto's, re-exported under the names this layer has always offered.
 */
import { TdesKey } from '../crypto/index.js';

export { TdesKey as EcbKey, cupMacField, cupMacInto, cupMacMatches } from '../crypto/index.js';

/** Cache of TdesKey per key buffer (working keys live as long as their sign-in session). */
export class EcbKeyCache {
  private readonly keys = new WeakMap<Buffer, TdesKey>();
  // The two keys asked for last: a session's MAK and PIK come back request after request.
  private bufferA: Buffer | undefined;
  private keyA: TdesKey | undefined;
  private bufferB: Buffer | undefined;
  private keyB: TdesKey | undefined;

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
