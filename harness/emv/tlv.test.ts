import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TlvError } from './errors.js';
import {
  encodeLength,
  encodeTlv,
  findAllTags,
  findTag,
  flattenTlv,
  parseTlv,
  readLength,
  tagBytes,
  type Tlv,
  type TlvInput,
} from './tlv.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const h = (b: Uint8Array | undefined): string =>
  Buffer.from(b ?? [])
    .toString('hex')
    .toUpperCase();

/** Runs `fn`, expects a TlvError, returns it. */
function tlvError(fn: () => unknown): TlvError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TlvError, `expected TlvError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a TlvError');
}

describe('emv/tlv', () => {
  describe('known answers from real card responses', () => {
    // russss/python-emv, emv/protocol/test/test_structures.py: a Barclays Visa debit card's SELECT response.
    it('parses an FCI (6F > 84, A5 > 50, 87, 5F2D)', () => {
      const nodes = parseTlv(
        hex('6F 1D 84 07 A0 00 00 00 03 80 02 A5 12 50 08 42 41 52 43 4C 41 59 53 87 01 00 5F 2D 02 65 6E'),
      );
      assert.equal(nodes.length, 1);
      const fci = nodes[0] as Tlv;
      assert.equal(fci.tag, '6F');
      assert.equal(fci.constructed, true);
      assert.deepEqual(
        fci.children?.map((c) => c.tag),
        ['84', 'A5'],
      );
      assert.equal(h(findTag(nodes, '84')?.value), 'A0000000038002');
      assert.equal(findTag(nodes, '50')?.value.toString('latin1'), 'BARCLAYS');
      assert.equal(h(findTag(nodes, '87')?.value), '00');
      assert.equal(findTag(nodes, '5f2d')?.value.toString('latin1'), 'en');
      const a5 = findTag(nodes, 'A5');
      assert.deepEqual(
        a5?.children?.map((c) => c.tag),
        ['50', '87', '5F2D'],
      );
    });

    // Same source: the GENERATE AC response (format 2) of that card.
    it('parses a GENERATE AC response (77 > 9F27, 9F36, 9F26, 9F10)', () => {
      const nodes = parseTlv(
        hex(
          '77 1E 9F 27 01 80 9F 36 02 00 05 9F 26 08 6E CF 93 47 C1 A9 24 71 9F 10 07 06 0B 0A 03 A4 90 00',
        ),
      );
      assert.equal(nodes[0]?.tag, '77');
      assert.deepEqual(
        nodes[0]?.children?.map((c) => [c.tag, h(c.value)]),
        [
          ['9F27', '80'],
          ['9F36', '0005'],
          ['9F26', '6ECF9347C1A92471'],
          ['9F10', '060B0A03A49000'],
        ],
      );
    });

    // Same source (test_duplicate_tags): a PSE directory record with three application templates.
    it('parses a PSE record with repeated 61 templates', () => {
      const nodes = parseTlv(
        hex(`70 4A 61 16 4F 07 A0 00 00 00 29 10 10 50 08 4C 49 4E 4B 20 41 54 4D 87 01 01
                   61 18 4F 07 A0 00 00 00 03 10 10 50 0A 56 49 53 41 20 44 45 42 49 54 87 01 02
                   61 16 4F 07 A0 00 00 00 03 80 02 50 08 42 41 52 43 4C 41 59 53 87 01 00`),
      );
      const apps = findAllTags(nodes, '61');
      assert.equal(apps.length, 3);
      assert.deepEqual(
        findAllTags(nodes, '4F').map((t) => h(t.value)),
        ['A0000000291010', 'A0000000031010', 'A0000000038002'],
      );
      assert.deepEqual(
        findAllTags(nodes, '50').map((t) => t.value.toString('latin1')),
        ['LINK ATM', 'VISA DEBIT', 'BARCLAYS'],
      );
      // first occurrence wins in a flat view
      assert.equal(flattenTlv(nodes).get('4F')?.toString('hex').toUpperCase(), 'A0000000291010');
    });

    // russss/python-emv, emv/test/fixtures.py APP_DATA: a READ RECORD response (CDOL1, CDOL2, CVM list, PAN…).
    it('parses a READ RECORD response (70 with DOLs, CVM list, PAN)', () => {
      const nodes = parseTlv(
        hex(`70 68 8C 15 9F 02 06 9F 03 06 9F 1A 02 95 05 5F 2A 02 9A 03 9C 01 9F 37 04 8D 17 8A 02 9F 02
             06 9F 03 06 9F 1A 02 95 05 5F 2A 02 9A 03 9C 01 9F 37 04 8E 0A 00 00 00 00 00 00 00 00 01 00
             9F 56 12 80 00 FF 00 00 00 00 00 01 FF FF 00 00 00 00 00 00 00 9F 55 01 A0 5A 08 46 58 12 34
             56 78 90 09 5F 34 01 00 9F 08 02 00 01`),
      );
      assert.deepEqual(
        nodes[0]?.children?.map((c) => c.tag),
        ['8C', '8D', '8E', '9F56', '9F55', '5A', '5F34', '9F08'],
      );
      assert.equal(h(findTag(nodes, '8C')?.value), '9F02069F03069F1A0295055F2A029A039C019F3704');
      assert.equal(h(findTag(nodes, '8E')?.value), '00000000000000000100');
      assert.equal(h(findTag(nodes, '5A')?.value), '4658123456789009');
      assert.equal(h(findTag(nodes, '9F08')?.value), '0001');
    });

    // coolbong/JavaTlv, src/test/java/TlvParserTest.java (test_dummy_bytes_skip_001): a GPO response
    // whose template carries 00 filler bytes before the AIP.
    it('skips 00 filler bytes inside a GPO response template', () => {
      const nodes = parseTlv(hex('77 11 00 00 00 82 02 18 00 94 08 08 01 01 00 18 01 02 00'));
      assert.deepEqual(
        nodes[0]?.children?.map((c) => [c.tag, h(c.value)]),
        [
          ['82', '1800'],
          ['94', '0801010018010200'],
        ],
      );
    });

    // coolbong/JavaTlv, src/test/java/DgiTest.java: a personalisation record (70 > 57, 5F20).
    it('parses a record with Track 2 equivalent data and cardholder name', () => {
      const nodes = parseTlv(hex('702057125981786067381230D29125010000000000005F20094B4C53432043415244'));
      assert.equal(h(findTag(nodes, '57')?.value), '5981786067381230D2912501000000000000');
      assert.equal(findTag(nodes, '5F20')?.value.toString('latin1'), 'KLSC CARD');
    });

    // knovichikhin/pyemv tlv docstring: encode({'9C': 01, 'E0': {'5F2A': 0208}, '9F02': ''}).
    it('encodes the pyemv docstring example byte for byte', () => {
      const out = encodeTlv([
        { tag: '9C', value: hex('01') },
        { tag: 'E0', children: [{ tag: '5F2A', value: hex('0208') }] },
        { tag: '9F02', value: Buffer.alloc(0) },
      ]);
      assert.equal(h(out), '9C0101E0055F2A0202089F0200');
    });
  });

  describe('tags', () => {
    // Stack Overflow 71772728 (answer citing EMV Book 3 Annex B1): in DF9A03… the 9A byte has b8 set,
    // so the tag is the 3 bytes DF9A03 with length 00, and "17 36" is a new object whose length runs off.
    it('reads a 3-byte tag (DF9A03) and reports the overrun after it', () => {
      const err = tlvError(() => parseTlv(hex('DF9A03001736')));
      assert.equal(err.reason, 'length-past-end');
      assert.equal(err.offset, 5);
      assert.equal(err.tag, '17');
      const ok = parseTlv(hex('DF9A0300'));
      assert.deepEqual(
        ok.map((n) => [n.tag, n.value.length]),
        [['DF9A03', 0]],
      );
      assert.equal(h(parseTlv(hex('DF5603001736'))[0]?.value), '001736');
    });

    it('refuses a tag longer than 4 bytes', () => {
      const err = tlvError(() => parseTlv(hex('DF8181818101 00')));
      assert.equal(err.reason, 'bad-tag');
      assert.equal(err.offset, 0);
    });

    it('reports a tag cut off by the end of input', () => {
      const err = tlvError(() => parseTlv(hex('9F2701 80 9F')));
      assert.equal(err.reason, 'truncated-tag');
      assert.equal(err.offset, 4);
    });

    it('checks tags it is asked to encode', () => {
      assert.equal(h(tagBytes('9f26')), '9F26');
      assert.equal(h(tagBytes('DF8101')), 'DF8101');
      for (const bad of ['9F', '5A5A', 'DF81', '00', 'FF01', 'xyz', '', '9F2601']) {
        const err = tlvError(() => tagBytes(bad));
        assert.equal(err.reason, 'bad-tag', bad);
      }
      assert.equal(tlvError(() => encodeTlv([{ tag: '5A', children: [] }])).reason, 'children-on-primitive');
    });
  });

  describe('lengths', () => {
    // Mbed TLS tests/suites/test_suite_asn1parse.data ("length=…" cases): BER long-form lengths.
    it('reads the short and long forms (81, 82, 83, 84)', () => {
      const cases: [string, number][] = [
        ['00', 0],
        ['7F', 127],
        ['8100', 0],
        ['8180', 128],
        ['820000', 0],
        ['820080', 128],
        ['83000001', 1],
        ['8400000001', 1],
        ['820100', 256],
      ];
      for (const [field, n] of cases) assert.equal(readLength(hex(field), 0).length, n, field);
      assert.equal(h(encodeLength(127)), '7F');
      assert.equal(h(encodeLength(128)), '8180');
      assert.equal(h(encodeLength(255)), '81FF');
      assert.equal(h(encodeLength(256)), '820100');
      assert.equal(h(encodeLength(65536)), '83010000');
    });

    it('parses objects with 81 and 82 lengths (issuer script template over 255 bytes)', () => {
      const v81 = Buffer.alloc(200, 0xab);
      const p81 = parseTlv(Buffer.concat([hex('9F10 81 C8'), v81]));
      assert.equal(p81[0]?.value.length, 200);
      const cmd = Buffer.alloc(300, 0x11);
      const script = Buffer.concat([hex('71 82 01 30 86 82 01 2C'), cmd]);
      const p82 = parseTlv(script);
      assert.equal(p82[0]?.tag, '71');
      assert.equal(p82[0]?.children?.[0]?.tag, '86');
      assert.equal(p82[0]?.children?.[0]?.value.length, 300);
      assert.deepEqual(encodeTlv([{ tag: '71', children: [{ tag: '86', value: cmd }] }]), script);
    });

    it('refuses indefinite length (80) and more than 4 length bytes', () => {
      const indef = tlvError(() => parseTlv(hex('70 80 5A 01 11 00 00')));
      assert.equal(indef.reason, 'indefinite-length');
      assert.equal(indef.offset, 1);
      assert.equal(indef.tag, '70');
      const long = tlvError(() => parseTlv(hex('5A 85 00 00 00 00 01 11')));
      assert.equal(long.reason, 'length-too-long');
    });

    it('reports truncated input with the offset of the damaged field', () => {
      assert.deepEqual(pick(tlvError(() => parseTlv(hex('9F26')))), ['truncated-length', 2, '9F26']);
      assert.deepEqual(pick(tlvError(() => parseTlv(hex('9F26 82 01')))), ['truncated-length', 2, '9F26']);
      assert.deepEqual(pick(tlvError(() => parseTlv(hex('9A 03 26 01')))), ['length-past-end', 1, '9A']);
      // inside a template: offset is counted from the start of the whole buffer
      assert.deepEqual(pick(tlvError(() => parseTlv(hex('77 05 9F 27 01 80 9F')))), [
        'truncated-tag',
        6,
        '9F',
      ]);
      // a child overrunning its template (even though the outer buffer has more bytes)
      assert.deepEqual(pick(tlvError(() => parseTlv(hex('77 03 9F 27 02 80 80')))), [
        'length-past-end',
        4,
        '9F27',
      ]);
    });
  });

  describe('padding and options', () => {
    it('skips 00 and FF between, before and after objects at every level', () => {
      const nodes = parseTlv(hex('FF 00 9F 36 02 00 05 00 FF 70 06 00 5A 01 11 FF 00 00 FF'));
      assert.deepEqual(
        nodes.map((n) => n.tag),
        ['9F36', '70'],
      );
      assert.deepEqual(
        nodes[1]?.children?.map((n) => [n.tag, h(n.value)]),
        [['5A', '11']],
      );
      assert.deepEqual(parseTlv(hex('00 00 FF')), []);
      assert.deepEqual(parseTlv(Buffer.alloc(0)), []);
    });

    it('leaves templates unparsed with recurse: false, and bounds nesting depth', () => {
      const nodes = parseTlv(hex('70 03 5A 01 11'), { recurse: false });
      assert.equal(nodes[0]?.children, undefined);
      assert.equal(h(nodes[0]?.value), '5A0111');
      let deep: TlvInput = { tag: '5A', value: hex('11') };
      for (let i = 0; i < 6; i++) deep = { tag: '70', children: [deep] };
      const enc = encodeTlv([deep]);
      assert.equal(parseTlv(enc, { maxDepth: 6 }).length, 1);
      assert.equal(tlvError(() => parseTlv(enc, { maxDepth: 5 })).reason, 'nesting-too-deep');
    });

    it('accepts a plain Uint8Array and returns views (no copies)', () => {
      const raw = new Uint8Array(hex('00 9F 36 02 00 05'));
      const [atc] = parseTlv(raw);
      assert.equal(h(atc?.value), '0005');
      raw[5] = 0x06;
      assert.equal(h(atc?.value), '0006');
    });
  });

  describe('properties (fast-check)', () => {
    const tagArb = fc
      .tuple(
        fc.integer({ min: 0, max: 3 }), // class
        fc.integer({ min: 1, max: 3 }), // tag bytes
        fc.integer({ min: 0, max: 30 }), // low-tag-number form
        fc.array(fc.integer({ min: 0, max: 0x7f }), { minLength: 2, maxLength: 2 }),
      )
      .map(([cls, size, num, more]) => ({ cls, size, num, more }));

    const toTag = (
      t: { cls: number; size: number; num: number; more: number[] },
      constructed: boolean,
    ): string => {
      const cbit = constructed ? 0x20 : 0;
      if (t.size === 1) {
        let first = (t.cls << 6) | cbit | Math.max(1, t.num % 31);
        if (first === 0xff || first === 0x00) first = 0x5a;
        return first.toString(16).padStart(2, '0').toUpperCase();
      }
      const first = (t.cls << 6) | cbit | 0x1f;
      if (first === 0xff) return constructed ? 'BF0C' : '9F26';
      const bytes = [first];
      for (let i = 1; i < t.size; i++) {
        const b = (t.more[i - 1] as number) & 0x7f;
        bytes.push(i < t.size - 1 ? b | 0x80 : b === 0 && i === 1 ? 0x01 : b);
      }
      return Buffer.from(bytes).toString('hex').toUpperCase();
    };

    const { node } = fc.letrec<{ node: TlvInput }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc
          .tuple(tagArb, fc.uint8Array({ maxLength: 300 }))
          .map(([t, v]) => ({ tag: toTag(t, false), value: Buffer.from(v) })),
        fc
          .tuple(tagArb, fc.array(tie('node'), { maxLength: 4 }))
          .map(([t, c]) => ({ tag: toTag(t, true), children: c })),
      ),
    }));

    const normalise = (n: Tlv): TlvInput =>
      n.children
        ? { tag: n.tag, children: n.children.map(normalise) }
        : { tag: n.tag, value: Buffer.from(n.value) };

    it('parse(encode(tree)) gives the tree back', () => {
      fc.assert(
        fc.property(fc.array(node, { maxLength: 5 }), (tree) => {
          const bytes = encodeTlv(tree);
          const back = parseTlv(bytes).map(normalise);
          assert.deepEqual(back, tree.map(canon));
          assert.deepEqual(encodeTlv(back), bytes);
        }),
        { numRuns: 300 },
      );
    });

    it('any byte string parses or fails with a TlvError inside the input', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          try {
            parseTlv(bytes);
          } catch (e) {
            assert.ok(e instanceof TlvError);
            assert.ok(e.offset >= 0 && e.offset <= bytes.length, `offset ${e.offset} of ${bytes.length}`);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('every strict prefix of an encoded object fails with a TlvError', () => {
      fc.assert(
        fc.property(node, fc.nat(), (n, cut) => {
          const bytes = encodeTlv([n]);
          const prefix = bytes.subarray(0, cut % bytes.length);
          if (prefix.length === 0 || prefix.every((b) => b === 0 || b === 0xff)) return;
          const err = tlvError(() => parseTlv(prefix));
          assert.ok(
            ['truncated-tag', 'truncated-length', 'length-past-end'].includes(err.reason),
            err.reason,
          );
        }),
        { numRuns: 300 },
      );
    });
  });
});

function pick(e: TlvError): [string, number, string | undefined] {
  return [e.reason, e.offset, e.tag];
}

/** The generator's shape with Buffers made comparable (Uint8Array vs Buffer). */
function canon(n: TlvInput): TlvInput {
  return n.children
    ? { tag: n.tag, children: n.children.map(canon) }
    : { tag: n.tag, value: Buffer.from(n.value ?? []) };
}
