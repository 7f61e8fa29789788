/**
 * Flag definitions shared by several commands. Names, value hints and
 * wording follow Kafka's own tools so scripts port over unchanged.
 */
import { Flags } from '@oclif/core';
export { parseKeyValues } from './key-values.js';

/** `--bootstrap-server host:port[,host:port]`: where to connect. */
export const bootstrapServer = Flags.string({
  description:
    'The Kafka server(s) to connect to, host:port[,host:port...]. Defaults to $KAFKA_BOOTSTRAP_SERVERS, then to localhost:9092 (starting the embedded dev broker if nothing answers there).',
  helpValue: '<host:port>',
});

/** `--command-config file`: client properties (security, timeouts, ...). */
export const commandConfig = Flags.string({
  description: 'Property file containing configs to be passed to the admin/client.',
  helpValue: '<file>',
});

/** `--override key=value`, repeatable: broker property overrides. */
export const override = Flags.string({
  description: 'Override a broker property, e.g. --override listeners=PLAINTEXT://127.0.0.1:9093 (repeatable).',
  helpValue: '<key=value>',
  multiple: true,
  multipleNonGreedy: true,
});

/** `--data-dir dir`: a broker data directory (log.dirs). */
export const dataDir = Flags.string({
  description: 'The broker data directory (its log.dirs); selects which broker to act on.',
  helpValue: '<dir>',
});
