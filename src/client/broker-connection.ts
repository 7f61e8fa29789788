/**
 * One connection to one Kafka broker, over TCP or TLS.
 *
 * - Frames requests with the codec and matches responses by correlation id,
 *   so any number of requests can be in flight at once (pipelining).
 * - Every request has a timeout (request.timeout.ms, 30 s by default); when
 *   one expires the connection is closed and everything in flight fails, as
 *   Kafka's clients do (responses arrive in order, so a late one is useless).
 * - Opening fails fast: TCP connect, the TLS handshake and ApiVersions must
 *   finish within the connect timeout (min(5 s, request timeout) by default).
 * - ApiVersions is negotiated at connect (v3 first; on UNSUPPORTED_VERSION
 *   the broker's v0 answer says which version to retry with).
 * - SASL PLAIN and SCRAM-SHA-256/512 via SaslHandshake + SaslAuthenticate.
 *
 * node:tls and the SASL code are loaded only when used.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { ConnectionOptions as NodeTlsOptions } from 'node:tls';
import { apiSpec } from '../protocol/codec.js';
import { ErrorCode, KafkaError, errorName } from '../protocol/errors.js';
import { decodeResponseFrame, encodeRequestFrame } from '../protocol/headers.js';
import type { MessageBody } from '../protocol/types.js';
import { FrameReader, FrameSizeError } from '../protocol/frame-reader.js';
import type { ReusedBuffers } from '../protocol/reused-buffers.js';
import { ConnectionError, describeSystemError, formatHostPort } from './errors.js';
import type { SaslCredentials } from './sasl.js';
import type { TlsSettings } from './tls-settings.js';
import { CLIENT_SOFTWARE_NAME, CLIENT_SOFTWARE_VERSION } from './version.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const MAX_CONNECT_TIMEOUT_MS = 5_000;
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

export interface BrokerConnectionOptions {
  host: string;
  port: number;
  clientId?: string | null;
  /** Per-request timeout (request.timeout.ms). */
  requestTimeoutMs?: number;
  /** TCP + TLS + ApiVersions must finish within this; default min(5000, requestTimeoutMs). */
  connectTimeoutMs?: number;
  tls?: TlsSettings | null;
  sasl?: SaslCredentials | null;
  /** Highest ApiVersions version to try first (3 unless a test says otherwise). */
  apiVersionsVersion?: number;
  /** Where large response frames are read into; whoever is done with a frame may give it back. */
  frameBuffers?: ReusedBuffers;
}

export interface ApiVersionRange {
  minVersion: number;
  maxVersion: number;
}

export interface SendOptions {
  /** Use exactly this version (no negotiation). */
  version?: number;
  /** Highest version we can use; defaults to the codec's newest stable version. */
  maxVersion?: number;
  /** Lowest version we can use. */
  minVersion?: number;
  timeoutMs?: number;
  /** False for requests the broker never answers (Produce with acks=0). */
  expectResponse?: boolean;
}

/** A request body, or a function building it for the negotiated version. */
export type RequestBody = object | ((version: number) => object);

interface Pending {
  apiKey: number;
  version: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (frame: Buffer) => void;
  reject: (error: Error) => void;
}

/** Our newest usable version of an API: the codec's newest, minus an unstable one. */
export function clientMaxVersion(apiKey: number): number {
  const spec = apiSpec(apiKey);
  if (spec === undefined) throw new Error(`Unknown API key ${apiKey}`);
  const [min, max] = spec.request.validVersions;
  return spec.latestVersionUnstable === true && max > min ? max - 1 : max;
}

export function apiName(apiKey: number): string {
  return apiSpec(apiKey)?.name ?? `API ${apiKey}`;
}

const TLS_ERROR_HINTS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'the server certificate is self-signed; trust it with ssl.truststore.location or ssl.ca.location',
  SELF_SIGNED_CERT_IN_CHAIN:
    'the certificate chain ends in an untrusted CA; trust it with ssl.truststore.location or ssl.ca.location',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate is not signed by a trusted CA',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID:
    'the server certificate does not name this host (set ssl.endpoint.identification.algorithm= to skip the check)',
};

function isTlsErrorCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  return (
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    code.includes('CERT') ||
    TLS_ERROR_HINTS[code] !== undefined
  );
}

export class BrokerConnection {
  readonly host: string;
  readonly port: number;
  /** host:port */
  readonly address: string;
  /** Broker API versions from ApiVersions, by API key. */
  readonly versions = new Map<number, ApiVersionRange>();
  /** The ApiVersions version the broker accepted. */
  apiVersionsVersion = -1;

  private readonly options: BrokerConnectionOptions;
  private readonly requestTimeoutMs: number;
  private socket: Socket | undefined;
  private readonly frames: FrameReader;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 0;
  private isClosed = false;
  private closeError: Error | undefined;
  private lastSocketError: Error | undefined;
  /** True once any response other than ApiVersions arrived (for error hints). */
  private answeredOnce = false;

  private constructor(options: BrokerConnectionOptions) {
    this.options = options;
    this.host = options.host;
    this.port = options.port;
    this.address = formatHostPort(options.host, options.port);
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.frames = new FrameReader(MAX_RESPONSE_BYTES, options.frameBuffers?.take);
  }

  /** Open a connection, negotiate API versions and authenticate. */
  static async open(options: BrokerConnectionOptions): Promise<BrokerConnection> {
    const conn = new BrokerConnection(options);
    const connectTimeout = options.connectTimeoutMs ?? Math.min(MAX_CONNECT_TIMEOUT_MS, conn.requestTimeoutMs);
    const started = Date.now();
    try {
      await conn.connectSocket(connectTimeout);
      const budget = Math.min(connectTimeout, conn.requestTimeoutMs);
      const left = Math.max(1, connectTimeout - (Date.now() - started));
      await conn.negotiateVersions(Math.min(left, conn.requestTimeoutMs), budget);
      if (options.sasl) await conn.authenticate(options.sasl);
    } catch (error) {
      conn.close();
      throw error;
    }
    return conn;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Requests waiting for a response. */
  get inFlight(): number {
    return this.pending.size;
  }

  supports(apiKey: number, version?: number): boolean {
    const range = this.versions.get(apiKey);
    if (range === undefined) return false;
    return version === undefined || (version >= range.minVersion && version <= range.maxVersion);
  }

  /**
   * The version to use: min(broker max, our max). Throws UNSUPPORTED_VERSION
   * when the broker lacks the API or the ranges do not overlap.
   */
  pickVersion(apiKey: number, ourMax = clientMaxVersion(apiKey), ourMin = 0): number {
    const range = this.versions.get(apiKey);
    if (range === undefined) {
      throw new KafkaError(
        'UNSUPPORTED_VERSION',
        `The broker at ${this.address} does not support ${apiName(apiKey)} (API key ${apiKey})`,
      );
    }
    const version = Math.min(range.maxVersion, ourMax);
    if (version < Math.max(range.minVersion, ourMin)) {
      throw new KafkaError(
        'UNSUPPORTED_VERSION',
        `The broker at ${this.address} supports ${apiName(apiKey)} versions ${range.minVersion}-${range.maxVersion}, ktool needs ${ourMin}-${ourMax}`,
      );
    }
    return version;
  }

  /** Send a request and resolve with the decoded response body. */
  async send(apiKey: number, body: RequestBody, options: SendOptions = {}): Promise<MessageBody> {
    const version =
      options.version ??
      this.pickVersion(apiKey, options.maxVersion ?? clientMaxVersion(apiKey), options.minVersion ?? 0);
    const payload = typeof body === 'function' ? body(version) : body;
    if (options.expectResponse === false) {
      this.write(apiKey, version, this.nextCorrelationId++, payload);
      return {};
    }
    const frame = await this.request(apiKey, version, payload, options.timeoutMs ?? this.requestTimeoutMs);
    return this.decode(apiKey, version, frame);
  }

  /** Like send(), also returning the version used. */
  async sendVersioned(
    apiKey: number,
    body: RequestBody,
    options: SendOptions = {},
  ): Promise<{ version: number; body: MessageBody }> {
    const version =
      options.version ??
      this.pickVersion(apiKey, options.maxVersion ?? clientMaxVersion(apiKey), options.minVersion ?? 0);
    return { version, body: await this.send(apiKey, body, { ...options, version }) };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.socket?.destroy();
    this.failAll(
      this.closeError ??
        new ConnectionError('CONNECTION_CLOSED', this.address, `Connection to ${this.address} was closed`),
    );
  }

  // ------------------------------------------------------------ internals

  private decode(apiKey: number, version: number, frame: Buffer): MessageBody {
    try {
      return decodeResponseFrame(apiKey, version, frame).body;
    } catch (error) {
      throw new ConnectionError(
        'BAD_RESPONSE',
        this.address,
        `Cannot decode the ${apiName(apiKey)} v${version} response from ${this.address}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private async connectSocket(timeoutMs: number): Promise<void> {
    const tlsSettings = this.options.tls;
    let socket: Socket;
    if (tlsSettings) {
      const tls = await import('node:tls');
      const options: NodeTlsOptions = {
        host: this.host,
        port: this.port,
        ca: tlsSettings.ca,
        cert: tlsSettings.cert,
        key: tlsSettings.key,
        passphrase: tlsSettings.keyPassword,
        rejectUnauthorized: true,
      };
      if (isIP(this.host) === 0) options.servername = this.host;
      if (tlsSettings.verifyHostname === false) options.checkServerIdentity = () => undefined;
      try {
        socket = tls.connect(options);
      } catch (error) {
        // Bad PEM or a wrong key passphrase fail synchronously.
        const { reason } = describeSystemError(error);
        const hint = /bad decrypt|bad password/i.test(reason) ? ' (wrong ssl.key.password?)' : '';
        throw new ConnectionError(
          'TLS_FAILED',
          this.address,
          `Cannot set up TLS for ${this.address}: ${reason}${hint}`,
          { cause: error },
        );
      }
    } else {
      // Reads land in buffers the frame reader hands out: a large response goes straight
      // into its frame (TLS sockets cannot do this and use 'data' events).
      socket = netConnect({
        host: this.host,
        port: this.port,
        noDelay: true,
        onread: {
          buffer: () => this.frames.target(),
          callback: (n: number) => {
            this.onFrames(() => this.frames.written(n));
            return true;
          },
        },
      });
    }
    this.socket = socket;
    socket.setNoDelay(true);

    await new Promise<void>((resolve, reject) => {
      const readyEvent = tlsSettings ? 'secureConnect' : 'connect';
      let tcpUp = false;
      const timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        const what =
          tlsSettings && tcpUp
            ? `TLS handshake with ${this.address} timed out`
            : `Cannot connect to ${this.address}: timed out`;
        reject(
          new ConnectionError('CONNECT_TIMEOUT', this.address, `${what} after ${timeoutMs} ms (ETIMEDOUT)`, {
            sysCode: 'ETIMEDOUT',
          }),
        );
      }, timeoutMs);
      const onTcp = () => {
        tcpUp = true;
      };
      const onReady = () => {
        cleanup();
        resolve();
      };
      const onError = (error: Error) => {
        cleanup();
        socket.destroy();
        reject(this.connectError(error, tlsSettings !== null && tlsSettings !== undefined, tcpUp));
      };
      const onClose = () => {
        cleanup();
        reject(
          tlsSettings
            ? new ConnectionError(
                'TLS_FAILED',
                this.address,
                `TLS handshake with ${this.address} failed: the server closed the connection (is it a TLS listener? check security.protocol)`,
              )
            : new ConnectionError(
                'CONNECT_FAILED',
                this.address,
                `Cannot connect to ${this.address}: the connection was closed`,
              ),
        );
      };
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('connect', onTcp);
        socket.off(readyEvent, onReady);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
      if (tlsSettings) socket.once('connect', onTcp);
      socket.once(readyEvent, onReady);
      socket.once('error', onError);
      socket.once('close', onClose);
    });

    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (error: Error) => {
      this.lastSocketError = error;
    });
    socket.on('close', () => this.onClose());
    this.updateRef();
  }

  private connectError(error: Error, tls: boolean, tcpUp: boolean): ConnectionError {
    const { reason, sysCode } = describeSystemError(error);
    if (tls && (isTlsErrorCode(sysCode) || (tcpUp && sysCode === 'ECONNRESET'))) {
      const hint = sysCode !== undefined ? TLS_ERROR_HINTS[sysCode] : undefined;
      const detail =
        sysCode === 'ECONNRESET'
          ? 'the server closed the connection (is it a TLS listener? check security.protocol)'
          : reason;
      return new ConnectionError(
        'TLS_FAILED',
        this.address,
        `TLS handshake with ${this.address} failed: ${detail}${hint ? `; ${hint}` : ''}`,
        { sysCode, cause: error },
      );
    }
    return new ConnectionError('CONNECT_FAILED', this.address, `Cannot connect to ${this.address}: ${reason}`, {
      sysCode,
      cause: error,
    });
  }

  private write(apiKey: number, version: number, correlationId: number, body: object): void {
    if (this.isClosed || this.socket === undefined) {
      throw (
        this.closeError ??
        new ConnectionError('CONNECTION_CLOSED', this.address, `Connection to ${this.address} is closed`)
      );
    }
    const chunks = encodeRequestFrame(apiKey, version, correlationId, this.options.clientId ?? null, body);
    const socket = this.socket;
    if (chunks.length === 1) {
      socket.write(chunks[0]!);
    } else {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
  }

  private request(
    apiKey: number,
    version: number,
    body: object,
    timeoutMs: number,
    reportedTimeoutMs = timeoutMs,
  ): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const correlationId = this.nextCorrelationId;
      this.nextCorrelationId = (this.nextCorrelationId + 1) | 0;
      const entry: Pending = { apiKey, version, timer: undefined, resolve, reject };
      try {
        this.write(apiKey, version, correlationId, body);
      } catch (error) {
        reject(error as Error);
        return;
      }
      this.pending.set(correlationId, entry);
      entry.timer = setTimeout(() => {
        const error = new ConnectionError(
          'REQUEST_TIMEOUT',
          this.address,
          `Request ${apiName(apiKey)} to ${this.address} timed out after ${reportedTimeoutMs} ms${apiKey === API_VERSIONS ? ' (is this a Kafka broker?)' : ''}`,
          { sysCode: 'ETIMEDOUT' },
        );
        this.closeError = error;
        this.close();
      }, timeoutMs);
      this.updateRef();
    });
  }

  private onData(data: Buffer): void {
    this.onFrames(() => this.frames.push(data));
  }

  /** Answers the requests whose responses `read` completes. */
  private onFrames(read: () => Buffer[]): void {
    let frames: Buffer[];
    try {
      frames = read();
    } catch (error) {
      const detail = error instanceof FrameSizeError ? `a frame of ${error.size} bytes` : (error as Error).message;
      this.closeError = new ConnectionError(
        'BAD_RESPONSE',
        this.address,
        `Invalid response from ${this.address}: ${detail} (is this a Kafka broker? check security.protocol)`,
      );
      this.close();
      return;
    }
    for (const frame of frames) {
      if (frame.length < 4) continue;
      const correlationId = frame.readInt32BE(0);
      const entry = this.pending.get(correlationId);
      if (entry === undefined) continue;
      this.pending.delete(correlationId);
      clearTimeout(entry.timer);
      if (entry.apiKey !== API_VERSIONS) this.answeredOnce = true;
      entry.resolve(frame);
    }
    this.updateRef();
  }

  private onClose(): void {
    if (!this.isClosed) {
      const why = this.lastSocketError ? `: ${describeSystemError(this.lastSocketError).reason}` : '';
      const pendingApi = this.pending.values().next().value as Pending | undefined;
      const hint = this.answeredOnce ? '' : ' (the listener may need TLS or SASL: check security.protocol)';
      this.closeError = new ConnectionError(
        'CONNECTION_CLOSED',
        this.address,
        pendingApi
          ? `Connection to ${this.address} closed before a response to ${apiName(pendingApi.apiKey)} arrived${why}${hint}`
          : `Connection to ${this.address} closed${why}`,
        { sysCode: (this.lastSocketError as NodeJS.ErrnoException | undefined)?.code },
      );
    }
    this.close();
  }

  private failAll(error: Error): void {
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.pending.clear();
  }

  /** An idle connection does not keep the process alive. */
  private updateRef(): void {
    if (this.socket === undefined || this.isClosed) return;
    if (this.pending.size > 0) this.socket.ref();
    else this.socket.unref();
  }

  private async negotiateVersions(timeoutMs: number, reportedTimeoutMs: number): Promise<void> {
    let version = this.options.apiVersionsVersion ?? 3;
    for (let attempt = 0; attempt < 3; attempt++) {
      const frame = await this.request(
        API_VERSIONS,
        version,
        { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION },
        timeoutMs,
        reportedTimeoutMs,
      );
      // The error code is the first field in every version, and a broker that
      // does not know our version answers in v0.
      const errorCode = frame.length >= 6 ? frame.readInt16BE(4) : -1;
      if (errorCode === ErrorCode.UNSUPPORTED_VERSION && version > 0) {
        let retry = 0;
        try {
          const v0 = decodeResponseFrame(API_VERSIONS, 0, frame).body;
          const own = (v0.apiKeys as Array<{ apiKey: number; maxVersion: number }>).find(
            (k) => k.apiKey === API_VERSIONS,
          );
          if (own !== undefined) retry = Math.min(own.maxVersion, version - 1);
        } catch {
          retry = 0;
        }
        version = Math.max(0, retry);
        continue;
      }
      const body = this.decode(API_VERSIONS, version, frame);
      if (body.errorCode !== ErrorCode.NONE) {
        throw new KafkaError(body.errorCode, `ApiVersions to ${this.address} failed: ${errorName(body.errorCode)}`);
      }
      for (const k of body.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>) {
        this.versions.set(k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion });
      }
      this.apiVersionsVersion = version;
      return;
    }
    throw new KafkaError('UNSUPPORTED_VERSION', `The broker at ${this.address} rejected every ApiVersions version`);
  }

  private async authenticate(credentials: SaslCredentials): Promise<void> {
    if (!this.supports(SASL_HANDSHAKE) || !this.supports(SASL_AUTHENTICATE)) {
      throw new KafkaError(
        'ILLEGAL_SASL_STATE',
        `The broker at ${this.address} does not offer SASL authentication (check security.protocol)`,
      );
    }
    const handshake = await this.send(
      SASL_HANDSHAKE,
      { mechanism: credentials.mechanism },
      { version: this.pickVersion(SASL_HANDSHAKE, 1, 1) },
    );
    if (handshake.errorCode !== ErrorCode.NONE) {
      const enabled = (handshake.mechanisms as string[] | undefined) ?? [];
      throw new KafkaError(
        handshake.errorCode,
        handshake.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM
          ? `The broker at ${this.address} does not support SASL mechanism ${credentials.mechanism} (enabled: ${enabled.join(', ') || 'none'})`
          : handshake.errorCode === ErrorCode.ILLEGAL_SASL_STATE
            ? `The broker at ${this.address} does not expect SASL on this listener (ILLEGAL_SASL_STATE): check security.protocol`
            : `SASL handshake with ${this.address} failed: ${errorName(handshake.errorCode)}`,
      );
    }
    const { createMechanism, SaslError } = await import('./sasl.js');
    const mechanism = createMechanism(credentials);
    const version = this.pickVersion(SASL_AUTHENTICATE, 2);
    let token: Buffer | null = mechanism.first();
    try {
      while (token !== null) {
        const response = await this.send(SASL_AUTHENTICATE, { authBytes: token }, { version });
        if (response.errorCode !== ErrorCode.NONE) {
          const detail =
            typeof response.errorMessage === 'string' && response.errorMessage.length > 0
              ? response.errorMessage
              : 'Authentication failed';
          throw new KafkaError(response.errorCode, detail);
        }
        token = mechanism.next(response.authBytes as Buffer);
      }
      mechanism.done();
    } catch (error) {
      if (error instanceof SaslError)
        throw new KafkaError('SASL_AUTHENTICATION_FAILED', `${error.message} (broker ${this.address})`);
      throw error;
    }
  }
}
