// A TLS/SASL front for a real (test) broker, openssl-made certificates, and a
// silent TCP server. (A scripted broker is the real one with request controls:
// test/helpers/controls.ts.) Independent of the client code under test (SCRAM server side
// is written here from RFC 5802 with node:crypto).
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../src/protocol/index.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';

/** A request the proxy saw. */
interface SeenRequest {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  body: Record<string, any>;
}

export interface TestServer {
  port: number;
  address: string;
  requests: SeenRequest[];
  sockets: Set<Socket>;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function writeFrame(socket: Socket, chunks: Buffer[] | Buffer): void {
  if (Buffer.isBuffer(chunks)) {
    const size = Buffer.alloc(4);
    size.writeInt32BE(chunks.length);
    socket.write(Buffer.concat([size, chunks]));
  } else {
    socket.write(Buffer.concat(chunks));
  }
}

/** A TCP server that accepts connections and never says anything. */
export async function startSilentServer(): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return { port, address: `127.0.0.1:${port}`, requests: [], sockets, close: () => closeServer(server, sockets) };
}

// ---------------------------------------------------------------- certificates

export interface TestCerts {
  dir: string;
  caPem: string;
  /** Server certificate for localhost / 127.0.0.1. */
  serverPem: string;
  serverKey: string;
  /** Server certificate naming only other.example (hostname mismatch). */
  otherPem: string;
  otherKey: string;
  clientPem: string;
  clientKey: string;
  /** clientKey encrypted with the passphrase "keypass". */
  clientKeyEncrypted: string;
  /** A CA nobody signed anything with. */
  strangerCaPem: string;
  paths: Record<
    'ca' | 'server' | 'serverKey' | 'client' | 'clientKey' | 'clientKeyEncrypted' | 'clientKeystore' | 'strangerCa',
    string
  >;
  cleanup(): void;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throw-away CA with server and client certificates (EC P-256, valid 2 days). */
export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'ktool-certs-'));
  const p = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=ktool test CA');
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'stranger.key',
    '-out',
    'stranger.pem',
    '-days',
    '2',
    '-subj',
    '/CN=stranger CA',
  );
  const leaf = (name: string, cn: string, san: string | null) => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    const args = [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
    ];
    if (san !== null) {
      writeFileSync(p(`${name}.ext`), `subjectAltName=${san}\n`);
      args.push('-extfile', `${name}.ext`);
    }
    ssl(...args);
  };
  leaf('server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  leaf('other', 'other.example', 'DNS:other.example');
  leaf('client', 'ktool-client', null);
  ssl('pkey', '-in', 'client.key', '-aes256', '-passout', 'pass:keypass', '-out', 'client-enc.key');
  const read = (name: string) => readFileSync(p(name), 'utf8');
  writeFileSync(p('client-keystore.pem'), read('client.key') + read('client.pem'));
  return {
    dir,
    caPem: read('ca.pem'),
    serverPem: read('server.pem'),
    serverKey: read('server.key'),
    otherPem: read('other.pem'),
    otherKey: read('other.key'),
    clientPem: read('client.pem'),
    clientKey: read('client.key'),
    clientKeyEncrypted: read('client-enc.key'),
    strangerCaPem: read('stranger.pem'),
    paths: {
      ca: p('ca.pem'),
      server: p('server.pem'),
      serverKey: p('server.key'),
      client: p('client.pem'),
      clientKey: p('client.key'),
      clientKeyEncrypted: p('client-enc.key'),
      clientKeystore: p('client-keystore.pem'),
      strangerCa: p('stranger.pem'),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// ---------------------------------------------------------------- TLS / SASL front

export interface SecureProxyOptions {
  /** The real broker behind the front. */
  target: { host: string; port: number };
  tls?: { key: string; cert: string; ca?: string; requestCert?: boolean };
  sasl?: { mechanisms: string[]; users: Record<string, string> };
}

export interface SecureProxy extends TestServer {
  /** Users that authenticated, by mechanism. */
  authenticated: Array<{ mechanism: string; user: string }>;
  /** Peer certificate subjects seen (mutual TLS). */
  clientCertSubjects: string[];
}

type ScramHash = 'sha256' | 'sha512';

function scramServer(hash: ScramHash, users: Record<string, string>) {
  const keyLen = hash === 'sha256' ? 32 : 64;
  let step = 0;
  let user = '';
  let clientFirstBare = '';
  let serverFirst = '';
  let nonce = '';
  let storedKey = Buffer.alloc(0);
  let serverKey = Buffer.alloc(0);
  return (token: Buffer): { ok: boolean; reply: Buffer; done: boolean; user?: string } => {
    const text = token.toString('utf8');
    if (step === 0) {
      step = 1;
      if (!text.startsWith('n,,')) return { ok: false, reply: Buffer.alloc(0), done: true };
      clientFirstBare = text.slice(3);
      const attrs = Object.fromEntries(clientFirstBare.split(',').map((kv) => [kv[0], kv.slice(2)]));
      user = (attrs.n ?? '').replace(/=2C/g, ',').replace(/=3D/g, '=');
      nonce = `${attrs.r}${randomBytes(12).toString('base64url')}`;
      const salt = randomBytes(16);
      const password = users[user] ?? randomBytes(8).toString('hex');
      const salted = pbkdf2Sync(password, salt, 4096, keyLen, hash);
      storedKey = createHash(hash).update(createHmac(hash, salted).update('Client Key').digest()).digest();
      serverKey = createHmac(hash, salted).update('Server Key').digest();
      serverFirst = `r=${nonce},s=${salt.toString('base64')},i=4096`;
      return { ok: true, reply: Buffer.from(serverFirst), done: false };
    }
    step = 2;
    const attrs = Object.fromEntries(text.split(',').map((kv) => [kv[0], kv.slice(2)]));
    const withoutProof = text.slice(0, text.lastIndexOf(',p='));
    if (attrs.r !== nonce || attrs.c !== 'biws') return { ok: false, reply: Buffer.alloc(0), done: true };
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac(hash, storedKey).update(authMessage).digest();
    const proof = Buffer.from(attrs.p ?? '', 'base64');
    if (proof.length !== signature.length) return { ok: false, reply: Buffer.alloc(0), done: true };
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    const ok = users[user] !== undefined && timingSafeEqual(createHash(hash).update(clientKey).digest(), storedKey);
    if (!ok) return { ok: false, reply: Buffer.alloc(0), done: true };
    const verifier = createHmac(hash, serverKey).update(authMessage).digest('base64');
    return { ok: true, reply: Buffer.from(`v=${verifier}`), done: true, user };
  };
}

/**
 * A TLS and/or SASL listener in front of a real broker: it answers
 * ApiVersions (adding SaslHandshake/SaslAuthenticate), SaslHandshake and
 * SaslAuthenticate itself and forwards every other frame unchanged. Like
 * Kafka, it closes the connection on any other request before authentication.
 */
export async function startSecureProxy(options: SecureProxyOptions): Promise<SecureProxy> {
  // Learn the broker's API versions once.
  const brokerKeys = await new Promise<Array<{ apiKey: number; minVersion: number; maxVersion: number }>>(
    (resolve, reject) => {
      const s = netConnect(options.target.port, options.target.host);
      const frames = new FrameReader(1 << 24);
      s.on('error', reject);
      s.on('connect', () => s.write(Buffer.concat(encodeRequestFrame(18, 0, 1, 'proxy', {}))));
      s.on('data', (d) => {
        for (const f of frames.push(d)) {
          resolve(decodeResponseFrame(18, 0, f).body.apiKeys);
          s.destroy();
        }
      });
    },
  );
  const keys = brokerKeys.filter((k) => k.apiKey !== 17 && k.apiKey !== 36);
  if (options.sasl)
    keys.push({ apiKey: 17, minVersion: 0, maxVersion: 1 }, { apiKey: 36, minVersion: 0, maxVersion: 2 });
  keys.sort((a, b) => a.apiKey - b.apiKey);

  const sockets = new Set<Socket>();
  const requests: SeenRequest[] = [];
  const authenticated: SecureProxy['authenticated'] = [];
  const clientCertSubjects: string[] = [];

  let port = 0;
  const onClient = (client: Socket) => {
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    const peer = (
      client as Socket & { getPeerCertificate?: () => { subject?: { CN?: string } } }
    ).getPeerCertificate?.();
    if (peer?.subject?.CN) clientCertSubjects.push(peer.subject.CN);
    let upstream: Socket | undefined;
    // Forwarded requests, to rewrite the broker addresses in Metadata answers to ours.
    const forwarded = new Map<number, { apiKey: number; apiVersion: number }>();
    const upstreamFrames = new FrameReader(100 * 1024 * 1024);
    let authed = !options.sasl;
    let mechanism = '';
    let step: ((t: Buffer) => { ok: boolean; reply: Buffer; done: boolean; user?: string }) | undefined;
    const frames = new FrameReader(100 * 1024 * 1024);
    const upstreamSocket = () => {
      if (upstream === undefined) {
        upstream = netConnect(options.target.port, options.target.host);
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        upstream.on('data', (d) => {
          for (const frame of upstreamFrames.push(d)) {
            const correlationId = frame.readInt32BE(0);
            const req = forwarded.get(correlationId);
            forwarded.delete(correlationId);
            if (req !== undefined && req.apiKey === 3) {
              const body = decodeResponseFrame(3, req.apiVersion, frame).body;
              for (const b of body.brokers) b.port = port;
              client.write(Buffer.concat(encodeResponseFrame(3, req.apiVersion, correlationId, body)));
            } else {
              writeFrame(client, frame);
            }
          }
        });
      }
      return upstream;
    };
    client.on('data', (data) => {
      let list: Buffer[];
      try {
        list = frames.push(data);
      } catch {
        client.destroy();
        return;
      }
      for (const frame of list) {
        const { header, body } = decodeRequestFrame(frame);
        requests.push({
          apiKey: header.apiKey,
          apiVersion: header.apiVersion,
          correlationId: header.correlationId,
          clientId: header.clientId,
          body,
        });
        const reply = (b: object) =>
          writeFrame(client, encodeResponseFrame(header.apiKey, header.apiVersion, header.correlationId, b));
        if (header.apiKey === 18) {
          reply({ errorCode: 0, apiKeys: keys, throttleTimeMs: 0 });
        } else if (header.apiKey === 17 && options.sasl) {
          mechanism = String(body.mechanism);
          const ok = options.sasl.mechanisms.includes(mechanism);
          reply({ errorCode: ok ? 0 : 33, mechanisms: options.sasl.mechanisms });
          if (ok) {
            if (mechanism === 'PLAIN') {
              step = (t) => {
                const [, user = '', password = ''] = t.toString('utf8').split('\u0000');
                const good = options.sasl!.users[user] !== undefined && options.sasl!.users[user] === password;
                return { ok: good, reply: Buffer.alloc(0), done: true, user };
              };
            } else {
              step = scramServer(mechanism === 'SCRAM-SHA-512' ? 'sha512' : 'sha256', options.sasl.users);
            }
          }
        } else if (header.apiKey === 36 && options.sasl) {
          const result = step?.(body.authBytes as Buffer) ?? { ok: false, reply: Buffer.alloc(0), done: true };
          if (!result.ok) {
            const message =
              mechanism === 'PLAIN'
                ? 'Authentication failed: Invalid username or password'
                : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
            reply({ errorCode: 58, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });
            continue;
          }
          reply({ errorCode: 0, errorMessage: null, authBytes: result.reply, sessionLifetimeMs: 0 });
          if (result.done) {
            authed = true;
            authenticated.push({ mechanism, user: result.user ?? '' });
          }
        } else if (!authed) {
          client.destroy();
          return;
        } else {
          forwarded.set(header.correlationId, { apiKey: header.apiKey, apiVersion: header.apiVersion });
          const size = Buffer.alloc(4);
          size.writeInt32BE(frame.length);
          upstreamSocket().write(Buffer.concat([size, frame]));
        }
      }
    });
  };

  const server: Server = options.tls
    ? createTlsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ca: options.tls.ca,
          requestCert: options.tls.requestCert === true,
          rejectUnauthorized: options.tls.requestCert === true,
        },
        onClient,
      )
    : createNetServer(onClient);
  server.on('tlsClientError', () => {});
  port = await listen(server);
  return {
    port,
    address: `127.0.0.1:${port}`,
    requests,
    sockets,
    authenticated,
    clientCertSubjects,
    close: () => closeServer(server, sockets),
  };
}
