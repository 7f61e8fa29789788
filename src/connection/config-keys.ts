/**
 * The client property names ktool knows: those the connection layer reads, and
 * the common Java client settings it accepts without a warning. A name in
 * neither (nor in a command's own list) is reported as unknown.
 */

/** Properties the connection layer reads. */
export const CONNECTION_KEYS: ReadonlySet<string> = new Set([
  'bootstrap.servers',
  'client.id',
  'request.timeout.ms',
  'socket.connection.setup.timeout.ms',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.ca.location',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.truststore.certificates',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
]);

/**
 * Common Java client settings that are harmless to leave in a properties
 * file (tuning, serializers, consumer/producer knobs). ktool accepts them
 * without a warning; a command that honours one lists it in knownKeys.
 */
// prettier-ignore
export const IGNORED_JAVA_KEYS: ReadonlySet<string> = new Set([
  // producer
  'acks', 'linger.ms', 'batch.size', 'buffer.memory', 'compression.type', 'compression.gzip.level',
  'compression.lz4.level', 'compression.zstd.level', 'retries', 'delivery.timeout.ms', 'max.block.ms',
  'max.in.flight.requests.per.connection', 'enable.idempotence', 'max.request.size', 'partitioner.class',
  'partitioner.ignore.keys', 'partitioner.adaptive.partitioning.enable', 'partitioner.availability.timeout.ms',
  'transactional.id', 'transaction.timeout.ms', 'key.serializer', 'value.serializer',
  // consumer
  'group.id', 'group.instance.id', 'group.protocol', 'group.remote.assignor', 'auto.offset.reset',
  'enable.auto.commit', 'auto.commit.interval.ms', 'session.timeout.ms', 'heartbeat.interval.ms',
  'max.poll.records', 'max.poll.interval.ms', 'fetch.min.bytes', 'fetch.max.bytes', 'fetch.max.wait.ms',
  'max.partition.fetch.bytes', 'isolation.level', 'key.deserializer', 'value.deserializer',
  'partition.assignment.strategy', 'check.crcs', 'exclude.internal.topics', 'allow.auto.create.topics',
  'client.rack', 'interceptor.classes',
  // common client tuning
  'retry.backoff.ms', 'retry.backoff.max.ms', 'reconnect.backoff.ms', 'reconnect.backoff.max.ms',
  'socket.connection.setup.timeout.max.ms', 'connections.max.idle.ms', 'metadata.max.age.ms',
  'metadata.max.idle.ms', 'default.api.timeout.ms', 'receive.buffer.bytes', 'send.buffer.bytes',
  'client.dns.lookup', 'metric.reporters', 'metrics.num.samples', 'metrics.sample.window.ms',
  'metrics.recording.level', 'auto.include.jmx.reporter', 'enable.metrics.push', 'security.providers',
  // TLS/SASL knobs with no ktool equivalent (the JVM's choices do not apply)
  'ssl.protocol', 'ssl.enabled.protocols', 'ssl.cipher.suites', 'ssl.provider', 'ssl.keymanager.algorithm',
  'ssl.trustmanager.algorithm', 'ssl.secure.random.implementation', 'ssl.engine.factory.class',
  'ssl.keystore.password', 'ssl.truststore.password', 'sasl.kerberos.service.name',
  'sasl.client.callback.handler.class', 'sasl.login.callback.handler.class', 'sasl.login.class',
  'sasl.login.refresh.window.factor', 'sasl.login.refresh.window.jitter', 'sasl.login.refresh.min.period.seconds',
  'sasl.login.refresh.buffer.seconds', 'sasl.login.connect.timeout.ms', 'sasl.login.read.timeout.ms',
  'sasl.login.retry.backoff.ms', 'sasl.login.retry.backoff.max.ms',
  // Confluent schema registry clients (console-producer/-consumer's schema formats read these)
  'schema.registry.url', 'basic.auth.credentials.source', 'basic.auth.user.info', 'schema.registry.basic.auth.user.info',
  'auto.register.schemas', 'use.latest.version', 'key.subject.name.strategy', 'value.subject.name.strategy',
]);
