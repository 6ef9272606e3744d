import assert from 'node:assert/strict';
import { encodeTlv, type TlvInput } from './tlv.js';
import {
  maskApduCommand,
  maskApduCommandText,
  maskApduResponse,
  maskApduResponseText,
} from './apdu-masking.js';

const AID = 'A000000333010101';

function tlvHex(...nodes: TlvInput[]): string {
  return encodeTlv(nodes).toString('hex').toUpperCase();
}
const ascii = (s: string): Buffer => Buffer.from(s, 'ascii');

describe('emv/apdu-masking', () => {
  it('shows the AID of a SELECT and of its FCI in clear', () => {
    const select = Buffer.from(`00A4040008${AID}00`, 'hex');
    assert.equal(maskApduCommand(select), `00A4040008${AID}00`);
    // FCI: 6F { 84 DF name, A5 { 50 label, 87 priority, 9F12 preferred name } }, then SW1 SW2.
    const fci =
      tlvHex({
        tag: '6F',
        children: [
          { tag: '84', value: Buffer.from(AID, 'hex') },
          {
            tag: 'A5',
            children: [
              { tag: '50', value: ascii('PBOC DEBIT') },
              { tag: '87', value: Buffer.from([1]) },
              { tag: '9F12', value: ascii('UNIONPAY') },
            ],
          },
        ],
      }) + '9000';
    assert.equal(maskApduResponse(Buffer.from(fci, 'hex')), fci);
  });

  it('masks PAN, track 2, cardholder name and ID in a READ RECORD answer, keeps SW1 SW2', () => {
    const body = tlvHex({
      tag: '70',
      children: [
        { tag: '5A', value: Buffer.from('6222021234567890', 'hex') },
        { tag: '57', value: Buffer.from('6222021234567890D3012201', 'hex') },
        { tag: '5F20', value: ascii('LI/SI') },
        { tag: '9F61', value: ascii('110101199001011234') },
      ],
    });
    const r = maskApduResponse(Buffer.from(body + '9000', 'hex'));
    assert.equal(
      r,
      `70355A08622202******789057${'0C' + '*'.repeat(24)}5F2005${'*'.repeat(10)}9F6112${'*'.repeat(36)}9000`,
    );
    assert.equal(maskApduResponseText(r), r, 'idempotent');
  });

  it('redacts the PIN block of VERIFY, also when the terminal redacted it already', () => {
    assert.equal(
      maskApduCommand(Buffer.from('0020008008241234FFFFFFFFFF', 'hex')),
      '0020008008<PIN block redacted, 16 hex>',
    );
    assert.equal(maskApduCommandText('0020008008<PIN block redacted>'), '0020008008<PIN block redacted>');
  });

  it('masks PAN-like digit runs in other command data, redacts a non-TLV answer', () => {
    assert.equal(maskApduCommandText('80AE80001D6222021234567890123'), '80AE80001D622202*********0123');
    assert.equal(maskApduResponseText('11223344556677889000'), '<unparsable ICC data redacted, 16 hex>9000');
    assert.equal(maskApduResponseText('6A82'), '6A82');
  });
});
