/**
 * Request/response with ids and unsolicited events over JSON lines (one JSON object per line), on any
 * `ByteChannel`: the sidecar pattern of docs/drivers.md. Requests go out as `{"id": n, "method", "params"}`;
 * an answer `{"id": n, "result"}` or `{"id": n, "error": {"code", "message"}}` settles request n; an object
 * with `event` (and no id) is an event. Every request is bounded (`KitTimeoutError`); when the channel
 * closes, every pending request rejects at once (`KitChannelClosedError`). What breaks the protocol — a
 * line that is not JSON or not an object, a line over the limit, an answer to an id never asked — is handed
 * to `onBadInput` as a `KitBadInputError` naming the line, and the peer keeps reading.
 */
import type { ByteChannel } from '../../emulator/ecr/index.js';
import { LineFramer, DEFAULT_MAX_LINE_BYTES } from './line-framer.js';
import { KitBadInputError, KitChannelClosedError, KitRemoteError, KitTimeoutError } from './errors.js';

export interface JsonLinesPeerOptions {
  /** Longest line accepted (bytes). Default 64 KiB. */
  maxLineBytes?: number;
  /** A request from the peer (the sidecar's side): answer it with `send({id, result})` or `{id, error}`. */
  onRequest?: (id: number, method: string, params: Record<string, unknown>) => void;
  /** An event from the peer. */
  onEvent?: (event: string, data: Record<string, unknown>) => void;
  /** A line that breaks the protocol (the line is dropped). */
  onBadInput?: (e: KitBadInputError) => void;
  /** The channel closed (by either side); `pending` requests were rejected. */
  onClose?: (pending: number) => void;
}

interface Pending {
  what: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class JsonLinesPeer {
  private readonly framer: LineFramer;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedFlag = false;
  readonly done: Promise<void>;

  constructor(
    readonly channel: ByteChannel,
    private readonly options: JsonLinesPeerOptions = {},
  ) {
    this.framer = new LineFramer(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.done = this.readLoop();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Sends a request; resolves with its `result`, rejects with the peer's error, a timeout or a close. */
  request(method: string, params: Record<string, unknown> | undefined, timeoutMs: number): Promise<unknown> {
    if (this.closedFlag) return Promise.reject(new KitChannelClosedError(this.channel.description));
    const id = this.nextId++;
    const what = `${method} (id ${id})`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KitTimeoutError(this.channel.description, what, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { what, resolve, reject, timer });
      const line = JSON.stringify({ id, method, ...(params !== undefined ? { params } : {}) }) + '\n';
      this.channel.write(Buffer.from(line, 'utf8')).catch((e: unknown) => {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.reject(e instanceof Error ? e : new KitChannelClosedError(this.channel.description, e));
      });
    });
  }

  /** Sends one object as a line (an answer or an event, on the sidecar's side). */
  send(message: Record<string, unknown>): Promise<void> {
    return this.channel.write(Buffer.from(JSON.stringify(message) + '\n', 'utf8'));
  }

  async close(): Promise<void> {
    await this.channel.close();
    await this.done;
  }

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.channel.read();
        if (chunk === null) break;
        for (const item of this.framer.push(chunk)) {
          if (item.kind === 'overlong') {
            this.bad(
              item.lineNo,
              `line of ${item.bytes} bytes, longer than ${this.framer.maxLineBytes}; dropped`,
            );
            continue;
          }
          if (item.text.trim() !== '') this.onLine(item.text, item.lineNo);
        }
      }
    } finally {
      this.closedFlag = true;
      const n = this.pending.size;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new KitChannelClosedError(`${this.channel.description} (waiting for ${p.what})`));
      }
      this.options.onClose?.(n);
    }
  }

  private onLine(text: string, lineNo: number): void {
    let m: unknown;
    try {
      m = JSON.parse(text);
    } catch (e) {
      this.bad(lineNo, `not JSON (${(e as Error).message}): ${preview(text)}`);
      return;
    }
    if (!m || typeof m !== 'object' || Array.isArray(m)) {
      this.bad(lineNo, `not a JSON object: ${preview(text)}`);
      return;
    }
    const o = m as Record<string, unknown>;
    if (typeof o.event === 'string' && o.id === undefined) {
      const data = o.data;
      if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
        this.bad(lineNo, `event ${o.event}: data is not an object`);
        return;
      }
      this.options.onEvent?.(o.event, (data ?? {}) as Record<string, unknown>);
      return;
    }
    if (typeof o.method === 'string' && typeof o.id === 'number' && this.options.onRequest) {
      const params = o.params ?? {};
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        this.bad(lineNo, `request ${o.method} (id ${o.id}): params is not an object`);
        return;
      }
      this.options.onRequest(o.id, o.method, params as Record<string, unknown>);
      return;
    }
    if (typeof o.id !== 'number') {
      this.bad(lineNo, `neither an answer (numeric id) nor an event: ${preview(text)}`);
      return;
    }
    const p = this.pending.get(o.id);
    if (!p) {
      this.bad(lineNo, `answer to unknown request id ${o.id}`);
      return;
    }
    this.pending.delete(o.id);
    clearTimeout(p.timer);
    if (o.error !== undefined) {
      const err = (o.error ?? {}) as { code?: unknown; message?: unknown };
      p.reject(
        new KitRemoteError(
          this.channel.description,
          p.what,
          String(err.code ?? 'ERROR'),
          String(err.message ?? ''),
        ),
      );
    } else p.resolve(o.result);
  }

  private bad(lineNo: number, detail: string): void {
    this.options.onBadInput?.(new KitBadInputError(this.channel.description, lineNo, detail));
  }
}

/** The start of a line for a message (at most 80 characters, control characters escaped). */
function preview(text: string): string {
  const s = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  return s;
}
