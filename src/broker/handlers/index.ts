// The registry: every API the broker serves. ApiVersions is answered from this list.
import type { ApiHandler } from './handler.js';
import { produce } from './00-produce.js';
import { fetch } from './01-fetch.js';
import { listOffsets } from './02-list-offsets.js';
import { metadata } from './03-metadata.js';
import { offsetCommit } from './08-offset-commit.js';
import { offsetFetch } from './09-offset-fetch.js';
import { findCoordinator } from './10-find-coordinator.js';
import { joinGroup } from './11-join-group.js';
import { heartbeat } from './12-heartbeat.js';
import { leaveGroup } from './13-leave-group.js';
import { syncGroup } from './14-sync-group.js';
import { describeGroups } from './15-describe-groups.js';
import { listGroups } from './16-list-groups.js';
import { apiVersions } from './18-api-versions.js';
import { createTopics } from './19-create-topics.js';
import { deleteTopics } from './20-delete-topics.js';
import { deleteRecords } from './21-delete-records.js';
import { initProducerId } from './22-init-producer-id.js';
import { addPartitionsToTxn } from './24-add-partitions-to-txn.js';
import { addOffsetsToTxn } from './25-add-offsets-to-txn.js';
import { endTxn } from './26-end-txn.js';
import { writeTxnMarkers } from './27-write-txn-markers.js';
import { txnOffsetCommit } from './28-txn-offset-commit.js';
import { describeProducers } from './61-describe-producers.js';
import { describeTransactions } from './65-describe-transactions.js';
import { listTransactions } from './66-list-transactions.js';
import { describeConfigs } from './32-describe-configs.js';
import { alterConfigs } from './33-alter-configs.js';
import { describeLogDirs } from './35-describe-log-dirs.js';
import { createPartitions } from './37-create-partitions.js';
import { electLeaders } from './43-elect-leaders.js';
import { alterPartitionReassignments } from './45-alter-partition-reassignments.js';
import { listPartitionReassignments } from './46-list-partition-reassignments.js';
import { deleteGroups } from './42-delete-groups.js';
import { incrementalAlterConfigs } from './44-incremental-alter-configs.js';
import { offsetDelete } from './47-offset-delete.js';
import { describeCluster } from './60-describe-cluster.js';
import { saslHandshake } from './17-sasl-handshake.js';
import { saslAuthenticate } from './36-sasl-authenticate.js';
import { describeUserScramCredentials } from './50-describe-user-scram-credentials.js';
import { alterUserScramCredentials } from './51-alter-user-scram-credentials.js';

export const HANDLERS: readonly ApiHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  describeConfigs,
  alterConfigs,
  createPartitions,
  electLeaders,
  alterPartitionReassignments,
  listPartitionReassignments,
  incrementalAlterConfigs,
  describeCluster,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  deleteGroups,
  offsetDelete,
  saslHandshake,
  saslAuthenticate,
  describeUserScramCredentials,
  alterUserScramCredentials,
  describeLogDirs,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  writeTxnMarkers,
  txnOffsetCommit,
  describeProducers,
  describeTransactions,
  listTransactions,
];

/**
 * A KRaft cluster's brokers do not serve transactions yet: the transaction coordinator keeps
 * its state and writes its markers on one broker, which a replicated partition cannot take.
 * These APIs are left out of ApiVersions there, so clients say transactions are unsupported
 * instead of corrupting a follower.
 */
const TRANSACTION_APIS = new Set([addPartitionsToTxn, addOffsetsToTxn, endTxn, writeTxnMarkers, txnOffsetCommit]);
export const CLUSTER_HANDLERS: readonly ApiHandler[] = HANDLERS.filter((h) => !TRANSACTION_APIS.has(h));

export { NO_RESPONSE, type ApiHandler, type RequestContext } from './handler.js';
