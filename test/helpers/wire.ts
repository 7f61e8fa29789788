// A bare wire client for broker tests: one socket, one request at a time, no retries,
// so a test sees exactly what the broker answered.
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/index.js';

export class WireClient {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | null = null;
  private failWaiting: ((err: Error) => void) | null = null;
  private correlationId = 1;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.pump();
    });
    socket.on('close', () => {
      this.closed = true;
      this.failWaiting?.(new Error('connection closed'));
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  private pump(): void {
    if (!this.waiting || this.buffered.length < 4) return;
    const size = this.buffered.readInt32BE(0);
    if (this.buffered.length < 4 + size) return;
    const frame = this.buffered.subarray(4, 4 + size);
    this.buffered = this.buffered.subarray(4 + size);
    const w = this.waiting;
    this.waiting = null;
    w(frame);
  }

  /** Sends raw bytes (for malformed-frame tests). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async request(apiKey: number, version: number, body: object, timeoutMs = 10_000): Promise<any> {
    const id = this.correlationId++;
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no response to api ${apiKey} v${version} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      if (this.closed) {
        clearTimeout(timer);
        reject(new Error('connection closed'));
        return;
      }
      this.failWaiting = (e) => {
        clearTimeout(timer);
        this.failWaiting = null;
        reject(e);
      };
      this.waiting = (f) => {
        clearTimeout(timer);
        this.failWaiting = null;
        resolve(f);
      };
      for (const chunk of encodeRequestFrame(apiKey, version, id, 'wire-test', body)) this.socket.write(chunk);
      this.pump();
    });
    const decoded = decodeResponseFrame(apiKey, version, frame);
    if (decoded.correlationId !== id) throw new Error(`correlation id ${decoded.correlationId} != ${id}`);
    return decoded.body;
  }

  /** Resolves when the broker closes the connection (or rejects after the timeout). */
  waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connection still open')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
