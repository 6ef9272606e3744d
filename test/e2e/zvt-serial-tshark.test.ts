/**
 * Wireshark's own ZVT dissector decodes payhil's ZVT *serial* traffic. The zvt-serial driver pays through
 * `payhil emulator --zvt serial:…` over a socat pty pair whose socat runs with `-x`: socat itself dumps every
 * byte crossing the pty pair, with its direction — a capture on the pty side, independent of payhil's own
 * framing code. The dump is cut into serial frames (DLE STX … DLE ETX CRC, and the single ACK/NAK bytes)
 * by the small reader below, written as a pcap with the user link type DLT_USER0 (147), and read by tshark
 * with DLT_USER0 mapped to `zvt` (the dissector detects the serial transport by itself, packet-zvt.c).
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observation } from '../../harness/capabilities/index.js';
import { ProtocolTerminal } from '../../harness/bench/protocol-terminal.js';
import { TestModePresenter } from '../../harness/drivers/test-mode/index.js';
import { ZvtSerialDriver, ZvtDriverUnsupportedError } from '../../harness/drivers/zvt/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-process.test-helper.js';

/** One chunk socat saw: `>` is what was written on the first pty (the terminal's end), `<` on the second. */
interface Chunk {
  dir: '>' | '<';
  bytes: Buffer;
}

/** Reads socat's `-x` dump: a header line `> DATE TIME  length=N from=… to=…`, then hex lines. */
function readSocatDump(text: string): Chunk[] {
  const out: Chunk[] = [];
  let cur: { dir: '>' | '<'; hex: string[] } | undefined;
  const flush = (): void => {
    if (cur) out.push({ dir: cur.dir, bytes: Buffer.from(cur.hex.join(''), 'hex') });
    cur = undefined;
  };
  for (const line of text.split('\n')) {
    const h = /^([<>]) \S+ \S+\s+length=\d+/.exec(line);
    if (h) {
      flush();
      cur = { dir: h[1] as '>' | '<', hex: [] };
    } else if (cur && /^\s+[0-9a-f]{2}( [0-9a-f]{2})*\s*$/i.test(line))
      cur.hex.push(line.replace(/\s+/g, ''));
    else flush();
  }
  flush();
  return out;
}

const DLE = 0x10;
const STX = 0x02;
const ETX = 0x03;

/**
 * Cuts one direction's byte stream into ZVT serial transport units (PA00P015 chapter 2.1): a frame
 * DLE STX … DLE ETX CRC-lo CRC-hi (DLE DLE inside is one data byte), or a lone ACK 06 / NAK 15.
 */
function serialUnits(stream: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let i = 0;
  while (i < stream.length) {
    if (stream[i] === DLE && stream[i + 1] === STX) {
      let j = i + 2;
      while (j < stream.length - 1 && !(stream[j] === DLE && stream[j + 1] === ETX))
        j += stream[j] === DLE ? 2 : 1;
      const end = Math.min(stream.length, j + 4);
      units.push(stream.subarray(i, end));
      i = end;
    } else {
      units.push(stream.subarray(i, i + 1));
      i++;
    }
  }
  return units;
}

/** A pcap (microsecond time stamps) of `records` with link type 147 (DLT_USER0). */
function userDltPcap(records: Buffer[]): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(147, 20);
  const parts: Buffer[] = [head];
  records.forEach((r, n) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1_700_000_000 + n, 0);
    h.writeUInt32LE(r.length, 8);
    h.writeUInt32LE(r.length, 12);
    parts.push(h, r);
  });
  return Buffer.concat(parts);
}

describe('e2e: tshark decodes ZVT serial traffic captured on the pty pair (socat -x)', function () {
  this.timeout(60_000);
  let dir: string;
  let socat: ChildProcess;
  let dump = '';
  let host: HostHandle;
  let emulator: EmulatorProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-zvt-serial-pcap-'));
    socat = spawn(
      'socat',
      ['-x', '-d', `pty,raw,echo=0,link=${join(dir, 'A')}`, `pty,raw,echo=0,link=${join(dir, 'B')}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    socat.stderr?.on('data', (d: Buffer) => (dump += d.toString()));
    const until = Date.now() + 5000;
    while (!(existsSync(join(dir, 'A')) && existsSync(join(dir, 'B'))) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(join(dir, 'B')), `socat made no pty pair: ${dump}`);
    host = await startHost({ dialect: 'cup' });
    emulator = await startEmulatorProcess([
      ...['--profile', 'cup-pos-ci', '--host', `${host.address.host}:${host.address.port}`],
      ...['--zvt', `serial:${join(dir, 'A')}`, '--baud', '115200', '--ecr', 'tcp:127.0.0.1:0'],
    ]);
  });
  after(async () => {
    await emulator?.stop();
    socat?.kill();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Registration, Authorization, Completion and Status Information found by the dissector, CRCs in place', async () => {
    const zvt = new ZvtSerialDriver({ path: join(dir, 'B'), baudRate: 115200 });
    const d = new ProtocolTerminal(
      zvt,
      new TestModePresenter(emulator?.ecrTcp as { host: string; port: number }),
      (w) => new ZvtDriverUnsupportedError(zvt.name, w, 'not over ZVT'),
    );
    const seen: Observation[] = [];
    d.observe((o) => seen.push(o));
    const result = async (tx: string): Promise<Record<string, unknown>> => {
      const until = Date.now() + 20_000;
      for (;;) {
        const o = seen.find(
          (x) => x.kind === 'result' && (x.data.result as { transaction: string }).transaction === tx,
        );
        if (o) return o.data.result as Record<string, unknown>;
        assert.ok(Date.now() < until, `no ${tx} result`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await d.activate(); // Registration 06 00
    try {
      await d.terminal.start('signIn');
      assert.equal((await result('signIn')).outcome, 'approved');
      await d.terminal.idle(10_000);
      await d.terminal.start('purchase', { amount: 1250 }); // BCD 00 00 00 00 12 50: no DLE to double
      await d.cards.prepare({ mine: 'cup-debit' });
      await d.cards.insert('mine');
      await d.keypad.enterPin('123456');
      assert.equal((await result('purchase')).outcome, 'approved');
      await d.terminal.idle(10_000);
      await d.cards.remove();
    } finally {
      await d.deactivate();
    }
    await new Promise((r) => setTimeout(r, 200)); // socat's last dump lines

    const chunks = readSocatDump(dump);
    assert.ok(
      chunks.some((c) => c.dir === '>') && chunks.some((c) => c.dir === '<'),
      'both directions dumped',
    );
    const units = (['<', '>'] as const).flatMap((dirn) =>
      serialUnits(Buffer.concat(chunks.filter((c) => c.dir === dirn).map((c) => c.bytes))),
    );
    const frames = units.filter((u) => u.length > 1);
    assert.ok(frames.length >= 8, `serial frames: ${frames.length}`);
    const pcap = join(dir, 'zvt-serial.pcap');
    writeFileSync(pcap, userDltPcap(units));
    const decoded = execFileSync(
      'tshark',
      ['-r', pcap, '-o', 'uat:user_dlts:"User 0 (DLT=147)","zvt","0","","0",""', '-V'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 },
    );
    for (const name of ['Registration', 'Authorisation', 'Completion', 'Status Information'])
      assert.match(decoded, new RegExp(name), `${name} not decoded:\n${decoded.slice(0, 3000)}`);
    assert.match(decoded, /CRC: 0x[0-9a-f]{4}/, 'the serial transport (CRC) recognised');
    assert.doesNotMatch(decoded, /Malformed Packet/);
    assert.equal(decoded.includes('6222021000000000017'), false, 'no PAN in clear on the line');
  });
});
