// Kafka's error codes (as of Kafka 3.9) with their retriable flags, plus the two
// exception classes used by the protocol layer. Messages are short summaries of
// our own; names and codes match Kafka's so logs and clients line up.

type ErrorRow = readonly [code: number, name: string, retriable: boolean, message: string];

const ERROR_ROWS = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'Unexpected server error'],
  [0, 'NONE', false, 'No error'],
  [1, 'OFFSET_OUT_OF_RANGE', false, 'Offset is outside the range held by the partition'],
  [2, 'CORRUPT_MESSAGE', true, 'Record failed its CRC check or is otherwise corrupt'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'Topic or partition does not exist on this broker'],
  [4, 'INVALID_FETCH_SIZE', false, 'Invalid fetch size'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'Partition has no leader right now'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'Broker is not the leader or a replica of the partition'],
  [7, 'REQUEST_TIMED_OUT', true, 'Request timed out'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'Broker not available'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'Replica not available for the partition'],
  [10, 'MESSAGE_TOO_LARGE', false, 'Message exceeds the maximum size accepted'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'Controller epoch is stale'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'Offset commit metadata is too large'],
  [13, 'NETWORK_EXCEPTION', true, 'Connection closed before a response arrived'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'Coordinator is still loading'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'Coordinator not available'],
  [16, 'NOT_COORDINATOR', true, 'Broker is not the coordinator for this key'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'Invalid topic'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'Record batch exceeds the segment size'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Too few in-sync replicas'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, 'Written, but to too few in-sync replicas'],
  [21, 'INVALID_REQUIRED_ACKS', false, 'Invalid acks value'],
  [22, 'ILLEGAL_GENERATION', false, 'Group generation id is not current'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, 'Member protocols are incompatible with the group'],
  [24, 'INVALID_GROUP_ID', false, 'Invalid group id'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'Member id unknown to the coordinator'],
  [26, 'INVALID_SESSION_TIMEOUT', false, 'Session timeout outside the allowed range'],
  [27, 'REBALANCE_IN_PROGRESS', false, 'Group is rebalancing; rejoin needed'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'Invalid offset commit size'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized for the topic'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized for the group'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for the cluster'],
  [32, 'INVALID_TIMESTAMP', false, 'Timestamp outside the accepted range'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'SASL mechanism not supported'],
  [34, 'ILLEGAL_SASL_STATE', false, 'Request not valid in the current SASL state'],
  [35, 'UNSUPPORTED_VERSION', false, 'API version not supported'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'Topic already exists'],
  [37, 'INVALID_PARTITIONS', false, 'Invalid partition count'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'Invalid replication factor'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'Invalid replica assignment'],
  [40, 'INVALID_CONFIG', false, 'Invalid configuration'],
  [41, 'NOT_CONTROLLER', true, 'Broker is not the controller'],
  [42, 'INVALID_REQUEST', false, 'Malformed or unsupported request'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, 'Message format does not support the request'],
  [44, 'POLICY_VIOLATION', false, 'Request violates the configured policy'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'Producer sequence number out of order'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'Duplicate producer sequence number'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'Producer epoch is stale'],
  [48, 'INVALID_TXN_STATE', false, 'Operation not valid in the transaction state'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'Producer id not mapped to this transactional id'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, 'Transaction timeout above the broker maximum'],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'Another operation on the transaction is in progress'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'Transaction coordinator was fenced'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized for the transactional id'],
  [54, 'SECURITY_DISABLED', false, 'Security features are disabled'],
  [55, 'OPERATION_NOT_ATTEMPTED', false, 'Operation skipped after another one failed'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'Disk error accessing the log'],
  [57, 'LOG_DIR_NOT_FOUND', false, 'Log directory not found'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'Producer id unknown to the broker'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'Partition reassignment in progress'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation tokens are disabled'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'Delegation token not found'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, 'Principal is not the token owner or renewer'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', false, 'Delegation token requests not allowed on this channel'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Not authorized for the delegation token'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'Delegation token expired'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'Principal type not supported'],
  [68, 'NON_EMPTY_GROUP', false, 'Group is not empty'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'Group id not found'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'Fetch session not found'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, 'Fetch session epoch is invalid'],
  [72, 'LISTENER_NOT_FOUND', true, 'Leader has no matching listener'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is disabled'],
  [74, 'FENCED_LEADER_EPOCH', true, 'Leader epoch in the request is older than the broker'],
  [75, 'UNKNOWN_LEADER_EPOCH', true, 'Leader epoch in the request is newer than the broker'],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', false, 'Client does not support the compression type'],
  [77, 'STALE_BROKER_EPOCH', false, 'Broker epoch is stale'],
  [78, 'OFFSET_NOT_AVAILABLE', true, 'Offset not available yet after leader change'],
  [79, 'MEMBER_ID_REQUIRED', false, 'A member id is required; join again with the given id'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'Preferred leader not available'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'Group reached its maximum size'],
  [82, 'FENCED_INSTANCE_ID', false, 'Static member fenced by another with the same instance id'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No eligible leader available'],
  [84, 'ELECTION_NOT_NEEDED', true, 'Leader election not needed'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment in progress'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'Group is subscribed to the topic'],
  [87, 'INVALID_RECORD', false, 'Record failed broker validation'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'Unstable offsets pending'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'Throttling quota exceeded'],
  [90, 'PRODUCER_FENCED', false, 'Producer fenced by a newer one'],
  [91, 'RESOURCE_NOT_FOUND', false, 'Resource not found'],
  [92, 'DUPLICATE_RESOURCE', false, 'Resource given twice'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, 'Credential not acceptable'],
  [94, 'INCONSISTENT_VOTER_SET', false, 'Voter set mismatch'],
  [95, 'INVALID_UPDATE_VERSION', false, 'Invalid update version'],
  [96, 'FEATURE_UPDATE_FAILED', false, 'Feature update failed'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, 'Could not deserialize a forwarded principal'],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'Snapshot not found'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'Position outside the snapshot'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'Topic id unknown to this broker'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'Broker id already registered'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'Broker id not registered'],
  [103, 'INCONSISTENT_TOPIC_ID', true, 'Topic id does not match the log'],
  [104, 'INCONSISTENT_CLUSTER_ID', false, 'Cluster id mismatch'],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'Transactional id not found'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', true, 'Inconsistent topic id use in the fetch session'],
  [107, 'INELIGIBLE_REPLICA', false, 'New ISR has an ineligible replica'],
  [108, 'NEW_LEADER_ELECTED', false, 'Partition updated but the leader changed'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', false, 'Offset is in tiered storage'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'Member epoch fenced; rejoin'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'Instance id still held by another member'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'Assignor not supported by the group'],
  [113, 'STALE_MEMBER_EPOCH', false, 'Member epoch is stale'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', false, 'Request sent to the wrong endpoint type'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', false, 'Endpoint type not supported'],
  [116, 'UNKNOWN_CONTROLLER_ID', false, 'Controller id unknown'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', false, 'Telemetry subscription id unknown or outdated'],
  [118, 'TELEMETRY_TOO_LARGE', false, 'Telemetry payload too large'],
  [119, 'INVALID_REGISTRATION', false, 'Broker registration rejected'],
  [120, 'TRANSACTION_ABORTABLE', false, 'Transaction failed; abort it to continue'],
  [121, 'INVALID_RECORD_STATE', false, 'Record state does not allow the acknowledgement'],
  [122, 'SHARE_SESSION_NOT_FOUND', true, 'Share session not found'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', true, 'Share session epoch is invalid'],
  [124, 'FENCED_STATE_EPOCH', false, 'Share group state epoch mismatch'],
  [125, 'INVALID_VOTER_KEY', false, 'Voter key mismatch'],
  [126, 'DUPLICATE_VOTER', false, 'Voter already in the voter set'],
  [127, 'VOTER_NOT_FOUND', false, 'Voter not in the voter set'],
] as const satisfies readonly ErrorRow[];

export type ErrorName = (typeof ERROR_ROWS)[number][1];

/** Error name -> numeric code, e.g. `ErrorCode.UNKNOWN_TOPIC_OR_PARTITION === 3`. */
export const ErrorCode: { readonly [K in ErrorName]: number } = Object.freeze(
  Object.fromEntries(ERROR_ROWS.map(([code, name]) => [name, code])) as Record<ErrorName, number>,
);

// Dense lookup by code + 1 (codes run from -1 without gaps).
const BY_CODE: readonly (ErrorRow | undefined)[] = (() => {
  const table: (ErrorRow | undefined)[] = [];
  for (const row of ERROR_ROWS) table[row[0] + 1] = row;
  return table;
})();

export function errorName(code: number): string {
  return BY_CODE[code + 1]?.[1] ?? `UNKNOWN_ERROR_CODE_${code}`;
}

export function isRetriable(code: number): boolean {
  return BY_CODE[code + 1]?.[2] ?? false;
}

export function errorMessage(code: number): string {
  return BY_CODE[code + 1]?.[3] ?? `Unknown error code ${code}`;
}

/** An error carrying a Kafka error code, raised by handlers and clients. */
export class KafkaError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly retriable: boolean;

  /** Accepts a Kafka error name or a raw code (unknown codes are kept as given). */
  constructor(nameOrCode: ErrorName | number, message?: string) {
    const code = typeof nameOrCode === 'number' ? nameOrCode : ErrorCode[nameOrCode];
    super(message ?? errorMessage(code));
    this.name = 'KafkaError';
    this.code = code;
    this.errorName = errorName(code);
    this.retriable = isRetriable(code);
  }
}

/** A frame that cannot be parsed: truncated, bad lengths, malformed varints, unknown API. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
