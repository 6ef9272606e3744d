/**
 * The card's transport layer on top of its applications: splits command APDUs (ISO 7816-4 cases 1–4),
 * answers malformed ones with 6700, and on a T=0 card hands response data out through 61xx / GET RESPONSE
 * (ISO 7816-3 §12.2, EMV Book 1 §9.3) and answers a wrong Le on case 2 with 6Cxx. Garbling (a card fault)
 * is applied here, on the way out.
 */
import { parseCommandApdu, responseApdu, SW, type CommandApdu } from './apdu.js';
import { ApduFormatError } from './errors.js';

/** What the engine dispatches to. */
export interface ApduHandler {
  process(command: CommandApdu): { data?: Buffer; sw: number };
}

export interface ApduEngineOptions {
  /** T0: case 4 answers become 61xx + GET RESPONSE; T1: data comes back at once. */
  protocol: 'T0' | 'T1';
  /** When true, response data is corrupted (see {@link garble}). */
  garbled?: () => boolean;
}

/**
 * Corrupts response data the way a dirty contact does: flips bits in every 3rd byte and cuts the last
 * quarter, so TLV templates no longer parse; the status word is kept.
 */
export function garble(data: Buffer): Buffer {
  const out = Buffer.from(data.subarray(0, Math.max(1, Math.ceil((data.length * 3) / 4))));
  for (let i = 0; i < out.length; i += 3) out[i] = (out[i] as number) ^ 0x5a;
  return out;
}

export class ApduEngine {
  /** Data waiting for GET RESPONSE (T=0). */
  private pending: Buffer | undefined;
  private pendingSw: number = SW.OK;

  constructor(
    private readonly handler: ApduHandler,
    private options: ApduEngineOptions,
  ) {}

  /** Forgets pending GET RESPONSE data (power-off, reset). */
  reset(options?: Partial<ApduEngineOptions>): void {
    this.pending = undefined;
    if (options) this.options = { ...this.options, ...options };
  }

  /** One command APDU in, one response APDU out. Never throws for bad input: answers with a status word. */
  transmit(apdu: Uint8Array): Buffer {
    let c: CommandApdu;
    try {
      c = parseCommandApdu(apdu);
    } catch (e) {
      if (e instanceof ApduFormatError) return responseApdu(undefined, SW.WRONG_LENGTH);
      throw e;
    }
    if (c.ins === 0xc0 && (c.cla & 0xfc) === 0x00) return this.getResponse(c);
    this.pending = undefined;
    const r = this.handler.process(c);
    let data = r.data ?? Buffer.alloc(0);
    if (data.length > 0 && this.options.garbled?.()) data = garble(data);
    if (this.options.protocol === 'T0' && data.length > 0) {
      if (c.case === 4 || c.case === 3) {
        // T=0 cannot return data for a command that carried data: 61xx, then GET RESPONSE.
        this.pending = data;
        this.pendingSw = r.sw;
        return responseApdu(undefined, SW.BYTES_AVAILABLE | (Math.min(data.length, 256) % 256));
      }
      if (c.case === 2 && c.le !== undefined && c.le !== 256 && c.le !== data.length) {
        return responseApdu(undefined, SW.WRONG_LE | (data.length % 256));
      }
    }
    if (c.le !== undefined && c.le < data.length && this.options.protocol === 'T1') {
      return responseApdu(undefined, SW.WRONG_LE | (data.length % 256));
    }
    return responseApdu(data, r.sw);
  }

  private getResponse(c: CommandApdu): Buffer {
    const pending = this.pending;
    if (!pending) return responseApdu(undefined, SW.CONDITIONS_NOT_SATISFIED);
    if (c.p1 !== 0 || c.p2 !== 0) return responseApdu(undefined, SW.WRONG_P1P2);
    const le = c.le ?? 256;
    if (le < pending.length && le !== 256) {
      const chunk = pending.subarray(0, le);
      this.pending = pending.subarray(le);
      return responseApdu(chunk, SW.BYTES_AVAILABLE | (Math.min(this.pending.length, 256) % 256));
    }
    const chunk = pending.subarray(0, 256);
    const rest = pending.subarray(256);
    if (rest.length > 0) {
      this.pending = rest;
      return responseApdu(chunk, SW.BYTES_AVAILABLE | (Math.min(rest.length, 256) % 256));
    }
    this.pending = undefined;
    return responseApdu(chunk, this.pendingSw);
  }
}
