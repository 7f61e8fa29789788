// The one shape of a client's TLS settings: what the connection layer builds from ssl.*
// properties and what a broker connection (or kafkajs) is opened with.

export interface TlsSettings {
  /** Trusted CA certificates (PEM); Node's default roots when absent. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate chain (PEM), for mutual TLS. */
  cert?: string | Buffer;
  /** Client private key (PEM). */
  key?: string | Buffer;
  /** Passphrase of an encrypted client key (ssl.key.password). */
  keyPassword?: string;
  /**
   * Check the server's certificate names the host (ssl.endpoint.identification.algorithm=https).
   * Default true; false when that property is empty.
   */
  verifyHostname?: boolean;
}
