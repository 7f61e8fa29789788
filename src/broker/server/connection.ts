import type { Socket } from 'node:net';
import { FrameReader, FrameSizeError } from '../../protocol/frame-reader.js';

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  listenerName: string;
  localAddress: string;
  localPort: number;
  /** The listener's security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL). */
  protocol: string;
  /** Largest frame accepted now; the SASL layer lowers it until authentication completes. */
  maxFrameBytes: number;
  /** Set by the security layer: close the connection once the current response is written. */
  closeAfterResponse: boolean;
}

/**
 * Buffers that go round: request frames are assembled in them, and a request's frame and
 * response are handed back once it is served (what may be reused is the owner's call).
 */
export interface ConnectionBuffers {
  /** A buffer of exactly this many bytes for a request frame. */
  frame(length: number): Buffer;
  /** The request was handled and its response (null: none) written in full. */
  served(frame: Buffer, response: readonly Buffer[] | null): void;
}

/** Serves one request at a time; returns the response frame chunks, or null for none. */
export type FrameHandler = (frame: Buffer, conn: ConnectionInfo) => Promise<Buffer[] | null> | Buffer[] | null;

/**
 * One client connection. Requests are served strictly in order, one at a time, as Kafka
 * does: a client may pipeline, but responses come back in request order.
 */
export class Connection {
  private readonly reader: FrameReader;
  private readonly queue: Buffer[] = [];
  private busy = false;
  private closed = false;
  private ending = false;
  /** socket.request.max.bytes; info.maxFrameBytes is lower while SASL authentication runs. */
  private readonly configuredLimit: number;
  lastActive = Date.now();

  constructor(
    readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly handle: FrameHandler,
    private readonly log: (msg: string) => void,
    private readonly onClose: (c: Connection) => void,
    private readonly buffers?: ConnectionBuffers,
  ) {
    this.configuredLimit = info.maxFrameBytes;
    this.reader = new FrameReader(() => info.maxFrameBytes, buffers?.frame);
    socket.setNoDelay(true);
    socket.on('data', (data) => this.onData(data));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  private onData(data: Buffer): void {
    if (this.closed || this.ending) return;
    this.lastActive = Date.now();
    let frames: Buffer[];
    try {
      frames = this.reader.push(data);
    } catch (err) {
      if (err instanceof FrameSizeError) {
        const saslLimit = err.limit < this.configuredLimit;
        this.log(
          `closing connection from ${this.info.remoteAddress}: ${saslLimit ? `Invalid frame size ${err.size} before SASL authentication completed (limit ${err.limit})` : err.message}`,
        );
      }
      this.close();
      return;
    }
    if (frames.length === 0) return;
    for (const f of frames) this.queue.push(f);
    // Stop reading while a backlog exists so a fast producer cannot grow memory without bound.
    if (this.queue.length > 64) this.socket.pause();
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const frame = this.queue.shift()!;
        let response: Buffer[] | null;
        try {
          const r = this.handle(frame, this.info);
          response = r instanceof Promise ? await r : r;
        } catch (err) {
          this.log(`closing connection from ${this.info.remoteAddress}: ${(err as Error).message}`);
          this.close();
          return;
        }
        if (this.closed) return;
        if (!response) this.buffers?.served(frame, null);
        if (response) {
          const flushed = this.write(response, frame);
          if (this.info.closeAfterResponse) {
            this.closeAfterFlush();
            return;
          }
          if (!flushed) await this.waitForDrain();
        } else if (this.info.closeAfterResponse) {
          this.close();
          return;
        }
        this.lastActive = Date.now();
        if (this.queue.length <= 16 && this.socket.isPaused()) this.socket.resume();
      }
    } finally {
      this.busy = false;
    }
  }

  private write(chunks: Buffer[], frame: Buffer): boolean {
    // Only a write that succeeded gives buffers back: after an error the socket may still hold them.
    const buffers = this.buffers;
    const written = buffers ? (err?: Error | null) => err || buffers.served(frame, chunks) : undefined;
    if (chunks.length === 1) return this.socket.write(chunks[0], written);
    this.socket.cork();
    let ok = true;
    for (let i = 0; i < chunks.length; i++)
      ok = this.socket.write(chunks[i], i === chunks.length - 1 ? written : undefined);
    this.socket.uncork();
    return ok;
  }

  private waitForDrain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Stops reading, lets the written bytes go out, then closes (bounded by a timer). */
  private closeAfterFlush(): void {
    this.ending = true;
    this.queue.length = 0;
    this.socket.pause();
    const timer = setTimeout(() => this.close(), 2000);
    timer.unref();
    this.socket.end(() => {
      clearTimeout(timer);
      this.close();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
    this.onClose(this);
  }

  /** Resolves once the request in flight (if any) has been answered. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }
}
