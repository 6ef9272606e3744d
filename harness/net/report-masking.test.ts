import { strict as assert } from 'node:assert';
import { maskFieldValue, maskReportText } from './report-masking.js';

// Test card PAN of fixtures/cards/cup-debit.yaml; merchant id and MAC as the host simulator sends them.
const PAN = '6222021000000000017';
const MID = '123456789012345';
const MAC = '3644454339334433'; // field 64: 8 ASCII hex characters, shown as the hex of their bytes

describe('net/report masking (by field)', () => {
  it('masks a PAN by field and leaves a merchant id, a terminal id and a MAC as sent', () => {
    assert.equal(maskFieldValue('2', PAN), '622202*********0017');
    assert.equal(maskFieldValue('request.2', PAN), '622202*********0017');
    assert.equal(maskFieldValue('2', '622202*********0017'), '622202*********0017', 'idempotent');
    assert.equal(maskFieldValue('42', MID), MID);
    assert.equal(maskFieldValue('response.64', MAC), MAC);
    assert.equal(maskFieldValue('41', '12345678'), '12345678');
  });

  it('hides track data and PIN blocks, masks tag 5A and hides tag 57 inside 55', () => {
    assert.equal(maskFieldValue('35', `${PAN}D30122011234`), '<track data redacted, 31 hex>');
    assert.equal(maskFieldValue('35', '<track data redacted, 37 hex>'), '<track data redacted, 37 hex>');
    assert.equal(maskFieldValue('52', '0412AC89ABCDEF67'), '<PIN block redacted, 16 hex>');
    assert.equal(maskFieldValue('55.5A', `${PAN}F`), '622202*********0017F');
    assert.equal(maskFieldValue('request.55.57', '6222021000000000017D3012'), '*'.repeat(24));
    assert.equal(maskFieldValue('55.9F26', '95BBE372271DDA7C'), '95BBE372271DDA7C');
    assert.equal(
      maskFieldValue('55', `5A0A${PAN}F9F2608${'12'.repeat(8)}`),
      `5A0A622202*********0017F9F2608${'12'.repeat(8)}`,
    );
    // By the tag dictionary's list: the PBOC cardholder ID (9F61) and PIN data (99) too, also in a value
    // masked at the source already (a second line that gives the same text).
    const id = Buffer.from('110101199001011234').toString('hex').toUpperCase();
    const at55 = `5A0A622202*********0017F9F6112${id}99021234`;
    const twice = `5A0A622202*********0017F9F6112${'*'.repeat(36)}9902****`;
    assert.equal(maskFieldValue('55', at55), twice);
    assert.equal(maskFieldValue('55', twice), twice);
    assert.equal(maskFieldValue('response.55.9F61', id), '*'.repeat(36));
    // Free-text fields (48, 63…) are not known to be safe without the dialect: digit runs still masked.
    assert.equal(maskFieldValue('48', `REF${PAN}`), 'REF622202*********0017');
    assert.equal(maskFieldValue('response.63', `CUP ${PAN}`), 'CUP 622202*********0017');
    // Not a field path: free text rules.
    assert.equal(maskFieldValue('display', `CARD ${PAN}`), 'CARD 622202*********0017');
  });

  it('masks a timeline line by field: 2 masked, 42 and 64 as sent, redaction markers intact', () => {
    const line =
      `+0.059s HOST     → 0200 conn 2 2=${PAN} 4=000000002500 35=<track data redacted, 37 hex> ` +
      `41=12345678 42=${MID} 52=<PIN block redacted, 16 hex> 64=${MAC}`;
    const masked = maskReportText(line);
    assert.equal(
      masked,
      `+0.059s HOST     → 0200 conn 2 2=622202*********0017 4=000000002500 35=<track data redacted, 37 hex> ` +
        `41=12345678 42=${MID} 52=<PIN block redacted, 16 hex> 64=${MAC}`,
    );
    assert.equal(maskReportText(masked), masked, 'idempotent');
  });

  it('masks failure differences and specs by field, free text by the look of a PAN', () => {
    const text = [
      `expected host {"request":{"mti":"0200","2":"${PAN}","42":"${MID}"}}`,
      `  request:  0200 2=622202*********0017 42=${MID} 64=${MAC}`,
      `  request.42: expected = ${MID}, got 123456789099999`,
      `  request.2: expected = ${PAN}, got ${PAN}`,
      `  response.39: expected = 00, got absent`,
      `display showed: "CARD ${PAN}"`,
    ].join('\n');
    assert.equal(
      maskReportText(text),
      [
        `expected host {"request":{"mti":"0200","2":"622202*********0017","42":"${MID}"}}`,
        `  request:  0200 2=622202*********0017 42=${MID} 64=${MAC}`,
        `  request.42: expected = ${MID}, got 123456789099999`,
        `  request.2: expected = 622202*********0017, got 622202*********0017`,
        `  response.39: expected = 00, got absent`,
        `display showed: "CARD 622202*********0017"`,
      ].join('\n'),
    );
  });

  it('masks a PAN in free text after the value of a difference line', () => {
    assert.equal(
      maskReportText(`  response.39: expected = 00, got 51 for ${PAN}`),
      '  response.39: expected = 00, got 51 for 622202*********0017',
    );
    assert.equal(
      maskReportText(`  request.42: expected = ${MID}, got ${MID} (card ${PAN})`),
      `  request.42: expected = ${MID}, got ${MID} (card 622202*********0017)`,
    );
  });
});
