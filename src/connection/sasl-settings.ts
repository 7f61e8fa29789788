/**
 * SASL settings from a client's sasl.* properties: the credentials in
 * sasl.jaas.config and the mechanism (sasl.mechanism, or the one the login
 * module implies). Every secret is registered for redaction before any error
 * can be raised about it.
 */
import type { SaslCredentials } from '../client/sasl.js';
import { SASL_MECHANISMS, isSaslMechanism, type SaslMechanismName } from '../protocol/sasl/mechanisms.js';
import { invalidValue, settingsError, where, type Origins } from './property-origin.js';
import { registerSecret } from './redact.js';

export { SASL_MECHANISMS } from '../protocol/sasl/mechanisms.js';

/** The SASL settings are the client's credentials, as they are handed to it. */
export type SaslSettings = SaslCredentials;

export async function saslFromProperties(props: Record<string, string>, origins: Origins): Promise<SaslSettings> {
  const { JaasError, impliedMechanism, parseJaasConfig } = await import('./jaas.js');
  const jaas = props['sasl.jaas.config'];
  const jaasOrigin = origins.get('sasl.jaas.config');
  if (jaas === undefined || jaas.trim() === '') {
    throw settingsError(
      `SASL needs credentials: set sasl.jaas.config (e.g. ${'org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="...";'})`,
    );
  }
  registerSecret(jaas);
  let parsed;
  try {
    parsed = parseJaasConfig(jaas);
  } catch (error) {
    const detail = error instanceof JaasError ? error.message : 'cannot parse it';
    throw settingsError(`Invalid sasl.jaas.config${where(jaasOrigin)}: ${detail}`);
  }
  const username = parsed.options.username;
  const password = parsed.options.password;
  if (password !== undefined) registerSecret(password);
  if (username === undefined || password === undefined) {
    throw settingsError(`Invalid sasl.jaas.config${where(jaasOrigin)}: it must set username and password`);
  }
  const rawMechanism = props['sasl.mechanism']?.trim();
  let mechanism: SaslMechanismName | undefined;
  if (rawMechanism === undefined || rawMechanism === '') {
    mechanism = impliedMechanism(parsed.loginModule);
    if (mechanism === undefined) {
      throw settingsError(`sasl.mechanism is not set; ktool supports ${SASL_MECHANISMS.join(', ')}`);
    }
  } else {
    const upper = rawMechanism.toUpperCase();
    if (!isSaslMechanism(upper)) {
      throw invalidValue(
        'sasl.mechanism',
        rawMechanism,
        origins.get('sasl.mechanism'),
        `ktool supports ${SASL_MECHANISMS.join(', ')}`,
      );
    }
    mechanism = upper;
  }
  return { mechanism, username, password };
}
