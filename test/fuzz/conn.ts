// A raw client socket for the fuzzer: splits what the broker sends into response frames,
// remembers who closed the connection, and never throws on a dead socket.
import { connect, type Socket } from 'node:net';

/** Response frames larger than this are treated as broken framing. */
const MAX_RESPONSE_FRAME = 256 * 1024 * 1024;

export interface ConnCounters {
  opened: number;
  closedByBroker: number;
  closedByUs: number;
  connectErrors: number;
}

export class Conn {
  closed = false;
  byUs = false;
  /** Bytes received in total. */
  received = 0;
  /** Set when the broker sent a frame size no response can have. */
  badFraming: string | null = null;
  onFrame: ((frame: Buffer) => void) | null = null;
  onClose: (() => void) | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1;
  private readonly closedPromise: Promise<void>;

  private constructor(
    readonly socket: Socket,
    counters: ConnCounters,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', () => {
        this.closed = true;
        if (this.byUs) counters.closedByUs++;
        else counters.closedByBroker++;
        if (!this.byUs) this.onClose?.();
        resolve();
      });
    });
  }

  static async open(port: number, counters: ConnCounters): Promise<Conn> {
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ port, host: '127.0.0.1' }, () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        counters.opened++;
        return new Conn(socket, counters);
      } catch (err) {
        counters.connectErrors++;
        lastError = err as Error;
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
      }
    }
    throw new Error(`cannot connect to the broker: ${lastError?.message}`);
  }

  private onData(d: Buffer): void {
    this.received += d.length;
    if (this.badFraming !== null) return;
    this.chunks.push(d);
    this.buffered += d.length;
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) return;
        if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks)];
        const size = this.chunks[0]!.readInt32BE(0);
        if (size < 0 || size > MAX_RESPONSE_FRAME) {
          this.badFraming = `response frame size ${size}`;
          this.onFrame?.(Buffer.alloc(0));
          return;
        }
        this.need = size;
      }
      if (this.buffered < 4 + this.need) return;
      const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      const frame = joined.subarray(4, 4 + this.need);
      const rest = joined.subarray(4 + this.need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.need = -1;
      this.onFrame?.(frame);
    }
  }

  write(parts: readonly Buffer[]): void {
    if (this.closed || this.socket.destroyed) return;
    if (parts.length === 1) {
      this.socket.write(parts[0]!);
      return;
    }
    this.socket.cork();
    for (const p of parts) this.socket.write(p);
    this.socket.uncork();
  }

  destroy(): void {
    if (this.closed) return;
    this.byUs = true;
    this.closed = true;
    this.socket.destroy();
  }

  /** Resolves when the socket has closed (by either side). */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves true when `p` settles first, false after `ms`. */
export function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve(true);
      },
      () => {
        clearTimeout(t);
        resolve(true);
      },
    );
  });
}
