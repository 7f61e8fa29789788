// TCP listeners and the connections on them.
import { createServer, type Server, type Socket } from 'node:net';
import type { Listener } from '../config/broker-config.js';
import { Connection, type FrameHandler } from './connection.js';

export interface ServerOptions {
  listeners: Listener[];
  maxFrameBytes: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  idleTimeoutMs: number;
  handle: FrameHandler;
  log: (line: string) => void;
}

export interface BoundListener extends Listener {
  boundHost: string;
  boundPort: number;
}

export class BrokerServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  private readonly perIp = new Map<string, number>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ServerOptions) {}

  async listen(): Promise<BoundListener[]> {
    const bound: BoundListener[] = [];
    for (const l of this.opts.listeners) {
      if (l.protocol !== 'PLAINTEXT') {
        throw new Error(`Listener ${l.name} uses ${l.protocol}, which this broker does not serve yet; use PLAINTEXT`);
      }
      const server = createServer((socket) => this.accept(socket, l));
      const host = l.host === '' ? '0.0.0.0' : l.host;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: l.port }, () => { server.off('error', reject); resolve(); });
      }).catch((err: NodeJS.ErrnoException) => {
        for (const s of this.servers) s.close();
        if (err.code === 'EADDRINUSE') throw new Error(`Address ${host}:${l.port} is already in use`);
        throw new Error(`Cannot listen on ${host}:${l.port}: ${err.message}`);
      });
      this.servers.push(server);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : l.port;
      bound.push({ ...l, boundHost: host, boundPort: port });
    }
    const idle = this.opts.idleTimeoutMs;
    if (idle > 0) {
      this.idleTimer = setInterval(() => this.closeIdle(idle), Math.min(idle, 10_000));
      this.idleTimer.unref();
    }
    return bound;
  }

  private accept(socket: Socket, listener: Listener): void {
    const ip = socket.remoteAddress ?? 'unknown';
    const fromIp = this.perIp.get(ip) ?? 0;
    if (this.connections.size >= this.opts.maxConnections || fromIp >= this.opts.maxConnectionsPerIp) {
      this.opts.log(`Refusing connection from ${ip}: connection limit reached`);
      socket.destroy();
      return;
    }
    this.perIp.set(ip, fromIp + 1);
    const conn = new Connection(
      socket,
      {
        id: this.nextId++,
        remoteAddress: `${ip}:${socket.remotePort}`,
        listenerName: listener.name,
        localAddress: socket.localAddress ?? '127.0.0.1',
        localPort: socket.localPort ?? listener.port,
      },
      this.opts.maxFrameBytes,
      this.opts.handle,
      this.opts.log,
      (c) => {
        if (!this.connections.delete(c)) return;
        const n = (this.perIp.get(ip) ?? 1) - 1;
        if (n <= 0) this.perIp.delete(ip); else this.perIp.set(ip, n);
      },
    );
    this.connections.add(conn);
  }

  private closeIdle(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const c of this.connections) if (c.idle && c.lastActive < cutoff) c.close();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, lets requests in flight finish (bounded), then closes everything. */
  async close(graceMs = 5000): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    const closed = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    await Promise.all([...this.connections].map((c) => c.settle(graceMs)));
    for (const c of [...this.connections]) c.close();
    await Promise.all(closed);
  }
}
