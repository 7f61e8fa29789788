/**
 * TLS settings from a client's ssl.* properties. ktool reads PEM only (trust
 * stores, key stores, inline certificates, separate files): a JKS or PKCS12
 * store is refused with the conversion to make, not misread.
 */
// Read synchronously: node:fs/promises would be loaded (readline, streams, watchers)
// by every command at start-up only to read a small file now and then.
import { readFileSync } from 'node:fs';
import type { TlsSettings } from '../client/tls-settings.js';
import { invalidValue, settingsError, where, type Origin, type Origins } from './property-origin.js';
import { registerSecret } from './redact.js';

async function readPem(path: string, key: string, origin: Origin | undefined): Promise<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw settingsError(`Cannot read ${key} file ${path}${where(origin)}: ${why}`);
  }
  if (!text.includes('-----BEGIN ')) {
    throw settingsError(
      `${key} file ${path}${where(origin)} is not PEM; ktool reads PEM certificates and keys only (convert JKS/PKCS12 with keytool/openssl)`,
    );
  }
  return text;
}

function pemBlocks(text: string, kind: 'key' | 'cert'): string {
  const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  const wanted = blocks.filter((b) =>
    kind === 'key' ? /PRIVATE KEY-----/.test(b.split('\n')[0]!) : /CERTIFICATE-----/.test(b.split('\n')[0]!),
  );
  return wanted.join('\n');
}

/** Build the TLS settings from ssl.* properties (PEM text, and verifyHostname always set). */
export async function sslFromProperties(props: Record<string, string>, origins: Origins): Promise<TlsSettings> {
  const o = (k: string) => origins.get(k);
  const ssl: TlsSettings & { ca?: string; cert?: string; key?: string } = { verifyHostname: true };

  const algorithm = props['ssl.endpoint.identification.algorithm'];
  if (algorithm !== undefined) {
    const a = algorithm.trim().toLowerCase();
    if (a === '') ssl.verifyHostname = false;
    else if (a !== 'https')
      throw invalidValue(
        'ssl.endpoint.identification.algorithm',
        algorithm,
        o('ssl.endpoint.identification.algorithm'),
        'only "https" or an empty value (no hostname check) is supported',
      );
  }

  // Trust: ssl.ca.location (librdkafka style), ssl.truststore.location with type PEM, or inline certificates.
  const cas: string[] = [];
  if (props['ssl.ca.location'] !== undefined)
    cas.push(await readPem(props['ssl.ca.location'], 'ssl.ca.location', o('ssl.ca.location')));
  const truststoreType = props['ssl.truststore.type']?.trim().toUpperCase();
  if (truststoreType !== undefined && truststoreType !== 'PEM') {
    throw invalidValue(
      'ssl.truststore.type',
      props['ssl.truststore.type']!,
      o('ssl.truststore.type'),
      'ktool supports PEM trust stores only (ssl.truststore.type=PEM)',
    );
  }
  if (props['ssl.truststore.location'] !== undefined) {
    cas.push(await readPem(props['ssl.truststore.location'], 'ssl.truststore.location', o('ssl.truststore.location')));
  }
  if (props['ssl.truststore.certificates'] !== undefined) cas.push(props['ssl.truststore.certificates']);
  if (cas.length > 0) ssl.ca = cas.join('\n');

  // Client certificate: a PEM keystore (key + chain in one file), inline PEM, or separate files.
  const keystoreType = props['ssl.keystore.type']?.trim().toUpperCase();
  if (keystoreType !== undefined && keystoreType !== 'PEM') {
    throw invalidValue(
      'ssl.keystore.type',
      props['ssl.keystore.type']!,
      o('ssl.keystore.type'),
      'ktool supports PEM key stores only (ssl.keystore.type=PEM)',
    );
  }
  if (props['ssl.keystore.location'] !== undefined) {
    const text = await readPem(props['ssl.keystore.location'], 'ssl.keystore.location', o('ssl.keystore.location'));
    ssl.key = pemBlocks(text, 'key') || undefined;
    ssl.cert = pemBlocks(text, 'cert') || undefined;
    if (ssl.key === undefined || ssl.cert === undefined) {
      throw settingsError(
        `ssl.keystore.location file ${props['ssl.keystore.location']}${where(o('ssl.keystore.location'))} must hold a private key and a certificate (PEM)`,
      );
    }
  }
  if (props['ssl.keystore.key'] !== undefined) ssl.key = props['ssl.keystore.key'];
  if (props['ssl.keystore.certificate.chain'] !== undefined) ssl.cert = props['ssl.keystore.certificate.chain'];
  if (props['ssl.certificate.location'] !== undefined) {
    ssl.cert = await readPem(
      props['ssl.certificate.location'],
      'ssl.certificate.location',
      o('ssl.certificate.location'),
    );
  }
  if (props['ssl.key.location'] !== undefined) {
    ssl.key = await readPem(props['ssl.key.location'], 'ssl.key.location', o('ssl.key.location'));
  }
  if ((ssl.key === undefined) !== (ssl.cert === undefined)) {
    throw settingsError(
      'A client certificate needs both a certificate and a private key (ssl.certificate.location + ssl.key.location, or ssl.keystore.location with ssl.keystore.type=PEM)',
    );
  }
  if (props['ssl.key.password'] !== undefined) {
    ssl.keyPassword = props['ssl.key.password'];
    registerSecret(ssl.keyPassword);
  }
  if (ssl.key !== undefined) registerSecret(ssl.key);
  return ssl;
}
