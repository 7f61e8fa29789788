// Where consumed records go: lines are copied into one buffer and handed to the stream in
// one write per fetch (or per MAX_PENDING bytes), never one syscall or one allocation per
// record. Each write's callback means
// the bytes are with the operating system; only then do the positions it covers count as
// written, and only written positions may be committed for a group.
import { SourceView, copyRange, viewOf } from '../protocol/byte-copy.js';

export interface WrittenPosition {
  topic: string;
  partition: number;
  /** The next offset to read: every record before it is written (or was filtered out). */
  offset: number;
  /** The caller's tag when marked (a group generation), so stale positions can be told apart. */
  tag: number;
}

/** Above this many bytes waiting, add() callers should flush before going on. */
export const MAX_PENDING_BYTES = 1 << 20;

/** Room for a full MAX_PENDING_BYTES plus a typical line, so most fetches fill one buffer. */
const CHUNK_BYTES = MAX_PENDING_BYTES + (64 << 10);

export class OutputSink {
  /** Bytes not yet handed to the stream: pending[0, pendingSize). A new one after each write. */
  private pending: Buffer | null = null;
  private pendingSize = 0;
  private pendingView: DataView | null = null;
  /** A written buffer to fill next. */
  private spare: Buffer | null = null;
  private readonly srcView = new SourceView();
  /** Positions the pending bytes cover. */
  private marks = new Map<string, WrittenPosition>();
  /** Positions of the newest write still in flight (merged into when nothing new is pending). */
  private lastMarks: Map<string, WrittenPosition> | undefined;
  private readonly done = new Map<string, WrittenPosition>();
  private inFlight = 0;
  private broken = false;
  private idleWaiters: Array<() => void> = [];
  private readonly closedHandlers: Array<() => void> = [];

  /** `stream` null: records are counted but not printed (--json). */
  constructor(private readonly stream: NodeJS.WritableStream | null) {
    stream?.on('error', () => {
      // EPIPE and friends: the reader is gone. Nothing more reaches it, so nothing more counts.
      if (this.broken) return;
      this.broken = true;
      for (const w of this.idleWaiters.splice(0)) w();
      for (const h of this.closedHandlers) h();
    });
  }

  onClosed(fn: () => void): void {
    this.closedHandlers.push(fn);
  }

  get closed(): boolean {
    return this.broken;
  }

  get pendingBytes(): number {
    return this.pendingSize;
  }

  /** Appends bytes (a whole line, or one part of it); they are copied, so views are fine. */
  add(bytes: Uint8Array): void {
    if (this.stream === null || this.broken) return;
    const n = bytes.length;
    let buf = this.pending;
    if (buf === null || this.pendingSize + n > buf.length) buf = this.grow(n);
    if (n < 64) for (let i = 0, at = this.pendingSize; i < n; i++) buf[at + i] = bytes[i];
    else buf.set(bytes, this.pendingSize);
    this.pendingSize += n;
  }

  /** Appends src[start, end), copied: for callers that hold records as ranges of a batch. */
  addRange(src: Uint8Array, start: number, end: number): void {
    if (this.stream === null || this.broken) return;
    const n = end - start;
    if (this.pending === null || this.pendingSize + n > this.pending.length) this.grow(n);
    this.pendingSize = copyRange(
      this.pending!,
      this.pendingView!,
      this.pendingSize,
      src,
      this.srcView.of(src),
      start,
      end,
    );
  }

  private grow(n: number): Buffer {
    const size = Math.max(CHUNK_BYTES, (this.pendingSize + n) * 2);
    let next: Buffer;
    if (this.spare !== null && size === CHUNK_BYTES) {
      next = this.spare;
      this.spare = null;
    } else next = Buffer.allocUnsafeSlow(size);
    if (this.pending !== null) this.pending.copy(next, 0, 0, this.pendingSize);
    this.pending = next;
    this.pendingView = viewOf(next);
    return next;
  }

  /** Every record of this partition before `offset` is in what was added so far. */
  mark(topic: string, partition: number, offset: number, tag = 0): void {
    this.marks.set(`${topic}\u0000${partition}`, { topic, partition, offset, tag });
  }

  /**
   * Hands what was added to the stream. Resolves at once unless the stream asks us to wait
   * (a slow pipe), so a fast reader costs one write per call.
   */
  flush(): Promise<void> | undefined {
    if (this.broken) {
      this.pending = null;
      this.pendingSize = 0;
      this.marks = new Map();
      return undefined;
    }
    const marks = this.marks;
    this.marks = new Map();
    if (this.pendingSize === 0) {
      // Nothing to write (all filtered out, or --json): these positions are written once
      // everything before them is.
      if (this.inFlight > 0 && this.lastMarks !== undefined) for (const [k, m] of marks) this.lastMarks.set(k, m);
      else this.record(marks);
      return undefined;
    }
    // The stream keeps the buffer until written, so the next add() starts another: the
    // spare, once its write is done, as fresh memory costs a page fault per 4 KB.
    const whole = this.pending!;
    const data = whole.subarray(0, this.pendingSize);
    this.pending = null;
    this.pendingSize = 0;
    this.inFlight++;
    this.lastMarks = marks;
    const more = this.stream!.write(data, (err) => {
      if (whole.length === CHUNK_BYTES) this.spare = whole;
      this.inFlight--;
      if (!err) this.record(marks);
      if (this.lastMarks === marks) this.lastMarks = undefined;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    if (more) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        this.stream!.off('drain', done);
        this.stream!.off('error', done);
        this.stream!.off('close', done);
        resolve();
      };
      this.stream!.once('drain', done);
      this.stream!.once('error', done);
      this.stream!.once('close', done);
    });
  }

  /** Resolves when every write so far has reached the OS, or failed. */
  settled(): Promise<void> {
    if (this.inFlight === 0 || this.broken) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Positions whose records are with the OS, by partition. */
  written(): ReadonlyMap<string, WrittenPosition> {
    return this.done;
  }

  private record(marks: Map<string, WrittenPosition>): void {
    for (const [k, m] of marks) this.done.set(k, m);
  }
}
