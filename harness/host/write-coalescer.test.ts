import { strict as assert } from 'node:assert';
import { WriteCoalescer, type CoalescedConnection, type CoalescedSocket } from './write-coalescer.js';

/** A socket that records what reaches it: each write, and which writes went out corked together. */
class FakeSocket implements CoalescedSocket {
  writable = true;
  readonly writes: string[] = [];
  /** Groups of writes as the kernel would see them: one entry per write, or per cork…uncork. */
  readonly sends: string[][] = [];
  private corked: string[] | undefined;
  write(data: Uint8Array): boolean {
    const s = Buffer.from(data).toString('latin1');
    this.writes.push(s);
    if (this.corked) this.corked.push(s);
    else this.sends.push([s]);
    return true;
  }
  cork(): void {
    this.corked = [];
  }
  uncork(): void {
    if (this.corked) this.sends.push(this.corked);
    this.corked = undefined;
  }
}

function conn(): CoalescedConnection & { socket: FakeSocket; closed: boolean } {
  return { socket: new FakeSocket(), out: [], closed: false };
}

const frame = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('host/write-coalescer (answers written once per event-loop turn)', () => {
  /** A coalescer whose pass runs only when the test says so. */
  function manual(): { w: WriteCoalescer; passes: (() => void)[] } {
    const passes: (() => void)[] = [];
    return { w: new WriteCoalescer((fn) => passes.push(fn)), passes };
  }

  it('writes nothing until the pass, then every connection in the order it first queued', () => {
    const { w, passes } = manual();
    const a = conn();
    const b = conn();
    w.queue(b, frame('b1'));
    w.queue(a, frame('a1'));
    assert.equal(w.pending, 2);
    assert.deepEqual([a.socket.writes, b.socket.writes], [[], []]);
    assert.equal(passes.length, 1, 'one pass scheduled for the turn');
    const order: string[] = [];
    for (const c of [a, b]) {
      const write = c.socket.write.bind(c.socket);
      c.socket.write = (d) => (order.push(Buffer.from(d).toString('latin1')), write(d));
    }
    passes[0]?.();
    assert.deepEqual(order, ['b1', 'a1']);
    assert.equal(w.pending, 0);
  });

  it('keeps the order of one connection and sends several answers as one corked write', () => {
    const { w, passes } = manual();
    const a = conn();
    for (const s of ['1', '2', '3']) w.queue(a, frame(s));
    passes[0]?.();
    assert.deepEqual(a.socket.sends, [['1', '2', '3']]);
  });

  it('schedules one pass per turn, and a new one once the pass has run', () => {
    const { w, passes } = manual();
    const a = conn();
    w.queue(a, frame('1'));
    w.queue(a, frame('2'));
    assert.equal(passes.length, 1);
    passes[0]?.();
    w.queue(a, frame('3'));
    assert.equal(passes.length, 2);
    passes[1]?.();
    assert.deepEqual(a.socket.sends, [['1', '2'], ['3']]);
  });

  it('flushConnection writes one connection ahead of the pass (before a close), the others wait', () => {
    const { w, passes } = manual();
    const a = conn();
    const b = conn();
    w.queue(a, frame('a1'));
    w.queue(b, frame('b1'));
    w.flushConnection(a);
    a.closed = true;
    assert.deepEqual(a.socket.writes, ['a1']);
    assert.deepEqual(b.socket.writes, []);
    w.queue(a, frame('a2')); // after the close: dropped
    passes[0]?.();
    assert.deepEqual([a.socket.writes, b.socket.writes], [['a1'], ['b1']]);
    assert.equal(w.pending, 0);
  });

  it('drops the answers of a connection closed or unwritable by the time of the pass', () => {
    const { w, passes } = manual();
    const gone = conn();
    const full = conn();
    const ok = conn();
    w.queue(gone, frame('g'));
    w.queue(full, frame('f'));
    w.queue(ok, frame('o'));
    w.drop(gone);
    gone.closed = true;
    full.socket.writable = false;
    passes[0]?.();
    assert.deepEqual([gone.socket.writes, full.socket.writes, ok.socket.writes], [[], [], ['o']]);
    assert.equal(w.pending, 0);
  });

  it('tells the server when a write leaves a socket over its high-water mark (backpressure)', () => {
    const passes: (() => void)[] = [];
    const backlogged: CoalescedConnection[] = [];
    const w = new WriteCoalescer(
      (fn) => passes.push(fn),
      (c) => backlogged.push(c),
    );
    const slow = conn();
    const fast = conn();
    slow.socket.write = (d) => (slow.socket.writes.push(Buffer.from(d).toString('latin1')), false);
    w.queue(slow, frame('s1'));
    w.queue(slow, frame('s2'));
    w.queue(fast, frame('f1'));
    passes[0]?.();
    assert.deepEqual(slow.socket.writes, ['s1', 's2'], 'what was answered is still written');
    assert.deepEqual(backlogged, [slow]);
    w.queue(slow, frame('s3'));
    w.flushConnection(slow);
    assert.deepEqual(backlogged, [slow, slow]);
  });

  it('runs its pass through setImmediate by default (after the I/O callbacks of the turn)', async () => {
    const w = new WriteCoalescer();
    const a = conn();
    w.queue(a, frame('x'));
    await Promise.resolve(); // microtasks run before the pass
    assert.deepEqual(a.socket.writes, []);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(a.socket.writes, ['x']);
  });
});
