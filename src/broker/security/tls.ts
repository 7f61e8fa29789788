// TLS settings for SSL and SASL_SSL listeners, from Kafka's ssl.* broker properties.
// Everything is loaded and checked before any listener binds, so a bad certificate
// stops startup with one line. Messages name properties and paths, never key material.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type TlsOptions } from 'node:tls';

export type ClientAuth = 'none' | 'requested' | 'required';

export interface ListenerTls {
  options: TlsOptions;
  clientAuth: ClientAuth;
  /** Non-fatal findings (an expired certificate...). */
  warnings: string[];
}

/** Reads one listener's property (listener-prefixed first). */
export type PropLookup = (key: string) => string | null;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function pemBlocks(text: string): Array<{ label: string; pem: string }> {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1], pem: m[0] + '\n' }));
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];

export class TlsConfigError extends Error {}

export function loadListenerTls(
  listener: string,
  get: PropLookup,
  readFile: (path: string) => Buffer = readFileSync,
): ListenerTls {
  const fail = (msg: string): never => {
    throw new TlsConfigError(`Listener ${listener}: ${msg}`);
  };
  const read = (key: string, path: string): Buffer => {
    try {
      return readFile(path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why =
        e.code === 'ENOENT'
          ? 'no such file'
          : e.code === 'EACCES'
            ? 'permission denied'
            : e.code === 'EISDIR'
              ? 'is a directory'
              : (e.code ?? 'unreadable');
      return fail(`cannot read ${key} ${path}: ${why}`);
    }
  };
  const warnings: string[] = [];
  const options: TlsOptions = {};

  // ---- keystore: the broker's certificate chain and private key
  const location = get('ssl.keystore.location');
  const inlineChain = get('ssl.keystore.certificate.chain');
  const inlineKey = get('ssl.keystore.key');
  const typeRaw = get('ssl.keystore.type');
  const type = (typeRaw ?? (location && /\.(p12|pfx)$/i.test(location) ? 'PKCS12' : 'PEM')).trim().toUpperCase();
  if (type === 'PKCS12') {
    if (!location) fail('ssl.keystore.type is PKCS12 but ssl.keystore.location is not set');
    const pfx = read('ssl.keystore.location', location!);
    options.pfx = pfx;
    options.passphrase = get('ssl.keystore.password') ?? undefined;
    try {
      createSecureContext({ pfx, passphrase: options.passphrase });
    } catch {
      fail(`cannot load the PKCS12 keystore ${location} (wrong ssl.keystore.password, or not a PKCS12 file)`);
    }
  } else if (type === 'PEM') {
    let chainPem: string;
    let keyPem: string;
    let source: string;
    if (inlineChain || inlineKey) {
      if (!inlineChain || !inlineKey) fail('ssl.keystore.certificate.chain and ssl.keystore.key must be set together');
      chainPem = inlineChain!;
      keyPem = inlineKey!;
      source = 'ssl.keystore.certificate.chain / ssl.keystore.key';
    } else if (location) {
      const text = read('ssl.keystore.location', location).toString('utf8');
      chainPem = text;
      keyPem = text;
      source = `ssl.keystore.location ${location}`;
    } else {
      return fail(
        'no certificate: set ssl.keystore.location (a PEM file with the certificate chain and private key), or ssl.keystore.certificate.chain and ssl.keystore.key',
      );
    }
    const certs = pemBlocks(chainPem).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    const keys = pemBlocks(keyPem).filter((b) => /PRIVATE KEY$/.test(b.label));
    if (certs.length === 0) fail(`${source} holds no PEM certificate`);
    if (keys.length === 0) fail(`${source} holds no PEM private key`);
    if (keys.length > 1) fail(`${source} holds ${keys.length} private keys; expected one`);
    const password = get('ssl.key.password');
    const encrypted = keys[0].label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(keys[0].pem);
    if (encrypted && !password) fail(`the private key in ${source} is encrypted; set ssl.key.password`);
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: keys[0].pem, format: 'pem', passphrase: password ?? undefined });
    } catch {
      return fail(`cannot load the private key in ${source}${password ? ' (is ssl.key.password right?)' : ''}`);
    }
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(certs[0].pem);
      for (const c of certs.slice(1)) new X509Certificate(c.pem);
    } catch {
      return fail(`${source} holds a certificate that cannot be parsed`);
    }
    if (!leaf.checkPrivateKey(key)) fail(`the private key in ${source} does not match its first certificate`);
    const notAfter = Date.parse(leaf.validTo);
    if (Number.isFinite(notAfter) && notAfter < Date.now())
      warnings.push(
        `WARNING: listener ${listener}: the certificate in ${source} expired on ${leaf.validTo}; clients will refuse it`,
      );
    options.cert = certs.map((c) => c.pem).join('');
    options.key = key.export({ type: 'pkcs8', format: 'pem' });
  } else {
    fail(`ssl.keystore.type ${type} is not supported by the dev broker; use PEM or PKCS12`);
  }

  // ---- truststore: CAs for client certificates
  const trustType = (get('ssl.truststore.type') ?? 'PEM').trim().toUpperCase();
  const trustLocation = get('ssl.truststore.location');
  const trustInline = get('ssl.truststore.certificates');
  let ca: string | undefined;
  if (trustLocation || trustInline) {
    if (trustType !== 'PEM') fail(`ssl.truststore.type ${trustType} is not supported by the dev broker; use PEM`);
    const text = trustInline ?? read('ssl.truststore.location', trustLocation!).toString('utf8');
    const source = trustInline ? 'ssl.truststore.certificates' : `ssl.truststore.location ${trustLocation}`;
    const blocks = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    if (blocks.length === 0) fail(`${source} holds no PEM certificate`);
    try {
      for (const b of blocks) new X509Certificate(b.pem);
    } catch {
      fail(`${source} holds a certificate that cannot be parsed`);
    }
    ca = blocks.map((b) => b.pem).join('');
    options.ca = ca;
  }

  const clientAuthRaw = (get('ssl.client.auth') ?? 'none').trim().toLowerCase();
  if (clientAuthRaw !== 'none' && clientAuthRaw !== 'requested' && clientAuthRaw !== 'required') {
    fail(`invalid ssl.client.auth '${clientAuthRaw}': expected none, requested or required`);
  }
  const clientAuth = clientAuthRaw as ClientAuth;
  if (clientAuth !== 'none') {
    if (!ca)
      fail(
        `ssl.client.auth=${clientAuth} needs ssl.truststore.location or ssl.truststore.certificates (the CA that signs client certificates)`,
      );
    options.requestCert = true;
    options.rejectUnauthorized = clientAuth === 'required';
  } else {
    options.requestCert = false;
    options.rejectUnauthorized = false;
  }

  const protocols = (get('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = protocols.filter((p): p is TlsVersion => (TLS_VERSIONS as readonly string[]).includes(p));
  if (known.length === 0)
    fail(`ssl.enabled.protocols lists no protocol this broker knows (${TLS_VERSIONS.join(', ')})`);
  known.sort((a, b) => TLS_VERSIONS.indexOf(a) - TLS_VERSIONS.indexOf(b));
  options.minVersion = known[0];
  options.maxVersion = known[known.length - 1];

  try {
    createSecureContext(options);
  } catch (err) {
    fail(`the TLS settings were refused: ${(err as Error).message.split('\n')[0]}`);
  }
  return { options, clientAuth, warnings };
}
