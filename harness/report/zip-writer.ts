/**
 * A small ZIP writer (PKWARE APPNOTE 6.3: local file headers, central directory, end of central
 * directory; deflate or stored; UTF-8 names). No ZIP64: an archive stays under 4 GiB and 65535 entries,
 * which an evidence bundle does by far.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { ReportError } from './errors.js';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, relative, no `..`. */
  name: string;
  data: Buffer;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
/** Version 2.0: deflate. */
const VERSION_NEEDED = 20;
/** Made by: 3 = Unix (so the external attributes carry a file mode), version 2.0. */
const VERSION_MADE_BY = (3 << 8) | 20;
/** General purpose flag bit 11: names are UTF-8. */
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const MAX_32 = 0xffffffff;

/** MS-DOS date and time from the UTC fields (the format has no zone; 2-second resolution; 1980–2107). */
function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

/** Throws unless `name` is a safe relative archive path. */
export function checkZipName(name: string): void {
  if (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.split('/').some((p) => p === '' || p === '.' || p === '..') ||
    Buffer.byteLength(name) > 0xffff
  )
    throw new ReportError('E_ZIP_NAME', `'${name}' is not a relative path for a ZIP entry`);
}

/** The ZIP archive of `entries` (in that order), every entry dated `time`. */
export function zipArchive(entries: readonly ZipEntry[], time: Date = new Date()): Buffer {
  if (entries.length > 0xffff)
    throw new ReportError('E_ZIP_LIMIT', `${entries.length} files: more than a ZIP without ZIP64 holds`);
  const { date, time: dosTime } = dosDateTime(time);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const e of entries) {
    checkZipName(e.name);
    if (seen.has(e.name)) throw new ReportError('E_ZIP_NAME', `'${e.name}' is in the archive twice`);
    seen.add(e.name);
    const name = Buffer.from(e.name, 'utf8');
    const deflated = deflateRawSync(e.data, { level: 6 });
    const stored = deflated.length >= e.data.length;
    const body = stored ? e.data : deflated;
    const crc = crc32(e.data) >>> 0;
    if (e.data.length > MAX_32 || offset > MAX_32)
      throw new ReportError('E_ZIP_LIMIT', `${e.name}: the archive passes 4 GiB (no ZIP64)`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(stored ? METHOD_STORED : METHOD_DEFLATE, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const head = Buffer.alloc(46);
    head.writeUInt32LE(CENTRAL_HEADER, 0);
    head.writeUInt16LE(VERSION_MADE_BY, 4);
    head.writeUInt16LE(VERSION_NEEDED, 6);
    head.writeUInt16LE(FLAG_UTF8, 8);
    head.writeUInt16LE(stored ? METHOD_STORED : METHOD_DEFLATE, 10);
    head.writeUInt16LE(dosTime, 12);
    head.writeUInt16LE(date, 14);
    head.writeUInt32LE(crc, 16);
    head.writeUInt32LE(body.length, 20);
    head.writeUInt32LE(e.data.length, 24);
    head.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number start, internal attributes: 0
    head.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    head.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(head, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  if (offset > MAX_32 || centralSize > MAX_32)
    throw new ReportError('E_ZIP_LIMIT', 'the archive passes 4 GiB (no ZIP64)');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}
