// Requests from this broker to another broker's client listener (replica Fetch), with the
// version chosen by the caller. One connection per peer: a follower's fetches to a leader
// are sequential, and nothing else shares the connection to be held up behind a long poll.
import { encodeRequestFrame, type MessageBody } from '../../protocol/index.js';
import { PeerConnection, type PeerAddress } from '../raft/tcp-transport.js';

export class PeerClient {
  private readonly connections = new Map<string, PeerConnection>();
  private correlationId = 0;
  private closed = false;

  constructor(private readonly clientId: string) {}

  send(peer: PeerAddress, apiKey: number, version: number, body: object, timeoutMs: number): Promise<MessageBody> {
    if (this.closed) return Promise.reject(new Error('peer client closed'));
    const key = `${peer.id}@${peer.host}:${peer.port}`;
    let conn = this.connections.get(key);
    if (!conn) {
      conn = new PeerConnection(peer, () => {});
      this.connections.set(key, conn);
    }
    const c = conn;
    const correlationId = (this.correlationId = (this.correlationId + 1) | 0);
    const frame = encodeRequestFrame(apiKey, version, correlationId, this.clientId, body);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        c.forget(correlationId);
        const err = new Error(`request to broker ${peer.id} timed out`);
        reject(err);
        c.drop(err);
      }, timeoutMs);
      timer.unref();
      c.send(frame, correlationId, { apiKey, version, resolve, reject, timer });
    });
  }

  /** Drops the connection to a peer (its address changed, or it is gone). */
  forget(peerId: number): void {
    for (const [key, c] of this.connections) {
      if (key.startsWith(`${peerId}@`)) {
        c.drop(new Error(`connection to broker ${peerId} dropped`));
        this.connections.delete(key);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.drop(new Error('peer client closed'));
    this.connections.clear();
  }
}
