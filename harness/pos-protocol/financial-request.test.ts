import { strict as assert } from 'node:assert';
import { decryptPinBlock, extractPin, fromHex } from '../crypto/index.js';
import { loadDialect } from '../iso8583/index.js';
import { MessageBuildError } from './errors.js';
import { IC_CONDITION, READ_CAPABILITY, readField60 } from './field-60.js';
import { buildTransaction, entryMode, TRANSACTION_KINDS } from './financial-request.js';
import { applyMac, verifyMac } from './message-mac.js';
import { buildReversal } from './reversal-request.js';

const ID = { terminalId: '12345678', merchantId: '123456789012345' };
const MAK = fromHex('1111111111111111');
const PIK = fromHex('22222222222222223333333333333333');
const CARD = { pan: '6222021000000000017', track2: '6222021000000000017=3012' };

describe('pos-protocol/financial-request', () => {
  it('builds a MACed PIN purchase whose MAC breaks when any covered field changes', () => {
    const d = loadDialect('cup');
    const msg = buildTransaction(
      ID,
      'purchase',
      { stan: '000001', batch: '000001', card: CARD, amount: 100, pin: '1234' },
      { pik: PIK, mak: MAK },
    );
    assert.deepEqual(
      [msg.mti, msg.fields[3], msg.fields[22], msg.fields[4], msg.fields[25], msg.fields[60], msg.fields[53]],
      ['0200', '000000', '021', '000000000100', '00', '22000001000', '1600000000000000'],
    );
    // Field 52 is the format 0 block of the PIN and PAN under the PIK.
    assert.equal(extractPin(0, decryptPinBlock(PIK, fromHex(msg.fields[52] as string)), CARD.pan), '1234');
    applyMac(d, msg, MAK);
    assert.equal(verifyMac(d, msg, MAK), true);
    msg.fields[4] = '000000000101';
    assert.equal(verifyMac(d, msg, MAK), false);
  });

  it('uses the MTI, processing code, 60.1 and condition code of each kind', () => {
    for (const [kind, k] of Object.entries(TRANSACTION_KINDS)) {
      const m = buildTransaction(ID, kind as keyof typeof TRANSACTION_KINDS, {
        stan: '000002',
        batch: '000007',
        card: { pan: CARD.pan },
        amount: 5,
      });
      assert.deepEqual(
        [m.mti, m.fields[3], m.fields[25], m.fields[60]?.slice(0, 8)],
        [k.mti, k.processingCode, k.condition, k.messageType + '000007'],
      );
      assert.equal(m.fields[4] === undefined, kind === 'balance');
    }
  });

  it('carries 60.4 read capability and 60.5 IC condition when given, and a reversal repeats them', () => {
    const msg = buildTransaction(ID, 'purchase', {
      stan: '000001',
      batch: '000001',
      card: { ...CARD, entry: 'fallback' },
      amount: 100,
      icInfo: { readCapability: READ_CAPABILITY.CONTACT_STRIPE, icCondition: IC_CONDITION.CHIP_FAILED },
    });
    assert.equal(msg.fields[60], '2200000100052');
    assert.deepEqual(readField60(buildReversal(msg).fields[60]), {
      messageType: '22',
      batch: '000001',
      networkCode: '000',
      readCapability: '5',
      icCondition: '2',
    });
  });
  it('names the original of a void by RRN and by batch ‖ STAN ‖ date (field 61)', () => {
    const m = buildTransaction(ID, 'void', {
      stan: '000003',
      batch: '000001',
      card: CARD,
      amount: 100,
      original: { rrn: '000000000042', batch: '000001', stan: '000001', date: '1206', authCode: '000042' },
    });
    assert.deepEqual(
      [m.fields[37], m.fields[38], m.fields[61]],
      ['000000000042', '000042', '0000010000011206'],
    );
  });

  it('writes field 22 per way of reading: swipe, chip, contactless, fallback, manual; PIN or not', () => {
    assert.equal(entryMode({ pan: '1', track2: '1=1' }, true), '021');
    assert.equal(entryMode({ pan: '1', iccData: '9F2608' }, false), '052');
    assert.equal(entryMode({ pan: '1', entry: 'contactless' }, false), '072');
    assert.equal(entryMode({ pan: '1', entry: 'fallback' }, true), '801');
    assert.equal(entryMode({ pan: '1' }, false), '012');
  });

  it('refuses an amount out of range and a PIN without sign-in keys with typed errors', () => {
    const base = { stan: '000001', batch: '000001', card: CARD };
    assert.throws(() => buildTransaction(ID, 'purchase', { ...base, amount: 1e12 }), {
      code: 'E_POS_REQUEST',
      field: 4,
    });
    assert.throws(() => buildTransaction(ID, 'purchase', { ...base, amount: 1.5 }), MessageBuildError);
    assert.throws(() => buildTransaction(ID, 'purchase', { ...base, amount: 1, pin: '1234' }), { field: 52 });
    assert.throws(() => buildTransaction(ID, 'purchase', { ...base, batch: '1', amount: 1 }), { field: 60 });
  });

  it('a reversal repeats the identifying fields and STAN, with the reason in field 39 (98 by default)', () => {
    const req = buildTransaction(ID, 'purchase', {
      stan: '000009',
      batch: '000001',
      card: CARD,
      amount: 100,
    });
    req.fields[64] = '0000000000000000';
    const rev = buildReversal(req);
    assert.equal(rev.mti, '0400');
    assert.deepEqual([rev.fields[11], rev.fields[4], rev.fields[39]], ['000009', '000000000100', '98']);
    assert.equal(rev.fields[64], undefined);
    assert.equal(rev.fields[35], undefined);
    assert.equal(buildReversal(req, 'A0').fields[39], 'A0');
  });
});
