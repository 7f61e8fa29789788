// ktool's own Kafka protocol client (no kafkajs): connections, version
// negotiation, SASL, TLS, and a cluster-level client on top.
export {
  BrokerConnection,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_CONNECT_TIMEOUT_MS,
  apiName,
  clientMaxVersion,
  type ApiVersionRange,
  type BrokerConnectionOptions,
  type RequestBody,
  type SendOptions,
} from './broker-connection.js';
export type { TlsSettings } from './tls-settings.js';
export {
  ClusterClient,
  type BrokerNode,
  type ClusterClientOptions,
  type ClusterMetadata,
  type ClusterSendOptions,
  type NodeTarget,
  type PartitionMetadata,
  type TopicMetadata,
} from './cluster.js';
export { ConnectionError, KafkaError, formatHostPort, parseHostPort, type ConnectionErrorCode } from './errors.js';
export { SASL_MECHANISMS, type SaslCredentials, type SaslMechanismName } from './sasl.js';
