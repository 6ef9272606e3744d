import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDialect } from '../iso8583/index.js';
import { HostJournal } from './journal.js';
import { maskIccHex } from '../emv/index.js';

const d = loadDialect('cup');
const PAN = '6222021000000000017';
const msg = () => ({
  mti: '0200',
  fields: {
    2: PAN,
    3: '000000',
    4: '000000000100',
    11: '000001',
    35: `${PAN}=3012`,
    41: '12345678',
    42: '123456789012345',
    52: '0123456789ABCDEF',
  },
});

describe('host/journal', () => {
  it('masks the PAN, redacts PIN and track data in fields and in the raw bytes', () => {
    const j = new HostJournal({ dialect: d, size: 10 });
    j.record({ direction: 'in', connectionId: 1, message: msg() });
    const [e] = j.entries();
    assert.equal(e?.fields?.['2'], '622202*********0017');
    assert.match(e?.fields?.['52'] ?? '', /^<PIN block redacted/);
    assert.match(e?.fields?.['35'] ?? '', /^<track data redacted/);
    assert.ok(e?.raw && !e.raw.includes('0123456789ABCDEF') && !e.raw.includes('2202100000000000'));
  });
  it('masks PAN and track tags inside field 55, and redacts ICC data that is not TLV', () => {
    // 5A (PAN) keeps its first 6 and last 4 digits, 57 (track 2 equivalent) is hidden, 9F26 stays.
    assert.equal(
      maskIccHex('5A0862220210000000009F260811223344556677885702AABB'),
      '5A08622202******00009F260811223344556677885702****',
    );
    assert.match(maskIccHex('5A0962220210'), /^<unparsable ICC data redacted/);
  });
  it('masks a PAN inside a free-text field (59) in the fields and in the raw bytes', () => {
    const j = new HostJournal({ dialect: d, size: 10 });
    const m = msg();
    j.record({
      direction: 'in',
      connectionId: 1,
      message: { ...m, fields: { ...m.fields, 59: `REF ${PAN} OK` } },
    });
    const [e] = j.entries();
    assert.equal(e?.fields?.['59'], 'REF 622202*********0017 OK');
    const ascii = Buffer.from(e?.raw ?? '', 'hex').toString('latin1');
    assert.ok(ascii.includes('REF 622202*********0017 OK'), ascii);
    assert.ok(!ascii.includes(PAN));
  });
  it('stamps entries with the time source given (the host calendar; the simulated bench time)', () => {
    let t = Date.UTC(2026, 5, 15, 2, 0, 0);
    const j = new HostJournal({ dialect: d, size: 10, now: () => t });
    j.record({ direction: 'in', connectionId: 1, message: msg() });
    t += 1234;
    j.record({ direction: 'out', connectionId: 1, message: msg() });
    assert.deepEqual(
      j.entries().map((e) => e.time),
      ['2026-06-15T02:00:00.000Z', '2026-06-15T02:00:01.234Z'],
    );
  });

  it('keeps only the last `size` entries, oldest first, and counts all', () => {
    const j = new HostJournal({ dialect: d, size: 3 });
    for (let i = 0; i < 5; i++) j.record({ direction: 'event', connectionId: i, event: 'connect' });
    assert.deepEqual(
      j.entries().map((e) => e.connectionId),
      [2, 3, 4],
    );
    assert.equal(j.total, 5);
  });
  it('streams entries to listeners and to a JSONL file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-journal-'));
    try {
      const j = new HostJournal({ dialect: d, size: 3 });
      const seen: number[] = [];
      j.on('entry', (e: { seq: number }) => seen.push(e.seq));
      j.attachFile(join(dir, 'j.jsonl'));
      j.record({ direction: 'in', connectionId: 1, message: msg() });
      j.record({ direction: 'event', connectionId: 1, event: 'close' });
      await j.close();
      assert.deepEqual(seen, [1, 2]);
      const text = readFileSync(join(dir, 'j.jsonl'), 'utf8');
      assert.equal(text.trim().split('\n').length, 2);
      assert.ok(!text.includes(PAN));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
