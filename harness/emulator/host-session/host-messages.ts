/**
 * What the emulated terminal says to the host, in one place: sign-in, financial requests, reversals,
 * settlement and batch upload built with pos-protocol's message builders, working keys read from
 * field 62 of the sign-in answer, and the MAC (field 64) applied and checked. Defect switches that bend a
 * message (PIN block format 1, MAC without field 63, KCV not checked) are applied here.
 */
import { randomBytesOf } from '../../common/run-seed.js';
import { flattenTlv, parseTlv } from '../../emv/index.js';
import { buildPinBlock, encryptPinBlock, encryptTrack, fromHex, toHex } from '../../crypto/index.js';
import {
  RC,
  DEFAULT_OPERATOR_FIELD_63,
  applyMac,
  buildBatchUpload,
  buildBatchUploadEnd,
  buildReversal,
  buildSettlement,
  buildSignIn,
  buildTransaction,
  computeMac,
  IC_CONDITION,
  READ_CAPABILITY,
  parseWorkingKeys,
  settlementResult,
  verifyMac,
  withTracksEncrypted,
  type CardRead,
  type SessionKeys,
  type TransactionKind,
} from '../../pos-protocol/index.js';
import type { IsoMessage } from '../../iso8583/index.js';
import type { TerminalCore } from '../core/terminal-core.js';
import type { BatchRecord } from '../core/terminal-batch.js';
import type { TerminalResult } from '../terminal-result.js';

/** The original of a referenced or settled-refund request (fields 37, 38 and 61). */
export interface OriginalReference {
  rrn?: string;
  batch?: string;
  stan?: string;
  date?: string;
  authCode?: string;
}

export class TerminalMessages {
  constructor(private readonly core: TerminalCore) {}

  /** 0800 sign-in (key download asked for with the profile's key scheme). */
  signIn(stan: string): IsoMessage {
    const core = this.core;
    return buildSignIn(core.identity(), stan, core.batchNo, core.profile.keyScheme);
  }

  /**
   * Working keys of field 62 of a sign-in answer under the profile's TMK, check values verified unless
   * the `skip-kcv-check` defect is on. Throws WorkingKeyError (with the reason) when they cannot be used.
   */
  keysOfSignIn(f62: string | undefined): SessionKeys {
    const core = this.core;
    return parseWorkingKeys(core.dialect, f62, fromHex(core.profile.tmk), core.profile.keyScheme, {
      verifyCheckValues: !core.defects.has('skip-kcv-check'),
    });
  }

  /** A financial request (0100/0200/0220), PIN block, track encryption and MAC applied. */
  transaction(
    kind: TransactionKind,
    stan: string,
    read: CardRead,
    amount: number,
    pin: string | undefined,
    original?: OriginalReference,
  ): IsoMessage {
    const core = this.core;
    const keys = core.keys;
    const withPin = pin !== undefined && pin !== '' && keys !== undefined;
    const msg = buildTransaction(
      core.identity(),
      kind,
      {
        stan,
        batch: core.batchNo,
        card: read,
        amount,
        currency: core.currency(),
        ...this.icInfo(core.chipReadFailed),
        ...(withPin ? { pin } : {}),
        ...(original ? { original } : {}),
      },
      keys,
    );
    if (withPin && core.defects.has('pin-block-format-1'))
      msg.fields[52] = toHex(
        encryptPinBlock(
          (keys as SessionKeys).pik,
          buildPinBlock(1, pin as string, undefined, {
            random: (n) => randomBytesOf(core.random, n),
          }),
        ),
      );
    if (core.dialect.fields[63]) msg.fields[63] = DEFAULT_OPERATOR_FIELD_63;
    const track2 = msg.fields[35];
    if (core.profile.trackEncryption && keys?.tdk && track2 !== undefined) {
      // UnionPay track encryption under the TDK; field 53 position 3 = 1 says so, and the PAN travels only in the track.
      msg.fields[35] = encryptTrack(keys.tdk, track2);
      msg.fields[53] = withTracksEncrypted(msg.fields[53]);
      if (read.track2 !== undefined && read.iccData === undefined) delete msg.fields[2];
    }
    return this.mac(msg);
  }

  /** The same request with a new STAN (field 11), MAC applied again. */
  withStan(request: IsoMessage, stan: string): IsoMessage {
    return this.mac({ mti: request.mti, fields: { ...request.fields, 11: stan } });
  }

  /** 0400 reversal of `request` for `reason` (field 39), MAC applied. */
  reversal(request: IsoMessage, reason: string): IsoMessage {
    return this.mac(buildReversal(request, reason));
  }

  /** 0500 settlement of the current batch with its totals, MAC applied. */
  settlement(stan: string, totals: NonNullable<TerminalResult['totals']>): IsoMessage {
    return this.mac(buildSettlement(this.core.identity(), stan, this.core.batchNo, totals));
  }

  /** 0320 batch upload of one record, MAC applied. */
  batchUpload(r: BatchRecord): IsoMessage {
    return this.mac(
      buildBatchUpload(this.core.identity(), this.core.batchNo, {
        stan: r.stan,
        pan: r.pan,
        amount: r.amount,
        ...(r.iccData ? { iccData: r.iccData } : {}),
        entry: r.entryMode,
        ...this.icInfo(r.entryMode.startsWith('80')),
      }),
    );
  }

  /**
   * 60.4 and 60.5 of an IC-capable terminal: its read capability (6 with a contactless antenna, else 5)
   * and whether the last chip read failed. A stripe-only terminal sends neither.
   */
  private icInfo(chipFailed: boolean): {
    icInfo?: { readCapability: string; icCondition: string };
  } {
    const caps = this.core.profile.capabilities;
    if (!caps.chip) return {};
    return {
      icInfo: {
        readCapability: caps.contactless
          ? READ_CAPABILITY.CONTACTLESS_CONTACT_STRIPE
          : READ_CAPABILITY.CONTACT_STRIPE,
        icCondition: chipFailed ? IC_CONDITION.CHIP_FAILED : IC_CONDITION.NO_CHIP_FAILURE,
      },
    };
  }

  /** The 0320 that ends a batch upload (60.3 = 202) with the number of transactions uploaded, MAC applied. */
  batchUploadEnd(stan: string, count: number): IsoMessage {
    return this.mac(buildBatchUploadEnd(this.core.identity(), stan, this.core.batchNo, count));
  }

  /** True when the host's settlement answer says the totals did not match (batch upload follows). */
  settlementUnbalanced(answer: IsoMessage): boolean {
    return settlementResult(answer) === 'unbalanced';
  }

  /** Adds field 64 (the dialect's MAC under the MAK) when signed in. */
  mac(msg: IsoMessage): IsoMessage {
    const core = this.core;
    if (!core.keys || !core.dialect.fields[64]) return msg;
    if (core.defects.has('mac-excludes-field-63') && msg.fields[63] !== undefined) {
      const fields = { ...msg.fields };
      delete fields[63];
      msg.fields[64] = computeMac(core.dialect, { mti: msg.mti, fields }, core.keys.mak);
      return msg;
    }
    return applyMac(core.dialect, msg, core.keys.mak);
  }

  /**
   * True when the MAC of a financial answer is wrong: present and not verifying, or missing on an
   * approval when the dialect has field 64. False when not signed in (no MAK).
   */
  macBad(answer: IsoMessage): boolean {
    const core = this.core;
    const rc = answer.fields[39];
    const macPresent = answer.fields[64] !== undefined;
    return (
      core.keys !== undefined &&
      ((macPresent && !verifyMac(core.dialect, answer, core.keys.mak)) ||
        (!macPresent && rc === RC.APPROVED && core.dialect.fields[64] !== undefined))
    );
  }

  /** Issuer authentication data (tag 91) of field 55 of an answer, if any. */
  issuerAuthData(answer: IsoMessage): Buffer | undefined {
    const f55 = answer.fields[55];
    if (!f55) return undefined;
    try {
      return flattenTlv(parseTlv(fromHex(f55))).get('91');
    } catch {
      return undefined;
    }
  }

  /** Available balance of field 54 (minor units, negative for a debit balance), if any. */
  balanceOf(answer: IsoMessage): number | undefined {
    const f54 = answer.fields[54];
    const m = f54 ? /([CD])(\d{12})$/.exec(f54) : null;
    if (!m) return undefined;
    return (m[1] === 'D' ? -1 : 1) * Number(m[2]);
  }
}
