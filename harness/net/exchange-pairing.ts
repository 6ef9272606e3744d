/**
 * Pairs the requests and answers a spy sees into exchanges, in the order the requests were sent. An
 * answer belongs to the oldest unanswered request of the same connection whose answer MTI it carries
 * (third MTI digit + 1: 0200 → 0210); an answer nobody asked for is counted and dropped. A request
 * that never got its answer stays in the list without one.
 *
 * Bounded: past `limit` exchanges further requests are only counted (`dropped`). The values of PIN
 * blocks (52), track 3 and 1 (36, 45), working keys (62) and MACs (64, 128) are not kept — only that
 * they were there ('*'): what is recorded needs their presence, never their value.
 */
import type { IsoMessage } from '../iso8583/index.js';
import type { StreamDirection } from './toxic-stage.js';

export interface PairedExchange {
  conn: number;
  request: IsoMessage;
  response?: IsoMessage;
}

/** The answer MTI of a request MTI (third digit + 1), or undefined for an answer or a bad MTI. */
function answerMti(mti: string): string | undefined {
  const d = Number(mti[2]);
  if (!/^\d{4}$/.test(mti) || d % 2 !== 0) return undefined;
  return mti.slice(0, 2) + String(d + 1) + mti[3];
}

/** Fields whose presence is kept and value dropped. */
const PRESENCE_ONLY = [36, 45, 52, 62, 64, 128];

export class ExchangePairing {
  readonly exchanges: PairedExchange[] = [];
  /** Requests not kept because `limit` was reached. */
  dropped = 0;
  /** Answers that matched no outstanding request. */
  strayAnswers = 0;
  /** Called when a request got its answer. */
  onAnswered: ((x: PairedExchange) => void) | undefined;

  constructor(readonly limit = 10000) {}

  /** Takes one decoded message of the spy (upstream = terminal → host). */
  add(conn: number, dir: StreamDirection, message: IsoMessage): void {
    const copy: IsoMessage = { mti: message.mti, fields: { ...message.fields } };
    for (const n of PRESENCE_ONLY) if (copy.fields[n] !== undefined) copy.fields[n] = '*';
    if (dir === 'upstream') {
      if (answerMti(copy.mti) === undefined) return;
      if (this.exchanges.length >= this.limit) this.dropped++;
      else this.exchanges.push({ conn, request: copy });
      return;
    }
    const x = this.exchanges.find(
      (e) => e.conn === conn && e.response === undefined && answerMti(e.request.mti) === copy.mti,
    );
    if (!x) {
      this.strayAnswers++;
      return;
    }
    x.response = copy;
    this.onAnswered?.(x);
  }

  /** Exchanges that got their answer. */
  get answered(): number {
    return this.exchanges.filter((x) => x.response !== undefined).length;
  }
}
