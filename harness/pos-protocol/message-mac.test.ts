import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { fromHex, macCupEcbField, toHex } from '../crypto/index.js';
import { encodeFrame, frameHeaderBytes, loadDialect, macInput, type IsoMessage } from '../iso8583/index.js';
import { applyMac, computeMac, MessageMac, verifyMac } from './message-mac.js';

const cup = loadDialect('cup');
const MAK = fromHex('2222222222222222');

function purchase(): IsoMessage {
  return {
    mti: '0200',
    fields: {
      2: '6222021000000000017',
      3: '000000',
      4: '000000000100',
      11: '000001',
      22: '021',
      25: '00',
      41: '12345678',
      42: '123456789012345',
      49: '156',
      60: '22000001000',
      63: '01 ',
    },
  };
}

describe('pos-protocol/message-mac (MAC application)', () => {
  it('gives the published UnionPay ECB MAC E267B6E2 for the worked MAB (field 64 = its 8 ASCII bytes)', () => {
    // github.com/solo123/pgate pos_mac_test.rb: MAB 1234567890ABCDEF ABCDEF1234567890, MAK 2222222222222222.
    const mab = fromHex('1234567890ABCDEFABCDEF1234567890');
    const mac = new MessageMac(cup);
    assert.equal(mac.computeBytes(MAK, mab).toString('latin1'), 'E267B6E2');
    assert.equal(mac.verifyBytes(MAK, mab, 0, mab.length, '4532363742364532'), true);
    assert.equal(mac.verifyBytes(MAK, mab, 0, mab.length, '4532363742364533'), false);
  });

  it('apply → verify: the MAC holds, and breaks when a covered field, the MTI or the key changes', () => {
    const msg = applyMac(cup, purchase(), MAK);
    assert.match(msg.fields[64] ?? '', /^[0-9A-F]{16}$/);
    assert.equal(verifyMac(cup, msg, MAK), true);
    assert.equal(verifyMac(cup, { ...msg, fields: { ...msg.fields, 4: '000000000101' } }, MAK), false);
    assert.equal(verifyMac(cup, { ...msg, fields: { ...msg.fields, 63: '02 ' } }, MAK), false);
    assert.equal(verifyMac(cup, { ...msg, mti: '0220' }, MAK), false);
    assert.equal(verifyMac(cup, msg, fromHex('3333333333333333')), false);
    // Lower-case hex is the same MAC field.
    assert.equal(
      verifyMac(cup, { ...msg, fields: { ...msg.fields, 64: msg.fields[64]!.toLowerCase() } }, MAK),
      true,
    );
  });

  it('is the CUP ECB MAC of exactly the bytes from the MTI up to field 64', () => {
    const msg = purchase();
    assert.equal(computeMac(cup, msg, MAK), toHex(macCupEcbField(MAK, macInput(cup, msg))));
  });

  it('refuses a message without a MAC, and one that does not encode, as not verifying', () => {
    assert.equal(verifyMac(cup, purchase(), MAK), false);
    const bad = applyMac(cup, purchase(), MAK);
    bad.fields[4] = 'not digits';
    assert.equal(verifyMac(cup, bad, MAK), false);
  });

  it('the frame path and the message path agree: MAC written into a frame verifies as a decoded message', () => {
    const mac = new MessageMac(cup);
    const mak = randomBytes(8);
    const msg = mac.apply(purchase(), mak);
    const frame = encodeFrame(cup, msg);
    const start = frameHeaderBytes(cup);
    assert.equal(mac.verifyBytes(mak, frame, start, frame.length - 8, msg.fields[64] as string), true);
    const copy = Buffer.from(frame);
    copy.fill(0, copy.length - 8);
    mac.computeInto(mak, copy, start, copy.length - 8, copy, copy.length - 8);
    assert.equal(toHex(copy.subarray(copy.length - 8)), msg.fields[64]);
    assert.equal(mac.verify(msg, mak), true);
  });

  it('takes the frame path only where field 64 is 8 raw bytes ending the frame (no secondary-bitmap field)', () => {
    const binary = new MessageMac(loadDialect('iso87-binary'));
    const ascii = new MessageMac(loadDialect('iso87-ascii'));
    assert.equal(new MessageMac(cup).onFrame(purchase()), true);
    assert.equal(binary.onFrame({ mti: '0800', fields: { 11: '000001', 64: '00' } }), true);
    assert.equal(binary.onFrame({ mti: '0800', fields: { 11: '000001', 70: '301' } }), false);
    // Hex-ASCII field 64 is 16 characters on the wire: always through the decoded message.
    assert.equal(ascii.onFrame({ mti: '0800', fields: { 11: '000001' } }), false);
  });

  it('on a secondary-bitmap message the MAC goes in field 128 and verifies there', () => {
    const d = loadDialect('iso87-binary');
    const msg = applyMac(d, { mti: '0800', fields: { 11: '000001', 41: '12345678', 70: '301' } }, MAK);
    assert.equal(msg.fields[64], undefined);
    assert.match(msg.fields[128] ?? '', /^[0-9A-F]{16}$/);
    assert.equal(verifyMac(d, msg, MAK), true);
    assert.equal(verifyMac(d, { ...msg, fields: { ...msg.fields, 70: '001' } }, MAK), false);
  });
});
