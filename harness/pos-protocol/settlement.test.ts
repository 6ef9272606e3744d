import { strict as assert } from 'node:assert';
import {
  buildBatchUpload,
  buildSettlement,
  readSettlementTotals,
  settlementAnswerField,
  settlementResult,
} from './settlement.js';

const ID = { terminalId: '12345678', merchantId: '123456789012345' };
const TOTALS = { debitAmount: 12345, debitCount: 3, creditAmount: 100, creditCount: 1 };

describe('pos-protocol/settlement', () => {
  it('writes the 0500 totals (field 48) that the host reads back, and the answer’s result digit', () => {
    const m = buildSettlement(ID, '000010', '000001', TOTALS);
    assert.equal(m.mti, '0500');
    assert.equal(m.fields[48], '000000012345' + '003' + '000000000100' + '001' + '0' + '0'.repeat(31));
    assert.equal(m.fields[60], '00000001201');
    assert.deepEqual(readSettlementTotals(m.fields[48]), TOTALS);
    const ok = settlementAnswerField(m.fields[48] as string, true);
    const bad = settlementAnswerField(m.fields[48] as string, false);
    assert.equal(ok.length, 62);
    assert.equal(settlementResult({ mti: '0510', fields: { 48: ok } }), 'balanced');
    assert.equal(settlementResult({ mti: '0510', fields: { 48: bad } }), 'unbalanced');
    assert.equal(settlementResult({ mti: '0510', fields: {} }), 'unknown');
  });

  it('reads nothing from a field 48 that is short or not digits', () => {
    assert.equal(readSettlementTotals(undefined), undefined);
    assert.equal(readSettlementTotals('0'.repeat(29)), undefined);
    assert.equal(readSettlementTotals('0'.repeat(29) + 'X'), undefined);
  });

  it('refuses counts beyond 3 digits', () => {
    assert.throws(() => buildSettlement(ID, '000010', '000001', { ...TOTALS, debitCount: 1000 }), {
      code: 'E_POS_REQUEST',
      field: 48,
    });
  });

  it('builds a 0320 batch upload of one transaction (60.1 = 36)', () => {
    const m = buildBatchUpload(ID, '000002', {
      stan: '000005',
      pan: '6222021000000000017',
      amount: 7,
      iccData: '9f7406',
    });
    assert.deepEqual(
      [m.mti, m.fields[4], m.fields[22], m.fields[55], m.fields[60]],
      ['0320', '000000000007', '072', '9F7406', '36000002201'],
    );
  });
});
