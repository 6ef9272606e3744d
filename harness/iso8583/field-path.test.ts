import { strict as assert } from 'node:assert';
import { loadDialect } from './dialect-loader.js';
import { DecodeError, PathError } from './errors.js';
import { getPath, setPath } from './field-path.js';
import { decodeFrame, encodeFrame, type DecodedFrame } from './message-codec.js';
import { macField, macInput } from './mac-input.js';
import { CUP_PURCHASE_0200_HEX } from './sample-frames.js';

const cup = loadDialect('cup');
const frame = Buffer.from(CUP_PURCHASE_0200_HEX, 'hex');
const fresh = (): DecodedFrame => decodeFrame(cup, frame);

describe('iso8583/field-path', () => {
  it('reads mti, tpdu, header, fields, subfields and TLV tags', () => {
    const m = fresh();
    assert.equal(getPath(cup, m, 'mti'), '0200');
    assert.equal(getPath(cup, m, 'tpdu'), '6000060000');
    assert.equal(getPath(cup, m, 'header'), '603100311003');
    assert.equal(getPath(cup, m, '3'), '000000');
    assert.equal(getPath(cup, m, '39'), undefined);
    // Field 60 = 22 000024 000 6 0 0: message type code 22 (purchase), batch 000024.
    assert.equal(getPath(cup, m, '60.1'), '22');
    assert.equal(getPath(cup, m, '60.2'), '000024');
    assert.equal(getPath(cup, m, '60.3'), '000');
    assert.equal(getPath(cup, m, '60.4'), '6');
    assert.equal(getPath(cup, m, '60.7'), undefined); // the terminal sent only the first six subfields
    // Field 55 as published: 9F26 (ARQC) 95BBE372271DDA7C, 9F27 (CID) 80, 9F36 (ATC) 0157, 84 (DF name).
    assert.equal(getPath(cup, m, '55.9F26'), '95BBE372271DDA7C');
    assert.equal(getPath(cup, m, '55.9f27'), '80');
    assert.equal(getPath(cup, m, '55.9F36'), '0157');
    assert.equal(getPath(cup, m, '55.84'), 'A000000333010102');
    assert.equal(getPath(cup, m, '55.9F5D'), undefined);
  });

  it('writes fields, subfields and TLV tags so that the frame re-encodes', () => {
    const m = fresh();
    setPath(cup, m, '39', '00');
    setPath(cup, m, '60.2', '000025');
    setPath(cup, m, '60.7', '1');
    setPath(cup, m, '55.9F27', '40');
    setPath(cup, m, '55.9F5D', '000000000100');
    setPath(cup, m, '55.9F26', undefined);
    const back = decodeFrame(cup, encodeFrame(cup, m));
    assert.equal(getPath(cup, back, '39'), '00');
    assert.equal(back.fields[60], '22000025000600001');
    assert.equal(getPath(cup, back, '55.9F27'), '40');
    assert.equal(getPath(cup, back, '55.9F5D'), '000000000100');
    assert.equal(getPath(cup, back, '55.9F26'), undefined);
    assert.equal(getPath(cup, back, '55.9F36'), '0157');
  });

  it('fills missing subfields before the one written and removes only the last one', () => {
    const m: DecodedFrame = { mti: '0800', fields: {} };
    setPath(cup, m, '60.3', '3');
    assert.equal(m.fields[60], '00000000003');
    setPath(cup, m, '63.1', 'CUP');
    assert.equal(m.fields[63], 'CUP');
    assert.throws(() => setPath(cup, m, '60.2', undefined), PathError);
    setPath(cup, m, '60.3', undefined);
    assert.equal(m.fields[60], '00000000');
    assert.throws(() => setPath(cup, m, '60.2', '1234567'), /holds 6 characters/);
  });

  it('refuses paths the dialect does not know', () => {
    const m = fresh();
    assert.throws(
      () => getPath(cup, m, '5'),
      (e: unknown) => e instanceof PathError && /not defined in dialect cup/.test(e.message),
    );
    assert.throws(() => getPath(cup, m, '60.9'), /has subfields 60\.1, 60\.2/);
    assert.throws(() => getPath(cup, m, '39.1'), /neither subfields nor TLV/);
    assert.throws(() => getPath(cup, m, '55.XYZ'), /hex tag/);
    assert.throws(() => getPath(cup, m, 'amount'), PathError);
  });

  it('reports malformed TLV in field 55 as a DecodeError of field 55', () => {
    const m = fresh();
    m.fields[55] = '9F2608AABB';
    assert.throws(
      () => getPath(cup, m, '55.9F26'),
      (e: unknown) => e instanceof DecodeError && e.field === 55,
    );
  });
});

describe('iso8583/mac-input', () => {
  it('covers MTI through field 63 of the published CUP frame, bitmap as sent', () => {
    const m = fresh();
    // 2 (length) + 5 (TPDU) + 6 (header) = 13 bytes before the MTI; field 64 is the last 8 bytes.
    assert.ok(macInput(cup, m).equals(frame.subarray(13, frame.length - 8)));
    assert.equal(macField(m), 64);
  });

  it('sets the MAC bit when the message has no MAC yet', () => {
    const m = fresh();
    delete m.fields[64];
    assert.ok(macInput(cup, m).equals(frame.subarray(13, frame.length - 8)));
  });

  it('uses field 128 with a secondary bitmap', () => {
    const d = loadDialect('iso87-ascii');
    const m = { mti: '0800', fields: { 11: '000001', 70: '001' } };
    assert.equal(macField(m), 128);
    assert.equal(
      macInput(d, m).toString('latin1'),
      '0800' + '8020000000000000' + '0400000000000001' + '000001' + '001',
    );
  });
});
