/**
 * Errors shared by the admin-tool operations (configs, get-offsets,
 * delete-records, broker-api-versions, cluster, log-dirs).
 *
 * Kafka's tools print two kinds of failures differently, so the ops keep
 * them apart and the command decides the wording:
 * - UsageError: a mistake in the arguments or input, which Kafka
 *   reports with its bare message (IllegalArgumentException, TerseException,
 *   InvalidConfigurationException, ...);
 * - AdminCommandError: the operation failed on the cluster.
 * Both carry a machine-readable code (a Kafka error name or a ktool code)
 * for --json.
 */
import { CommandError, UsageError } from './tool-errors.js';
import { apiSpec } from '../protocol/codec.js';
import { errorMessage, errorName } from '../protocol/errors.js';

export { UsageError };

export class AdminCommandError extends CommandError {
  constructor(message: string, code = 'UNKNOWN_SERVER_ERROR') {
    super(message, code);
    this.name = 'AdminCommandError';
  }
}

/** The broker's message for an error code, else ktool's summary of the code. */
export function kafkaErrorText(code: number, message?: string | null): string {
  return typeof message === 'string' && message.length > 0 ? message : errorMessage(code);
}

/** An AdminCommandError for an error code in a response. */
export function responseError(code: number, message?: string | null): AdminCommandError {
  return new AdminCommandError(kafkaErrorText(code, message), errorName(code));
}

// Kafka's exception classes whose names do not follow the error name.
const JAVA_CLASS_OVERRIDES: Record<string, string> = {
  UNKNOWN_SERVER_ERROR: 'UnknownServerException',
  CORRUPT_MESSAGE: 'CorruptRecordException',
  REQUEST_TIMED_OUT: 'TimeoutException',
  INVALID_TOPIC_EXCEPTION: 'InvalidTopicException',
  INVALID_CONFIG: 'InvalidConfigurationException',
  KAFKA_STORAGE_ERROR: 'KafkaStorageException',
  NETWORK_EXCEPTION: 'NetworkException',
  SASL_AUTHENTICATION_FAILED: 'SaslAuthenticationException',
  RECORD_LIST_TOO_LARGE: 'RecordBatchTooLargeException',
  MESSAGE_TOO_LARGE: 'RecordTooLargeException',
};

/**
 * The fully qualified Java exception class Kafka's admin client raises for
 * an error name (`UNKNOWN_TOPIC_OR_PARTITION` ->
 * `org.apache.kafka.common.errors.UnknownTopicOrPartitionException`). Some
 * of Kafka's tools print it as part of their output.
 */
export function javaExceptionClass(name: string): string {
  let simple = JAVA_CLASS_OVERRIDES[name];
  if (simple === undefined) {
    const base = name.endsWith('_AUTHORIZATION_FAILED') ? `${name.slice(0, -'_FAILED'.length)}` : name;
    simple = `${base
      .toLowerCase()
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('')}Exception`;
  }
  return `org.apache.kafka.common.errors.${simple}`;
}

/** `<java class>: <message>`: how Java prints the exception of an error code (Throwable.toString). */
export function javaExceptionText(code: number, message?: string | null): string {
  return `${javaExceptionClass(errorName(code))}: ${kafkaErrorText(code, message)}`;
}

/**
 * A clear one-line error for an API the broker does not serve (Kafka's tools
 * print an UnsupportedVersionException's bare message), e.g. "The broker
 * does not support the DescribeClientQuotas API (key 48), needed to describe
 * client quotas."
 */
export function unsupportedApiError(apiKey: number, neededTo: string): UsageError {
  const name = apiSpec(apiKey)?.name ?? `API ${apiKey}`;
  return new UsageError(
    `The broker does not support the ${name} API (key ${apiKey}), needed to ${neededTo}.`,
    'UNSUPPORTED_VERSION',
  );
}
