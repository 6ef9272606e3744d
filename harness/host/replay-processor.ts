/**
 * The replay host: the host simulator answering from a recorded session (replay-fixture.ts) instead of
 * its issuer logic, so a recorded incident runs again without the acquirer.
 *
 * What stays the simulator's own, because it belongs to the session being replayed and not to the
 * recording: sign-in (a recorded 0800 answered 00 gets fresh working keys under the terminal's TMK, as
 * the simulator issues them), the terminal checks (unknown terminal 97, not signed in 77), the MAC check
 * of the request (A0) and the MAC of the answer, the echo fields, time and RRN, and the ARPC (computed
 * for the request's ARQC with the recorded response code, when the issuer keys of the card are known).
 * What comes from the recording: the answer's MTI, its response code and the other fields a host
 * decides (authorisation code, balances, settlement result…). A request the host never answered when
 * recorded gets no answer (the journal says so), as a timeout in the field replays as a timeout.
 *
 * A request the recording has no answer for gets response code 96 (system malfunction) and a
 * `replay-unmatched` journal event naming its key (MTI, processing code, amount, masked card): never a
 * crash, never silence. Host rules still apply to network-management messages; replayed answers ignore
 * them.
 */
import { encodeTlv } from '../emv/index.js';
import { fromHex, toHex } from '../crypto/index.js';
import type { IsoMessage } from '../iso8583/index.js';
import { RC } from '../pos-protocol/index.js';
import { HostProcessor, type HandleOptions, type Outcome } from './host-processor.js';
import { issuerAuthData, verifyArqc } from './issuer-crypto.js';
import { MAC_FIELD, isRequestMti, type ProcessorOptions } from './processor-core.js';
import {
  ReplayBook,
  describeKey,
  isReplayedField,
  requestKey,
  type ReplayFixture,
} from './replay-fixture.js';
import type { KnownTerminal } from './terminal-registry.js';

export class ReplayProcessor extends HostProcessor {
  readonly book: ReplayBook;

  constructor(options: ProcessorOptions, fixture: ReplayFixture) {
    super(options);
    this.book = new ReplayBook(fixture);
  }

  override reset(): void {
    super.reset();
    this.book.reset();
  }

  override handle(req: IsoMessage, opts: HandleOptions = {}): Outcome {
    if (!isRequestMti(req.mti)) return super.handle(req, opts);
    const terminal = this.terminals.find(req.fields[41], req.fields[42]);
    const network = req.mti.startsWith('08');
    // Terminal checks and the request's MAC: the simulator's answer (97, 77, A0) as it would give it.
    if (!network && !this.sessionOk(req, terminal, opts)) return super.handle(req, opts);
    const key = requestKey(req, this.book.salt, terminal ? this.panOf(req, terminal) : undefined);
    const rec = this.book.take(key);
    if (!rec) {
      const resp = this.base(req);
      resp.fields[39] = RC.SYSTEM_ERROR;
      return this.macced(
        { response: resp, note: `replay: no recorded answer for ${describeKey(key)}: answered 96` },
        resp,
        network ? undefined : terminal,
        opts,
      );
    }
    if (!rec.response) return { rule: 'replay (never answered when recorded)' };
    const code = rec.response.fields['39'];
    if (network && (code === undefined || code === RC.APPROVED)) return super.handle(req, opts);
    this.current = this.clock();
    try {
      const recorded = rec.response;
      const resp = this.base(req);
      resp.mti = recorded.mti;
      for (const [k, v] of Object.entries(recorded.fields))
        if (isReplayedField(Number(k))) resp.fields[Number(k)] = v;
      if (code === RC.APPROVED && this.has[37]) resp.fields[37] = this.nextRrn();
      if (code !== undefined && terminal) this.attachReplayArpc(req, resp, terminal, code);
      return this.macced({ response: resp, rule: 'replay' }, resp, network ? undefined : terminal, opts);
    } finally {
      this.current = undefined;
    }
  }

  /** True when the terminal is known, signed in, and the request's MAC (or its absence) is acceptable. */
  private sessionOk(req: IsoMessage, t: KnownTerminal | undefined, opts: HandleOptions): boolean {
    const session = t?.session;
    if (!session) return false;
    if (req.fields[MAC_FIELD] !== undefined) return this.verifyMac(req, session.mak, opts.macFrame);
    return !this.config.requireMac;
  }

  /** The ARPC (tag 91) for the request's ARQC with the replayed response code, when the card's keys are known. */
  private attachReplayArpc(req: IsoMessage, resp: IsoMessage, t: KnownTerminal, code: string): void {
    if (!this.has[55]) return;
    const tags = this.iccTags(req);
    const pan = this.panOf(req, t);
    if (!tags?.has('9F26') || !pan) return;
    const acc = this.accounts.spec(pan);
    if (!acc?.imkAc) return;
    const psn = req.fields[23] ?? (tags.get('5F34') ? toHex(tags.get('5F34') as Buffer) : (acc.psn ?? '00'));
    const check = verifyArqc(tags, {
      imkAc: fromHex(acc.imkAc),
      pan,
      psn: psn.slice(-2),
      cvn: acc.cvn ?? 18,
    });
    const data = issuerAuthData(check, code);
    if (data) resp.fields[55] = toHex(encodeTlv([{ tag: '91', value: data }]));
  }

  /** MACs the answer under the session's MAK (or hands the MAK on with `deferMac`). */
  private macced(out: Outcome, resp: IsoMessage, t: KnownTerminal | undefined, opts: HandleOptions): Outcome {
    const mak = t?.session?.mak;
    if (!mak || !this.has[MAC_FIELD]) return out;
    if (opts.deferMac) out.mak = mak;
    else this.mac(resp, mak);
    return out;
  }
}
