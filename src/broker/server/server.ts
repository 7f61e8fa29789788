// TCP and TLS listeners and the connections on them.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { Listener } from '../config/broker-config.js';
import { Connection, type ConnectionBuffers, type ConnectionInfo, type FrameHandler } from './connection.js';

export interface ServerOptions {
  listeners: Listener[];
  maxFrameBytes: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  idleTimeoutMs: number;
  handle: FrameHandler;
  log: (line: string) => void;
  /** TLS server options for SSL and SASL_SSL listeners, by listener name. */
  tls?: Map<string, TlsOptions>;
  /** Called when a connection is accepted (after the TLS handshake on TLS listeners). */
  onOpen?: (conn: ConnectionInfo) => void;
  /** Called once when an accepted connection closes. */
  onClose?: (conn: ConnectionInfo) => void;
  /** Buffers for request frames, and what is told when a request is served. */
  buffers?: ConnectionBuffers;
}

export interface BoundListener extends Listener {
  boundHost: string;
  boundPort: number;
}

const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

export class BrokerServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  /** Every raw socket, including TLS ones still in their handshake, so close() can end them. */
  private readonly sockets = new Set<Socket>();
  private readonly perIp = new Map<string, number>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ServerOptions) {}

  async listen(): Promise<BoundListener[]> {
    const bound: BoundListener[] = [];
    for (const l of this.opts.listeners) {
      const server = this.createListenerServer(l);
      server.on('connection', (socket: Socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
      });
      const host = l.host === '' ? '0.0.0.0' : l.host;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: l.port }, () => {
          server.off('error', reject);
          resolve();
        });
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

  private createListenerServer(l: Listener): Server {
    switch (l.protocol) {
      case 'PLAINTEXT':
      case 'SASL_PLAINTEXT':
        return createServer((socket) => this.accept(socket, l));
      case 'SSL':
      case 'SASL_SSL': {
        const options = this.opts.tls?.get(l.name);
        if (!options) throw new Error(`Listener ${l.name} uses ${l.protocol} but has no TLS settings`);
        const server = createTlsServer(
          { ...options, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS },
          (socket: TLSSocket) => this.accept(socket, l),
        );
        server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
          // A socket the client already closed no longer knows its peer.
          const from = socket.remoteAddress ? ` with ${socket.remoteAddress}:${socket.remotePort}` : '';
          this.opts.log(`Failed TLS handshake${from} on listener ${l.name} (${tlsErrorText(err)})`);
          socket.destroy();
        });
        return server;
      }
      default:
        throw new Error(`Listener ${l.name} has unknown security protocol ${l.protocol}`);
    }
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
    const info: ConnectionInfo = {
      id: this.nextId++,
      remoteAddress: `${ip}:${socket.remotePort}`,
      listenerName: listener.name,
      localAddress: socket.localAddress ?? '127.0.0.1',
      localPort: socket.localPort ?? listener.port,
      protocol: listener.protocol,
      maxFrameBytes: this.opts.maxFrameBytes,
      closeAfterResponse: false,
    };
    const conn = new Connection(
      socket,
      info,
      this.opts.handle,
      this.opts.log,
      (c) => {
        if (!this.connections.delete(c)) return;
        const n = (this.perIp.get(ip) ?? 1) - 1;
        if (n <= 0) this.perIp.delete(ip);
        else this.perIp.set(ip, n);
        this.opts.onClose?.(c.info);
      },
      this.opts.buffers,
    );
    this.connections.add(conn);
    this.opts.onOpen?.(info);
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
    for (const s of [...this.sockets]) s.destroy();
    await Promise.all(closed);
  }
}

/** OpenSSL's reason without the library prefix; never carries key material. */
function tlsErrorText(err: Error & { code?: string; reason?: string }): string {
  if (err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(err.message))
    return 'not a TLS client (wrong version number)';
  if (err.reason) return err.reason;
  if (err.code === 'ECONNRESET') return 'connection reset by the client';
  return (err.message.split('\n')[0] ?? 'TLS error').replace(/^.*routines:/, '');
}
