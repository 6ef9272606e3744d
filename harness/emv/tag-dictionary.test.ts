import assert from 'node:assert/strict';
import { SENSITIVE_TAGS, allTags, tagInfo, tagName, tagSensitivity } from './tag-dictionary.js';

describe('emv/tag-dictionary', () => {
  // The tags a UnionPay terminal, card and host exchange (issue 3 list; EMV 4.3 Book 3 Annex A; JR/T 0025).
  const required = `4F 50 57 5A 5F20 5F24 5F25 5F28 5F2A 5F34 82 84 87 88 8C 8D 8E 8F 90 92 94 95 9A 9B 9C
    9F02 9F03 9F06 9F07 9F08 9F09 9F0D 9F0E 9F0F 9F10 9F12 9F13 9F14 9F17 9F1A 9F1E 9F21 9F23 9F26 9F27
    9F33 9F34 9F35 9F36 9F37 9F38 9F41 9F42 9F46 9F47 9F48 9F49 9F4A 9F4B 9F4C 9F4D 9F4F 9F51 9F52 9F53
    9F54 9F55 9F56 9F57 9F58 9F59 9F5A 9F5B 9F5C 9F5D 9F66 9F6C 9F74 9F79 DF4F 91 71 72 86 8A 6F 70 77 80
    A5 BF0C 61 DF31`.split(/\s+/);

  it('knows every tag of the issue list', () => {
    const missing = required.filter((t) => tagInfo(t) === undefined);
    assert.deepEqual(missing, []);
  });

  it('gives name, format, source and length of well-known elements (EMV Book 3 Annex A)', () => {
    assert.deepEqual(pickInfo('9F26'), ['Application Cryptogram (AC)', 'b', 'ICC', 8, 8]);
    assert.deepEqual(pickInfo('9F02'), ['Amount, Authorised (Numeric)', 'n', 'Terminal', 6, 6]);
    assert.deepEqual(pickInfo('5A'), ['Application Primary Account Number (PAN)', 'cn', 'ICC', 0, 10]);
    assert.deepEqual(pickInfo('8A'), ['Authorisation Response Code', 'an', 'Issuer', 2, 2]);
    assert.equal(tagInfo('9F79')?.spec, 'PBOC');
    assert.equal(tagInfo('9F79')?.name, 'EC Balance');
    assert.equal(tagInfo('9F74')?.format, 'a');
    assert.equal(tagInfo('5A')?.sensitive, 'pan');
    assert.equal(tagInfo('57')?.sensitive, 'track');
    assert.equal(tagInfo('9F27')?.sensitive, undefined);
  });

  it('is the one list of sensitive tags: cardholder data and identity, not the application', () => {
    // PCI DSS cardholder data (PAN, track data and its chip and contactless equivalents, PIN data) and the
    // cardholder's identity (EMV name 5F20 / 9F0B, PBOC ID number 9F61).
    assert.deepEqual(Object.fromEntries(SENSITIVE_TAGS), {
      '56': 'track',
      '57': 'track',
      '5A': 'pan',
      '5F20': 'pii',
      '99': 'pin',
      '9F0B': 'pii',
      '9F1F': 'track',
      '9F20': 'track',
      '9F61': 'pii',
      '9F6B': 'track',
    });
    for (const clear of ['4F', '50', '84', '9F06', '9F12', '9F62', '5F24', '9F26', '9F02'])
      assert.equal(tagSensitivity(clear), undefined, clear);
    assert.equal(tagSensitivity('9f6b'), 'track');
    for (const [tag, s] of SENSITIVE_TAGS) assert.equal(tagInfo(tag)?.sensitive, s);
  });

  it('is case-insensitive and labels unknown tags', () => {
    assert.equal(tagInfo('9f26')?.tag, '9F26');
    assert.equal(tagInfo('9F7F'), undefined);
    assert.equal(tagName('9F7F'), 'Unknown tag');
    assert.equal(tagName('DF8101'), 'Proprietary tag');
    assert.equal(tagName('df31'), 'Issuer Script Results');
  });

  it('lists entries once each, sorted, with lengths that make sense', () => {
    const all = allTags();
    const tags = all.map((t) => t.tag);
    assert.deepEqual(tags, [...new Set(tags)].sort());
    for (const t of all) {
      assert.match(t.tag, /^[0-9A-F]{2,6}$/);
      if (t.minLength !== undefined && t.maxLength !== undefined)
        assert.ok(t.minLength <= t.maxLength, t.tag);
    }
  });
});

function pickInfo(tag: string): unknown[] {
  const i = tagInfo(tag);
  return [i?.name, i?.format, i?.source, i?.minLength, i?.maxLength];
}
