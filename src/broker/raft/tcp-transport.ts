// Raft RPCs to the other voters over TCP, framed and encoded as Kafka frames. A peer's server answers
// one request per connection at a time, so Fetch (which the leader may hold for its max wait) gets its
// own connection and never delays a Vote or BeginQuorumEpoch behind it.
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, type MessageBody } from '../../protocol/index.js';
import { FrameReader } from '../../protocol/frame-reader.js';
import { API, RAFT_REQUEST_VERSIONS, type RaftTransport } from './raft-node.js';

export interface PeerAddress {
  id: number;
  host: string;
  port: number;
}

export interface InFlight {
  apiKey: number;
  version: number;
  resolve: (body: MessageBody) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class PeerConnection {
  private socket: Socket | undefined;
  private connected = false;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly queued: Buffer[][] = [];
  private reader = new FrameReader(64 * 1024 * 1024);

  constructor(
    private readonly peer: PeerAddress,
    private readonly onDrop: () => void,
  ) {}

  send(frame: Buffer[], correlationId: number, entry: InFlight): void {
    this.inFlight.set(correlationId, entry);
    if (!this.socket) this.open();
    if (this.connected) this.write(frame);
    else this.queued.push(frame);
  }

  forget(correlationId: number): void {
    this.inFlight.delete(correlationId);
  }

  private open(): void {
    const socket = connect({ host: this.peer.host, port: this.peer.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      for (const f of this.queued.splice(0)) this.write(f);
    });
    socket.on('data', (data: Buffer) => {
      let frames: Buffer[];
      try {
        frames = this.reader.push(data);
      } catch (err) {
        this.drop(err as Error);
        return;
      }
      for (const frame of frames) this.onFrame(frame);
    });
    socket.on('error', (err) => this.drop(err));
    socket.on('close', () => this.drop(new Error(`connection to node ${this.peer.id} closed`)));
  }

  private write(frame: Buffer[]): void {
    for (const chunk of frame) this.socket!.write(chunk);
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const entry = this.inFlight.get(correlationId);
    if (!entry) return;
    this.inFlight.delete(correlationId);
    clearTimeout(entry.timer);
    try {
      entry.resolve(decodeResponseFrame(entry.apiKey, entry.version, frame).body);
    } catch (err) {
      entry.reject(err as Error);
    }
  }

  /** Fails everything in flight; the next send reconnects. */
  drop(err: Error): void {
    if (!this.socket) return;
    const socket = this.socket;
    this.socket = undefined;
    this.connected = false;
    this.queued.length = 0;
    this.reader = new FrameReader(64 * 1024 * 1024);
    socket.destroy();
    const entries = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const e of entries) {
      clearTimeout(e.timer);
      e.reject(err);
    }
    this.onDrop();
  }
}

export class TcpRaftTransport implements RaftTransport {
  private readonly peers = new Map<number, PeerAddress>();
  private readonly connections = new Map<string, PeerConnection>();
  private correlationId = 0;
  private closed = false;

  constructor(private readonly opts: { nodeId: number; peers: PeerAddress[]; requestTimeoutMs: number }) {
    for (const p of opts.peers) this.peers.set(p.id, p);
  }

  send(to: number, apiKey: number, body: object): Promise<MessageBody> {
    const peer = this.peers.get(to);
    if (this.closed) return Promise.reject(new Error('transport closed'));
    if (!peer) return Promise.reject(new Error(`no address for node ${to}`));
    const version = RAFT_REQUEST_VERSIONS[apiKey];
    if (version === undefined) return Promise.reject(new Error(`not a Raft request: api key ${apiKey}`));
    const key = `${to}:${apiKey === API.Fetch ? 'fetch' : 'control'}`;
    let conn = this.connections.get(key);
    if (!conn) {
      conn = new PeerConnection(peer, () => {});
      this.connections.set(key, conn);
    }
    const c = conn;
    const correlationId = (this.correlationId = (this.correlationId + 1) | 0);
    const frame = encodeRequestFrame(apiKey, version, correlationId, `raft-client-${this.opts.nodeId}`, body);
    return new Promise((resolve, reject) => {
      // A request unanswered in time takes its connection with it, as Kafka's network client does.
      const timer = setTimeout(() => {
        c.forget(correlationId);
        reject(new Error(`request to node ${to} timed out`));
        c.drop(new Error(`request to node ${to} timed out`));
      }, this.opts.requestTimeoutMs);
      timer.unref();
      c.send(frame, correlationId, { apiKey, version, resolve, reject, timer });
    });
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.drop(new Error('transport closed'));
    this.connections.clear();
  }
}
