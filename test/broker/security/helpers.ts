// Shared pieces for the listener security tests: throwaway certificates made with openssl,
// an in-process broker whose log lines are kept, a raw client that speaks Kafka frames and
// bare SASL tokens over TCP or TLS, and the client half of SCRAM.
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { startBroker, type RunningBroker } from '../../../src/broker/index.js';
import { decodeResponseFrame, encodeRequestFrame } from '../../../src/protocol/index.js';
import { tempDir } from '../../helpers/broker.js';

export interface Certs {
  dir: string;
  /** CA certificate (PEM file path). */
  ca: string;
  serverCert: string;
  serverKey: string;
  /** Certificate chain and private key in one PEM file (ssl.keystore.location). */
  keystore: string;
  /** The server key encrypted (PKCS#8) with `keyPassword`. */
  encryptedKey: string;
  keyPassword: string;
  /** PKCS#12 keystore protected by `p12Password`. */
  p12: string;
  p12Password: string;
  clientCert: string;
  clientKey: string;
  /** A key that does not belong to serverCert. */
  strayKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA, a server certificate for localhost / 127.0.0.1 and a client certificate. */
export function makeCerts(): Certs {
  const dir = tempDir('ktool-certs-');
  const p = (f: string) => join(dir, f);
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=ktool test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaf = (name: string, cn: string, usage: string) => {
    writeFileSync(
      p(`${name}.ext`),
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${usage}\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`,
    );
    openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    openssl(dir, [
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
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  leaf('server', 'localhost', 'serverAuth');
  leaf('client', 'ktool-test-client', 'clientAuth');
  writeFileSync(
    p('keystore.pem'),
    readFileSync(p('server.crt'), 'utf8') + readFileSync(p('ca.pem'), 'utf8') + readFileSync(p('server.key'), 'utf8'),
  );
  const keyPassword = 'key-pass-Zq81';
  openssl(dir, [
    'pkcs8',
    '-topk8',
    '-in',
    'server.key',
    '-out',
    'server-enc.key',
    '-passout',
    `pass:${keyPassword}`,
    '-v2',
    'aes-256-cbc',
  ]);
  const p12Password = 'p12-pass-Wm27';
  openssl(dir, [
    'pkcs12',
    '-export',
    '-in',
    'server.crt',
    '-inkey',
    'server.key',
    '-out',
    'server.p12',
    '-passout',
    `pass:${p12Password}`,
  ]);
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'stray.key']);
  return {
    dir,
    ca: p('ca.pem'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    keystore: p('keystore.pem'),
    encryptedKey: p('server-enc.key'),
    keyPassword,
    p12: p('server.p12'),
    p12Password,
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    strayKey: p('stray.key'),
  };
}

export interface LoggedBroker extends RunningBroker {
  lines: string[];
  /** Stops the broker and removes its data (unless keepData). */
  destroy(): Promise<void>;
}

/** An in-process broker on 127.0.0.1 with the given properties; its log lines are kept. */
export async function startLoggedBroker(props: Record<string, string>, dataDir = tempDir()): Promise<LoggedBroker> {
  const lines: string[] = [];
  const b = await startBroker({
    properties: { 'log.dirs': dataDir, ...props },
    log: (l) => {
      lines.push(l);
      if (process.env.KTOOL_TEST_LOG) process.stderr.write(`[broker] ${l}\n`);
    },
  });
  return Object.assign(b, {
    lines,
    async destroy() {
      await b.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * A bare client for one connection: Kafka requests, or raw size-prefixed SASL tokens
 * (after a v0 SaslHandshake), over TCP or TLS.
 */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private waiters: Array<{ resolve: (f: Buffer) => void; reject: (e: Error) => void }> = [];
  private correlationId = 1;
  closed = false;
  private closeWaiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.pump();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('connection closed'));
      for (const w of this.closeWaiters.splice(0)) w();
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  static open(port: number, tls?: { ca: string; cert?: string; key?: string }): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      if (tls) {
        const s = tlsConnect(
          {
            port,
            host: '127.0.0.1',
            ca: readFileSync(tls.ca),
            cert: tls.cert && readFileSync(tls.cert),
            key: tls.key && readFileSync(tls.key),
          },
          () => resolve(new RawClient(s)),
        );
        s.once('error', reject);
      } else {
        const s = netConnect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(s)));
        s.once('error', reject);
      }
    });
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      this.waiters.shift()!.resolve(frame);
    }
  }

  private nextFrame(timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error('connection closed'));
        return;
      }
      const timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.pump();
    });
  }

  async request(apiKey: number, version: number, body: object, timeoutMs = 10_000): Promise<any> {
    const id = this.correlationId++;
    const answer = this.nextFrame(timeoutMs);
    for (const chunk of encodeRequestFrame(apiKey, version, id, 'security-test', body)) this.socket.write(chunk);
    const decoded = decodeResponseFrame(apiKey, version, await answer);
    if (decoded.correlationId !== id) throw new Error(`correlation id ${decoded.correlationId} != ${id}`);
    return decoded.body;
  }

  /** Sends one raw token framed by an int32 length; resolves with the raw answer. */
  async token(bytes: Buffer, timeoutMs = 10_000): Promise<Buffer> {
    const answer = this.nextFrame(timeoutMs);
    const size = Buffer.alloc(4);
    size.writeInt32BE(bytes.length, 0);
    this.socket.write(Buffer.concat([size, bytes]));
    return Buffer.from(await answer);
  }

  waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connection still open')), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export const API = {
  Metadata: 3,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DescribeConfigs: 32,
  SaslAuthenticate: 36,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
} as const;

export function plainToken(user: string, password: string, authzid = ''): Buffer {
  return Buffer.from(`${authzid}\u0000${user}\u0000${password}`, 'utf8');
}

/** The client half of SCRAM (RFC 5802) with no channel binding. */
export class ScramClient {
  readonly nonce = randomBytes(16).toString('base64').replace(/[=,]/g, 'x');
  private clientFirstBare = '';
  private expectedServerSignature = '';
  private readonly digest: 'sha256' | 'sha512';
  private readonly bytes: number;

  constructor(
    mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
    private readonly user: string,
    private readonly password: string,
  ) {
    this.digest = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
    this.bytes = mechanism === 'SCRAM-SHA-256' ? 32 : 64;
  }

  first(): Buffer {
    this.clientFirstBare = `n=${this.user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.nonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`);
  }

  final(serverFirst: Buffer, opts: { nonce?: string; binding?: string } = {}): Buffer {
    const sf = serverFirst.toString();
    const attrs = Object.fromEntries(sf.split(',').map((kv) => [kv[0], kv.slice(2)]));
    const salted = pbkdf2Sync(this.password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), this.bytes, this.digest);
    const clientKey = createHmac(this.digest, salted).update('Client Key').digest();
    const storedKey = createHash(this.digest).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(opts.binding ?? 'n,,').toString('base64')},r=${opts.nonce ?? attrs.r}`;
    const authMessage = `${this.clientFirstBare},${sf},${withoutProof}`;
    const signature = createHmac(this.digest, storedKey).update(authMessage).digest();
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i] ^ signature[i];
    const serverKey = createHmac(this.digest, salted).update('Server Key').digest();
    this.expectedServerSignature = createHmac(this.digest, serverKey).update(authMessage).digest('base64');
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  verifyServerFinal(serverFinal: Buffer): boolean {
    return serverFinal.toString() === `v=${this.expectedServerSignature}`;
  }
}

/** What a SCRAM admin client sends in AlterUserScramCredentials: salt and Hi(password). */
export function scramUpsertion(
  name: string,
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
  password: string,
  iterations = 4096,
) {
  const salt = randomBytes(24);
  const digest = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  const saltedPassword = pbkdf2Sync(password, salt, iterations, mechanism === 'SCRAM-SHA-256' ? 32 : 64, digest);
  return { name, mechanism: mechanism === 'SCRAM-SHA-256' ? 1 : 2, iterations, salt, saltedPassword };
}
