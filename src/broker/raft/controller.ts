// The controller role of a KRaft node: the Raft quorum member for __cluster_metadata, served on the
// listeners named in controller.listener.names (Kafka's CONTROLLER listener), talking to the other
// voters over Kafka's own RPCs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KRaftConfig } from '../config/kraft-config.js';
import { BrokerServer } from '../server/server.js';
import type { FrameHandler } from '../server/connection.js';
import { decodeRequest, decodeRequestHeader, encodeResponseFrame } from '../../protocol/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { MessageBody } from '../../protocol/types.js';
import { FileLogStore, RaftLog } from './raft-log.js';
import { FileQuorumStateStore } from './quorum-state-store.js';
import { API, METADATA_TOPIC, RaftNode, type CommittedBatch } from './raft-node.js';
import { TcpRaftTransport } from './tcp-transport.js';
import { FileSnapshotStore } from './snapshot.js';
import { API_ALTER_PARTITION, API_CREATE_TOPICS, API_DELETE_TOPICS, TopicControl } from './topic-control.js';
import { TopicChanges } from './topic-changes.js';
import { MetadataImage } from './metadata-image.js';
import { API_BROKER_HEARTBEAT, API_BROKER_REGISTRATION, BrokerRegistry } from './broker-registry.js';
import { API_ALLOCATE_PRODUCER_IDS, ProducerIdControl } from './producer-id-control.js';
import { API_ELECT_LEADERS, LeaderElection } from './leader-election.js';
import { API_ALTER_PARTITION_REASSIGNMENTS, API_LIST_PARTITION_REASSIGNMENTS, Reassignment } from './reassignment.js';

const API_VERSIONS = 18;
const API_CREATE_PARTITIONS = 37;
const API_INCREMENTAL_ALTER_CONFIGS = 44;

/** What the controller listener answers, and in which versions. */
const CONTROLLER_APIS: ReadonlyArray<{ apiKey: number; minVersion: number; maxVersion: number }> = [
  { apiKey: API.Fetch, minVersion: 13, maxVersion: 17 },
  { apiKey: API_CREATE_TOPICS, minVersion: 2, maxVersion: 7 },
  { apiKey: API_DELETE_TOPICS, minVersion: 1, maxVersion: 6 },
  { apiKey: API_CREATE_PARTITIONS, minVersion: 0, maxVersion: 3 },
  { apiKey: API_INCREMENTAL_ALTER_CONFIGS, minVersion: 0, maxVersion: 1 },
  { apiKey: API_ALTER_PARTITION, minVersion: 0, maxVersion: 3 },
  { apiKey: API_VERSIONS, minVersion: 0, maxVersion: 4 },
  { apiKey: API.Vote, minVersion: 0, maxVersion: 1 },
  { apiKey: API.BeginQuorumEpoch, minVersion: 0, maxVersion: 1 },
  { apiKey: API.EndQuorumEpoch, minVersion: 0, maxVersion: 1 },
  { apiKey: API.DescribeQuorum, minVersion: 0, maxVersion: 2 },
  { apiKey: API.FetchSnapshot, minVersion: 0, maxVersion: 1 },
  { apiKey: API_BROKER_REGISTRATION, minVersion: 0, maxVersion: 3 },
  { apiKey: API_BROKER_HEARTBEAT, minVersion: 0, maxVersion: 1 },
  { apiKey: API_ALLOCATE_PRODUCER_IDS, minVersion: 0, maxVersion: 0 },
  { apiKey: API_ELECT_LEADERS, minVersion: 0, maxVersion: 2 },
  { apiKey: API_ALTER_PARTITION_REASSIGNMENTS, minVersion: 0, maxVersion: 0 },
  { apiKey: API_LIST_PARTITION_REASSIGNMENTS, minVersion: 0, maxVersion: 0 },
];

/**
 * Kafka's kafka-storage.sh writes meta.properties (cluster.id, node.id) before a KRaft node first
 * starts. ktool formats on first start instead; the cluster id is derived from the voter set, so
 * nodes started separately from the same controller.quorum.voters agree on it without a shared step.
 */
export function formatMetadataDir(dir: string, kraft: KRaftConfig, log: (line: string) => void): string {
  const path = join(dir, 'meta.properties');
  if (existsSync(path)) {
    const props = Object.fromEntries(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.includes('=') && !l.startsWith('#'))
        .map((l) => {
          const i = l.indexOf('=');
          return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
        }),
    );
    const nodeId = Number(props['node.id']);
    if (props['node.id'] !== undefined && nodeId !== kraft.nodeId) {
      throw new Error(
        `Stored node id ${nodeId} doesn't match previous node id ${kraft.nodeId} in ${path}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`,
      );
    }
    if (!props['cluster.id']) throw new Error(`${path} has no cluster.id`);
    return props['cluster.id'];
  }
  const voters = [...kraft.voters]
    .sort((a, b) => a.id - b.id)
    .map((v) => `${v.id}@${v.host}:${v.port}`)
    .join(',');
  const clusterId = createHash('sha256').update(`ktool-kraft:${voters}`).digest().subarray(0, 16).toString('base64url');
  mkdirSync(dir, { recursive: true });
  const text = `#\n#${new Date().toString()}\ncluster.id=${clusterId}\nnode.id=${kraft.nodeId}\nversion=1\n`;
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  log(
    `Formatted ${dir} for KRaft: cluster id ${clusterId} (derived from controller.quorum.voters), node id ${kraft.nodeId}`,
  );
  return clusterId;
}

export function createControllerDispatcher(
  raft: RaftNode,
  registry: BrokerRegistry,
  topics: TopicControl,
  log: (line: string) => void = () => {},
): FrameHandler {
  const deps = { raft, image: topics.image, write: (r: Buffer[]) => topics.write(r), log };
  const changes = new TopicChanges(raft, topics.image, topics);
  const producerIds = new ProducerIdControl(deps);
  const elections = new LeaderElection(deps);
  const reassignments = new Reassignment(deps);
  // What the active controller answers itself; anything else is a Raft request.
  const handlers = new Map<number, (body: MessageBody) => object | Promise<object>>([
    [API_CREATE_PARTITIONS, (b) => changes.handleCreatePartitions(b)],
    [API_INCREMENTAL_ALTER_CONFIGS, (b) => changes.handleIncrementalAlterConfigs(b)],
    [API_CREATE_TOPICS, (b) => topics.handleCreateTopics(b)],
    [API_ALTER_PARTITION, (b) => topics.handleAlterPartition(b)],
    [API_DELETE_TOPICS, (b) => topics.handleDeleteTopics(b)],
    [API_BROKER_REGISTRATION, (b) => registry.handleRegistration(b)],
    [API_BROKER_HEARTBEAT, (b) => registry.handleHeartbeat(b)],
    [API_ALLOCATE_PRODUCER_IDS, (b) => producerIds.handleAllocateProducerIds(b)],
    [API_ELECT_LEADERS, (b) => elections.handleElectLeaders(b)],
    [API_ALTER_PARTITION_REASSIGNMENTS, (b) => reassignments.handleAlterPartitionReassignments(b)],
    [API_LIST_PARTITION_REASSIGNMENTS, (b) => reassignments.handleListPartitionReassignments(b)],
  ]);
  return (frame: Buffer) => {
    const header = decodeRequestHeader(frame);
    const api = CONTROLLER_APIS.find((a) => a.apiKey === header.apiKey);
    if (!api || header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
      if (header.apiKey === API_VERSIONS) {
        return encodeResponseFrame(API_VERSIONS, 0, header.correlationId, {
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
          apiKeys: CONTROLLER_APIS,
        });
      }
      throw new Error(
        `unsupported request on the controller listener: api key ${header.apiKey} version ${header.apiVersion}`,
      );
    }
    if (header.apiKey === API_VERSIONS) {
      return encodeResponseFrame(API_VERSIONS, header.apiVersion, header.correlationId, {
        errorCode: 0,
        apiKeys: CONTROLLER_APIS,
        throttleTimeMs: 0,
      });
    }
    const body = decodeRequest(header.apiKey, header.apiVersion, frame, header.bodyOffset);
    const handler = handlers.get(header.apiKey);
    const result = handler ? handler(body) : raft.handle(header.apiKey, body)!;
    const finish = (res: object) => encodeResponseFrame(header.apiKey, header.apiVersion, header.correlationId, res);
    return result instanceof Promise ? result.then(finish) : finish(result);
  };
}

export interface QuorumController {
  raft: RaftNode;
  /** The committed metadata, applied as the high watermark passes it. */
  image: MetadataImage;
  clusterId: string;
  /** Bound port by controller listener name. */
  ports: Record<string, number>;
  close(): Promise<void>;
}

export interface QuorumControllerOptions {
  kraft: KRaftConfig;
  /** Where meta.properties and __cluster_metadata-0 live (metadata.log.dir, else the first log dir). */
  metadataDir: string;
  clusterId: string;
  log: (line: string) => void;
  maxFrameBytes: number;
  sessionTimeoutMs: number;
  /** num.partitions and default.replication.factor, for CreateTopics with -1. */
  defaultPartitions?: number;
  defaultReplicationFactor?: number;
  onCommit?: (batches: CommittedBatch[]) => void;
  /** auto.leader.rebalance.enable, leader.imbalance.check.interval.seconds and leader.imbalance.per.broker.percentage. */
  leaderRebalance?: { enabled: boolean; intervalMs: number; percent: number };
}

export async function startQuorumController(opts: QuorumControllerOptions): Promise<QuorumController> {
  const { kraft, log } = opts;
  const logDir = join(opts.metadataDir, `${METADATA_TOPIC}-0`);
  const raftLog = new RaftLog(new FileLogStore(logDir));
  const image = new MetadataImage();
  const transport = new TcpRaftTransport({
    nodeId: kraft.nodeId,
    peers: kraft.voters.filter((v) => v.id !== kraft.nodeId),
    requestTimeoutMs: kraft.requestTimeoutMs,
  });
  const raft = new RaftNode({
    nodeId: kraft.nodeId,
    voters: kraft.voters.map((v) => v.id),
    clusterId: opts.clusterId,
    log: raftLog,
    stateStore: FileQuorumStateStore.inDir(logDir),
    transport,
    electionTimeoutMs: kraft.electionTimeoutMs,
    fetchTimeoutMs: kraft.fetchTimeoutMs,
    electionBackoffMaxMs: kraft.electionBackoffMaxMs,
    retryBackoffMs: kraft.retryBackoffMs,
    logger: log,
    onCommit: (batches) => {
      image.apply(batches);
      opts.onCommit?.(batches);
    },
    snapshots: new FileSnapshotStore(logDir),
    snapshotBytes: kraft.snapshotBytes,
    snapshotState: () => image.toRecords(),
    onSnapshot: (values, id) => {
      image.loadSnapshot(values, id.endOffset);
      opts.onCommit?.([]);
    },
  });
  const topicControl = new TopicControl({
    raft,
    image,
    log,
    writeTimeoutMs: kraft.requestTimeoutMs * 2,
    defaultPartitions: opts.defaultPartitions,
    defaultReplicationFactor: opts.defaultReplicationFactor,
  });
  const elections = new LeaderElection({ raft, image, write: (r) => topicControl.write(r), log });
  const rebalance = opts.leaderRebalance;
  const rebalanceTimer =
    rebalance?.enabled === true
      ? setInterval(
          () => {
            elections
              .rebalance(rebalance.percent)
              .catch((err: Error) => log(`Leader rebalance failed: ${err.message}`));
          },
          Math.max(100, rebalance.intervalMs),
        )
      : undefined;
  rebalanceTimer?.unref();
  const registry = new BrokerRegistry({
    raft,
    image,
    clusterId: opts.clusterId,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    writeTimeoutMs: kraft.requestTimeoutMs * 2,
    log,
  });
  const server = new BrokerServer({
    listeners: kraft.controllerListeners,
    maxFrameBytes: opts.maxFrameBytes,
    maxConnections: 2 ** 31 - 1,
    maxConnectionsPerIp: 2 ** 31 - 1,
    idleTimeoutMs: 0,
    handle: createControllerDispatcher(raft, registry, topicControl, log),
    log,
  });
  let bound;
  try {
    bound = await server.listen();
  } catch (err) {
    clearInterval(rebalanceTimer);
    registry.stop();
    transport.close();
    raftLog.close();
    throw err;
  }
  const ports: Record<string, number> = {};
  for (const l of bound) {
    ports[l.name] = l.boundPort;
    log(
      `Controller listener ${l.name} on ${l.boundHost}:${l.boundPort} (node ${kraft.nodeId}, voters ${kraft.voters.map((v) => `${v.id}@${v.host}:${v.port}`).join(',')})`,
    );
  }
  raft.start();
  let closing: Promise<void> | undefined;
  return {
    raft,
    image,
    clusterId: opts.clusterId,
    ports,
    close() {
      closing ??= (async () => {
        clearInterval(rebalanceTimer);
        registry.stop();
        await raft.close();
        await server.close();
        transport.close();
        raftLog.close();
      })();
      return closing;
    },
  };
}

export interface MetadataObserver {
  raft: RaftNode;
  image: MetadataImage;
  close(): Promise<void>;
}

/**
 * A broker-only node reads __cluster_metadata as an observer (Fetch to the quorum's leader, never
 * voting), keeping its own copy of the log and snapshots beside its data.
 */
export function startMetadataObserver(opts: {
  kraft: KRaftConfig;
  metadataDir: string;
  clusterId: string;
  log: (line: string) => void;
  /** After every change to the image (committed records, a snapshot loaded). */
  onCommit?: (batches: CommittedBatch[]) => void;
}): MetadataObserver {
  const { kraft, log } = opts;
  const logDir = join(opts.metadataDir, `${METADATA_TOPIC}-0`);
  const raftLog = new RaftLog(new FileLogStore(logDir));
  const image = new MetadataImage();
  const transport = new TcpRaftTransport({
    nodeId: kraft.nodeId,
    peers: kraft.voters,
    requestTimeoutMs: kraft.requestTimeoutMs,
  });
  const raft = new RaftNode({
    nodeId: kraft.nodeId,
    voters: kraft.voters.map((v) => v.id),
    clusterId: opts.clusterId,
    log: raftLog,
    stateStore: FileQuorumStateStore.inDir(logDir),
    transport,
    fetchTimeoutMs: kraft.fetchTimeoutMs,
    retryBackoffMs: kraft.retryBackoffMs,
    logger: log,
    onCommit: (batches) => {
      image.apply(batches);
      opts.onCommit?.(batches);
    },
    snapshots: new FileSnapshotStore(logDir),
    snapshotBytes: kraft.snapshotBytes,
    snapshotState: () => image.toRecords(),
    onSnapshot: (values, id) => {
      image.loadSnapshot(values, id.endOffset);
      opts.onCommit?.([]);
    },
  });
  raft.start();
  return {
    raft,
    image,
    async close() {
      await raft.close();
      transport.close();
      raftLog.close();
    },
  };
}
