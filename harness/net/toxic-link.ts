import type {
  EndKind,
  StageContext,
  StageItem,
  StageSink,
  StreamDirection,
  ToxicStage,
} from './toxic-stage.js';

/**
 * One direction of one proxied connection: `write` → stage → stage → … → `tail`. New stages go at the
 * end (as in Toxiproxy); a stage may also be pinned at the front (the message-fault stage). Removing a
 * stage hands everything it held to the stage after it, synchronously, so order is kept and no byte is lost.
 */
export class ToxicLink implements StageSink {
  private chain: { key: string; stage: ToxicStage }[] = [];

  constructor(
    readonly direction: StreamDirection,
    private readonly tail: StageSink,
    private readonly ctx: StageContext,
  ) {}

  private get front(): StageSink {
    return this.chain[0]?.stage ?? this.tail;
  }

  write(data: Buffer): void {
    this.front.write(data);
  }

  end(kind: EndKind): void {
    this.front.end(kind);
  }

  has(key: string): boolean {
    return this.chain.some((e) => e.key === key);
  }

  /** The stage under `key`, if any. */
  find(key: string): ToxicStage | undefined {
    return this.chain.find((e) => e.key === key)?.stage;
  }

  /** Appends a stage (a toxic) at the end of the chain. */
  append(key: string, stage: ToxicStage, attributes: Readonly<Record<string, number>>): void {
    stage.ctx = this.ctx;
    stage.out = this.tail;
    stage.configure(attributes);
    const last = this.chain[this.chain.length - 1];
    if (last) last.stage.out = stage;
    this.chain.push({ key, stage });
  }

  /** Puts a stage in front of every other (the message stage). */
  prepend(key: string, stage: ToxicStage): void {
    stage.ctx = this.ctx;
    stage.out = this.front;
    this.chain.unshift({ key, stage });
  }

  /** New attributes for a stage, applied in place. */
  configure(key: string, attributes: Readonly<Record<string, number>>): void {
    this.chain.find((e) => e.key === key)?.stage.configure(attributes);
  }

  /** Replaces a stage by another (toxicity re-rolled): what the old one held goes on past the new one. */
  replace(key: string, stage: ToxicStage, attributes: Readonly<Record<string, number>>): void {
    const i = this.chain.findIndex((e) => e.key === key);
    if (i < 0) return;
    const old = (this.chain[i] as { stage: ToxicStage }).stage;
    const items = old.detach();
    stage.ctx = this.ctx;
    stage.out = old.out;
    stage.configure(attributes);
    const prev = this.chain[i - 1];
    if (prev) prev.stage.out = stage;
    this.chain[i] = { key, stage };
    this.forward(stage.out, items);
  }

  /** Removes a stage; what it held is handed to the next one at once. */
  remove(key: string): void {
    const i = this.chain.findIndex((e) => e.key === key);
    if (i < 0) return;
    const { stage } = this.chain[i] as { stage: ToxicStage };
    const items = stage.detach();
    const next = stage.out;
    const prev = this.chain[i - 1];
    if (prev) prev.stage.out = next;
    this.chain.splice(i, 1);
    this.forward(next, items);
    this.ctx.released();
  }

  private forward(sink: StageSink, items: StageItem[]): void {
    for (const it of items) {
      if (typeof it === 'string') sink.end(it);
      else sink.write(it);
    }
  }

  /** Bytes held in the stages (for back-pressure). */
  held(): number {
    let n = 0;
    for (const e of this.chain) n += e.stage.held();
    return n;
  }

  /** Stops every stage and drops what they hold (the connection is gone). */
  dispose(): void {
    for (const e of this.chain) e.stage.detach();
    this.chain = [];
  }
}
