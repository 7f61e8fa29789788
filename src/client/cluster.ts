/**
 * A client for a whole cluster: bootstraps from a list of host:port (the
 * first that answers wins), keeps the latest Metadata, and opens one
 * connection per broker on first use.
 *
 *   const cluster = await ClusterClient.connect({ bootstrap: ['localhost:9092'] })
 *   const md = await cluster.refreshMetadata()            // all topics
 *   const res = await cluster.send(19, body, { node: 'controller' })
 *   cluster.close()
 */
import { ZERO_UUID } from '../protocol/codec.js';
import { KafkaError } from '../protocol/errors.js';
import type { MessageBody } from '../protocol/types.js';
import {
  BrokerConnection,
  clientMaxVersion,
  type BrokerConnectionOptions,
  type RequestBody,
} from './broker-connection.js';
import { ConnectionError, formatHostPort, parseHostPort } from './errors.js';

const METADATA = 3;
const METADATA_MAX_VERSION = 12;

export interface ClusterClientOptions extends Omit<BrokerConnectionOptions, 'host' | 'port'> {
  /** Bootstrap servers, `host:port` each. */
  bootstrap: readonly string[];
  /**
   * Total time for reaching a bootstrap server, however many are listed: each
   * attempt gets an even share of what is left (a refused one leaves its share
   * to the next). Later connections to other brokers keep connectTimeoutMs.
   */
  bootstrapTimeoutMs?: number;
}

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionMetadata {
  partition: number;
  errorCode: number;
  /** -1 when there is no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicMetadata {
  name: string;
  /** Kafka's Uuid string; ZERO_UUID when the broker has none. */
  topicId: string;
  isInternal: boolean;
  errorCode: number;
  /** Sorted by partition index. */
  partitions: PartitionMetadata[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  /** -1 when unknown. */
  controllerId: number;
  brokers: Map<number, BrokerNode>;
  /** The topics of the latest request(s); all topics after a full refresh. */
  topics: Map<string, TopicMetadata>;
}

export type NodeTarget = number | 'any' | 'controller';

export interface ClusterSendOptions {
  node?: NodeTarget;
  version?: number;
  maxVersion?: number;
  minVersion?: number;
  timeoutMs?: number;
  expectResponse?: boolean;
}

export class ClusterClient {
  /** The connection that answered at bootstrap. */
  readonly bootstrapConnection: BrokerConnection;
  metadata: ClusterMetadata | undefined;

  private readonly options: ClusterClientOptions;
  private readonly nodes = new Map<number, Promise<BrokerConnection>>();
  /** A broker found after the bootstrap broker went away (see anyOther). */
  private spare: Promise<BrokerConnection> | undefined;
  private isClosed = false;

  private constructor(options: ClusterClientOptions, bootstrap: BrokerConnection) {
    this.options = options;
    this.bootstrapConnection = bootstrap;
  }

  /** Connect to the first bootstrap server that answers (in the order given). */
  static async connect(options: ClusterClientOptions): Promise<ClusterClient> {
    if (options.bootstrap.length === 0) throw new Error('No bootstrap servers given');
    const addresses = options.bootstrap.map((s) => parseHostPort(s));
    const failures: ConnectionError[] = [];
    const deadline = options.bootstrapTimeoutMs === undefined ? undefined : Date.now() + options.bootstrapTimeoutMs;
    for (const [i, { host, port }] of addresses.entries()) {
      try {
        const share =
          deadline === undefined
            ? undefined
            : Math.max(1, Math.floor((deadline - Date.now()) / (addresses.length - i)));
        const connectTimeoutMs =
          share === undefined ? options.connectTimeoutMs : Math.min(share, options.connectTimeoutMs ?? share);
        const conn = await BrokerConnection.open({ ...options, host, port, connectTimeoutMs });
        return new ClusterClient(options, conn);
      } catch (error) {
        // Authentication and protocol errors would repeat on every server.
        if (!(error instanceof ConnectionError) || error.code === 'TLS_FAILED') throw error;
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0]!;
    const list = failures.map((f) => f.address).join(',');
    throw new ConnectionError(
      failures.every((f) => f.code === 'CONNECT_TIMEOUT') ? 'CONNECT_TIMEOUT' : 'CONNECT_FAILED',
      list,
      `Cannot connect to any bootstrap server: ${failures.map((f) => f.message.replace(/^Cannot connect to /, '')).join('; ')}`,
      { sysCode: failures[0]!.sysCode },
    );
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The version of an API that the bootstrap broker and we both support. */
  pickVersion(apiKey: number, ourMax = clientMaxVersion(apiKey), ourMin = 0): number {
    return this.bootstrapConnection.pickVersion(apiKey, ourMax, ourMin);
  }

  /** Whether the bootstrap broker offers an API (at a version). */
  supports(apiKey: number, version?: number): boolean {
    return this.bootstrapConnection.supports(apiKey, version);
  }

  /**
   * Fetch metadata: all topics (undefined/null) or the named ones ([] for
   * brokers and controller only). Never auto-creates topics unless asked.
   */
  async refreshMetadata(
    topics?: readonly string[] | null,
    options: { allowAutoTopicCreation?: boolean } = {},
  ): Promise<ClusterMetadata> {
    const all = topics === undefined || topics === null;
    const conn = await this.connection('any');
    const version = conn.pickVersion(METADATA, METADATA_MAX_VERSION, all ? 0 : topics!.length === 0 ? 1 : 0);
    const body = await conn.send(
      METADATA,
      {
        topics: all ? (version === 0 ? [] : null) : topics!.map((name) => ({ topicId: ZERO_UUID, name })),
        allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      },
      { version },
    );
    const brokers = new Map<number, BrokerNode>();
    for (const b of body.brokers as Array<{ nodeId: number; host: string; port: number; rack: string | null }>) {
      brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null });
    }
    const fresh = new Map<string, TopicMetadata>();
    for (const t of body.topics as MessageBody[]) {
      const partitions: PartitionMetadata[] = (t.partitions as MessageBody[]).map((p) => ({
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch ?? -1,
        replicas: p.replicaNodes ?? [],
        isr: p.isrNodes ?? [],
        offlineReplicas: p.offlineReplicas ?? [],
      }));
      partitions.sort((a, b) => a.partition - b.partition);
      fresh.set(t.name, {
        name: t.name,
        topicId: t.topicId ?? ZERO_UUID,
        isInternal: t.isInternal === true,
        errorCode: t.errorCode,
        partitions,
      });
    }
    let topicMap = fresh;
    if (!all && this.metadata !== undefined) {
      topicMap = new Map(this.metadata.topics);
      for (const [name, t] of fresh) topicMap.set(name, t);
    }
    this.metadata = {
      clusterId: body.clusterId ?? null,
      controllerId: body.controllerId ?? -1,
      brokers,
      topics: topicMap,
    };
    return this.metadata;
  }

  /** The leader of a partition from the cached metadata (undefined: unknown or none). */
  leaderOf(topic: string, partition: number): number | undefined {
    const p = this.metadata?.topics.get(topic)?.partitions.find((x) => x.partition === partition);
    return p === undefined || p.leader < 0 ? undefined : p.leader;
  }

  /** The connection for a node id, any broker, or the controller (opened on first use). */
  async connection(target: NodeTarget = 'any'): Promise<BrokerConnection> {
    if (this.isClosed)
      throw new ConnectionError('CONNECTION_CLOSED', this.bootstrapConnection.address, 'The cluster client is closed');
    if (target === 'any') {
      if (!this.bootstrapConnection.closed) return this.bootstrapConnection;
      return this.anyOther();
    }
    if (target === 'controller') {
      let md = this.metadata;
      if (md === undefined || md.controllerId < 0) md = await this.refreshMetadata([]);
      if (md.controllerId < 0) throw new KafkaError('NOT_CONTROLLER', 'The cluster did not report a controller');
      return this.connection(md.controllerId);
    }
    const existing = this.nodes.get(target);
    if (existing !== undefined) {
      const conn = await existing.catch(() => undefined);
      if (conn !== undefined && !conn.closed) return conn;
      this.nodes.delete(target);
    }
    let md = this.metadata;
    if (md === undefined || !md.brokers.has(target)) md = await this.refreshMetadata([]);
    const node = md.brokers.get(target);
    if (node === undefined)
      throw new KafkaError('BROKER_NOT_AVAILABLE', `Broker ${target} is not in the cluster metadata`);
    const boot = this.bootstrapConnection;
    if (!boot.closed && sameAddress(boot.host, boot.port, node.host, node.port)) return boot;
    const opening = BrokerConnection.open({ ...this.options, host: node.host, port: node.port });
    this.nodes.set(target, opening);
    try {
      return await opening;
    } catch (error) {
      this.nodes.delete(target);
      throw error;
    }
  }

  /**
   * Any live broker once the bootstrap broker is gone: one the metadata lists, else another
   * bootstrap server (a client that never fetched metadata still finds the cluster).
   */
  private async anyOther(): Promise<BrokerConnection> {
    const spare = await this.spare?.catch(() => undefined);
    if (spare !== undefined && !spare.closed) return spare;
    const boot = this.bootstrapConnection;
    let last: unknown = new ConnectionError(
      'CONNECTION_CLOSED',
      boot.address,
      `Connection to ${boot.address} was closed`,
    );
    for (const id of this.metadata?.brokers.keys() ?? []) {
      try {
        return await this.connection(id);
      } catch (error) {
        last = error;
      }
    }
    for (const server of this.options.bootstrap) {
      const { host, port } = parseHostPort(server);
      if (sameAddress(host, port, boot.host, boot.port)) continue;
      const opening = BrokerConnection.open({ ...this.options, host, port });
      this.spare = opening;
      try {
        return await opening;
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }

  /** Send a request to a node ('any' by default) and resolve with the response body. */
  async send(apiKey: number, body: RequestBody, options: ClusterSendOptions = {}): Promise<MessageBody> {
    const conn = await this.connection(options.node ?? 'any');
    return conn.send(apiKey, body, options);
  }

  /** Like send(), also returning the version used. */
  async sendVersioned(
    apiKey: number,
    body: RequestBody,
    options: ClusterSendOptions = {},
  ): Promise<{ version: number; body: MessageBody }> {
    const conn = await this.connection(options.node ?? 'any');
    return conn.sendVersioned(apiKey, body, options);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.bootstrapConnection.close();
    this.spare?.then(
      (c) => c.close(),
      () => undefined,
    );
    for (const opening of this.nodes.values())
      opening.then(
        (c) => c.close(),
        () => undefined,
      );
    this.nodes.clear();
  }
}

function sameAddress(h1: string, p1: number, h2: string, p2: number): boolean {
  if (p1 !== p2) return false;
  const norm = (h: string) => (h === 'localhost' ? '127.0.0.1' : h.toLowerCase());
  return norm(h1) === norm(h2);
}

export { formatHostPort };
