// The embedded dev broker's public entry point. Nothing here imports from the CLI.
import { ApiKey } from '../protocol/api-types.js';
import { Broker } from './broker.js';
import { BrokerConfig } from './config/broker-config.js';
import { CLUSTER_HANDLERS, HANDLERS } from './handlers/index.js';
import { ProducerIdBlocks } from './cluster/producer-id-blocks.js';
import { ApiRegistry } from './server/api-registry.js';
import { createDispatcher } from './server/dispatcher.js';
import { RequestControls } from './server/request-controls.js';
import { BrokerServer } from './server/server.js';
import { nodeFs, type FsInterface } from './storage/fs-interface.js';
import { MetadataStore } from './storage/metadata-store.js';
import { SecurityManager } from './security/index.js';
import { acquireDirLock, KERNEL_DIR_LOCKS } from './storage/dir-lock.js';
import { rateLimitedLog } from './logger.js';
import { kraftConfig, type KRaftConfig } from './config/kraft-config.js';
import { fromZooKeeperEra } from './config/zookeeper-era.js';
import {
  formatMetadataDir,
  startMetadataObserver,
  startQuorumController,
  type MetadataObserver,
  type QuorumController,
} from './raft/controller.js';
import { BrokerLifecycle, SECURITY_PROTOCOL_IDS } from './raft/broker-lifecycle.js';
import { TcpRaftTransport } from './raft/tcp-transport.js';
import type { RunningRegistry } from '../registry/index.js';
import { BrokerSchemaLog } from './schema-log.js';
import { describeQuorumHandler, type QuorumAccess } from './raft/describe-quorum-handler.js';
import { TransportControllerChannel } from './cluster/controller-channel.js';
import { startReplicaManager } from './cluster/start.js';
import type { ReplicaManager } from './cluster/replica-manager.js';

export { parseProperties, PropertiesError } from './config/properties.js';
export { defaultDataDir } from './config/broker-config.js';
export { controllerForZooKeeper } from './config/zookeeper-era.js';

export interface BrokerOptions {
  /** server.properties merged with overrides. */
  properties: Record<string, string>;
  log?: (line: string) => void;
  /** Filesystem to store through; tests inject faults here. */
  fs?: FsInterface;
}

export interface RunningBroker {
  /** The first listener's bound address. */
  host: string;
  port: number;
  /** Every listener's bound port, by listener name (e.g. `{ SASL_SSL: 40123 }`). */
  ports: Record<string, number>;
  dataDir: string;
  nodeId: number;
  clusterId: string;
  /** Graceful: stops accepting, answers requests in flight, closes the logs. */
  close(): Promise<void>;
  /** For tests: the broker's state. */
  readonly broker: Broker;
  /** For tests: the APIs served (cap a version with apis.capVersion). */
  readonly apis: ApiRegistry;
  /** For tests: answer, delay or drop requests before their handlers. */
  readonly controls: RequestControls;
  /** KRaft mode with the controller role: this node's member of the metadata quorum. */
  readonly controller?: QuorumController;
  /** The embedded schema registry's base URL, when it runs. */
  schemaRegistryUrl: string | undefined;
}

export const DEFAULT_SCHEMA_REGISTRY_LISTENER = 'http://127.0.0.1:8081';

/**
 * Starts the embedded schema registry unless `schema.registry.enable=false`. On the
 * default address a port already taken (another broker's registry, a real one) only
 * costs a warning; an address set explicitly must bind.
 */
async function startSchemaRegistry(
  broker: Broker,
  props: Record<string, string>,
  log: (line: string) => void,
): Promise<RunningRegistry | undefined> {
  if ((props['schema.registry.enable'] ?? 'true').trim().toLowerCase() === 'false') return undefined;
  const { parseRegistryListener, parseUsers, startRegistry } = await import('../registry/index.js');
  const explicit = props['schema.registry.listeners'];
  const { host, port } = parseRegistryListener(explicit ?? DEFAULT_SCHEMA_REGISTRY_LISTENER);
  const users = props['schema.registry.authentication.users']
    ? parseUsers(props['schema.registry.authentication.users'])
    : undefined;
  try {
    const registry = await startRegistry({
      log: new BrokerSchemaLog(broker),
      host,
      port,
      users,
      defaultCompatibility: props['schema.registry.compatibility.level'],
      logLine: log,
    });
    if ((host === '' || host === '0.0.0.0' || host === '::') && !users) {
      log(
        `WARNING: the schema registry binds every network interface with no authentication; anyone who can reach this host can change its schemas`,
      );
    }
    log(`Schema registry listening on ${registry.url}${users ? ' (basic auth)' : ''}`);
    return registry;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (explicit === undefined && code === 'EADDRINUSE') {
      log(
        `WARNING: no embedded schema registry: ${host}:${port} is already in use (set schema.registry.listeners to another address)`,
      );
      return undefined;
    }
    if (code === 'EADDRINUSE')
      throw new Error(`The schema registry cannot listen on ${host}:${port}: the address is already in use`, {
        cause: err,
      });
    throw err;
  }
}

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const rawLog = options.log ?? (() => {});
  // Lines a flood can repeat (failing connections, failing writes) are rate limited;
  // the start and stop lines, which tools wait for, are not.
  const limiter = rateLimitedLog(rawLog);
  const log = limiter.log;
  const fs = options.fs ?? nodeFs;
  const era = await fromZooKeeperEra(options.properties);
  if (era.note) rawLog(era.note);
  const props = era.properties;
  // With process.roles this is a KRaft node; without, the single-node dev broker as always.
  const kraft = kraftConfig(props);
  const staticConfig = new BrokerConfig(props);
  const dataDir = staticConfig.dataDir;
  fs.mkdirSync(dataDir, { recursive: true });
  if (kraft && !kraft.roles.has('broker')) return startControllerOnly(kraft, staticConfig, dataDir, log);
  // With the kernel's lock held, a pid left in .lock can only be a dead broker's.
  const dirLock = options.fs === undefined ? await acquireDirLock(dataDir) : undefined;
  let store: MetadataStore;
  let clusterId: string | undefined;
  try {
    clusterId = kraft ? formatMetadataDir(dataDir, kraft, log) : undefined;
    store = MetadataStore.open(dataDir, {
      fs,
      nodeId: staticConfig.nodeId,
      ...(clusterId ? { clusterId } : {}),
      ...(dirLock && KERNEL_DIR_LOCKS ? { isPidAlive: () => false } : {}),
    });
    store.acquireLock();
  } catch (err) {
    await dirLock?.release();
    throw err;
  }
  let server: BrokerServer | undefined;
  // KRaft brokers also answer DescribeQuorum, passing it on to the controllers.
  let quorumAccess: QuorumAccess | undefined;
  const apis = new ApiRegistry(kraft ? [...CLUSTER_HANDLERS, describeQuorumHandler(() => quorumAccess)] : HANDLERS);
  const controls = new RequestControls();
  let broker: Broker | undefined;
  let controller: QuorumController | undefined;
  let observer: MetadataObserver | undefined;
  let lifecycle: { stop(): void; shutdown(): Promise<void>; transport: TcpRaftTransport } | undefined;
  let registry: RunningRegistry | undefined;
  let replicas: ReplicaManager | undefined;
  // Set once the replica manager exists; metadata commits before that are picked up by its first reconcile.
  let onImageChange = () => {};
  try {
    const config = new BrokerConfig(props, store.getBrokerOverrides(), store.getBrokerDefaultOverrides());
    const listeners = config.listeners;
    const names = listeners.map((l) => l.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated)
      throw new Error(`Listener name ${repeated} is used twice in listeners; each listener needs its own name`);
    // TLS material, SASL users and SCRAM bootstrap are checked before anything binds.
    const security = new SecurityManager({ config, listeners, dataDir, fs, log });
    broker = new Broker({ config, store, fs, log, clustered: kraft !== undefined && kraft !== null });
    broker.security = security;
    broker.open();
    const b = broker;
    for (const l of listeners) {
      if ((l.host === '' || l.host === '0.0.0.0' || l.host === '::') && !security.authenticates(l.name)) {
        log(
          l.protocol === 'SSL'
            ? `WARNING: listener ${l.name} binds every network interface with TLS but no client authentication; anyone who can reach this host can read and write its topics`
            : `WARNING: listener ${l.name} binds every network interface with no authentication; anyone who can reach this host can read and write its topics`,
        );
      }
    }
    server = new BrokerServer({
      listeners,
      maxFrameBytes: config.int('socket.request.max.bytes'),
      maxConnections: config.int('max.connections'),
      maxConnectionsPerIp: config.int('max.connections.per.ip'),
      idleTimeoutMs: config.int('connections.max.idle.ms'),
      handle: createDispatcher(b, apis, controls),
      log,
      tls: security.tlsOptions(),
      onOpen: (conn) => security.openSession(conn),
      onClose: (conn) => security.closeSession(conn),
      buffers: {
        frame: b.frameBuffers.take,
        served: (frame, response) => {
          if (response) b.readBuffers.giveBack(response);
          // Produce is the one request whose bytes nothing keeps once it is served (the log
          // has written them); others, such as JoinGroup's metadata, live on in views.
          if (frame.length >= 2 && frame.readInt16BE(0) === ApiKey.Produce) b.frameBuffers.giveBack([frame]);
        },
      },
    });
    const bound = await server.listen();
    for (const l of bound) b.boundEndpoints.set(l.name, { host: l.boundHost, port: l.boundPort });
    registry = await startSchemaRegistry(b, props, log);
    const retentionTimer = setInterval(() => b.applyRetention(), config.int('log.retention.check.interval.ms'));
    retentionTimer.unref();
    // One cleaner pass per backoff; Node runs it between requests (log.cleaner.threads has no effect here).
    const cleanerTimer = config.bool('log.cleaner.enable')
      ? setInterval(() => void b.cleanCompactedLogs(), config.int('log.cleaner.backoff.ms'))
      : undefined;
    cleanerTimer?.unref();
    if (kraft) {
      // A combined node reads the metadata log as a voter, a broker-only node as an observer.
      if (kraft.roles.has('controller')) {
        controller = await startQuorumController({
          kraft,
          metadataDir: dataDir,
          clusterId: clusterId!,
          log,
          maxFrameBytes: config.int('socket.request.max.bytes'),
          sessionTimeoutMs: kraft.sessionTimeoutMs,
          defaultPartitions: config.int('num.partitions'),
          defaultReplicationFactor: config.int('default.replication.factor'),
          leaderRebalance: {
            enabled: config.bool('auto.leader.rebalance.enable'),
            intervalMs: config.int('leader.imbalance.check.interval.seconds') * 1000,
            percent: config.int('leader.imbalance.per.broker.percentage'),
          },
          onCommit: () => onImageChange(),
        });
      } else {
        observer = startMetadataObserver({
          kraft,
          metadataDir: dataDir,
          clusterId: clusterId!,
          log,
          onCommit: () => onImageChange(),
        });
      }
      const quorum = (controller ?? observer)!;
      // The broker role registers with the active controller and lists the brokers the quorum knows.
      const image = quorum.image;
      b.cluster = image;
      const advertised = config.advertisedListeners;
      const transport = new TcpRaftTransport({
        nodeId: kraft.nodeId,
        peers: kraft.voters,
        requestTimeoutMs: kraft.requestTimeoutMs,
      });
      const manager = new BrokerLifecycle({
        brokerId: kraft.nodeId,
        clusterId: clusterId!,
        controllers: kraft.voters.map((v) => v.id),
        transport,
        listeners: bound.map((l) => {
          const adv = advertised?.find((a) => a.name === l.name);
          const wildcard = l.boundHost === '0.0.0.0' || l.boundHost === '::' || l.boundHost === '';
          return {
            name: l.name,
            host: adv?.host || (wildcard ? 'localhost' : l.boundHost),
            port: adv?.port || l.boundPort,
            securityProtocol: SECURITY_PROTOCOL_IDS[l.protocol] ?? 0,
          };
        }),
        metadataOffset: () => image.lastOffset,
        heartbeatIntervalMs: kraft.heartbeatIntervalMs,
        controllerHint: () => quorum.raft.leaderId,
        log,
      });
      manager.start();
      lifecycle = { stop: () => manager.stop(), shutdown: () => manager.shutdown(), transport };
      const controllerListener =
        kraft.controllerListeners[0]?.name ?? kraft.controllerListenerNames?.[0] ?? 'CONTROLLER';
      quorumAccess = {
        raft: quorum.raft,
        transport,
        voterNodes: kraft.voters.map((v) => ({
          nodeId: v.id,
          listeners: [{ name: controllerListener, host: v.host, port: v.port }],
        })),
      };
      const channel = new TransportControllerChannel({
        transport,
        voters: kraft.voters.map((v) => v.id),
        leaderHint: () => quorum.raft.leaderId,
      });
      b.controllerChannel = channel;
      b.producerIdBlocks = new ProducerIdBlocks({
        channel,
        brokerId: kraft.nodeId,
        brokerEpoch: () => manager.brokerEpoch,
        log,
      });
      replicas = startReplicaManager(b, kraft, config, image, channel, () => manager.brokerEpoch, log);
      const rm = replicas;
      b.replicaManager = rm;
      rm.addRoleListener(b.groups.roleListener);
      onImageChange = () => rm.reconcile();
      rm.reconcile();
    }
    const first = bound[0];
    const ports: Record<string, number> = { ...controller?.ports };
    for (const l of bound) {
      ports[l.name] = l.boundPort;
      if (bound.length > 1 || l.protocol !== 'PLAINTEXT')
        log(`Listener ${l.name} on ${l.boundHost}:${l.boundPort} (${security.describe(l.name)})`);
    }
    rawLog(
      `ktool broker started (node ${b.nodeId}, cluster ${b.clusterId}, data ${dataDir}) listening on ${first.boundHost}:${first.boundPort}`,
    );
    let closing: Promise<void> | undefined;
    const srv = server;
    const reg = registry;
    return {
      host: first.boundHost,
      port: first.boundPort,
      ports,
      dataDir,
      nodeId: b.nodeId,
      clusterId: b.clusterId,
      broker: b,
      apis,
      controls,
      controller,
      schemaRegistryUrl: registry?.url,
      close() {
        closing ??= (async () => {
          await lifecycle?.shutdown();
          replicas?.close();
          lifecycle?.transport.close();
          await observer?.close();
          await controller?.close();
          await reg?.close();
          clearInterval(retentionTimer);
          clearInterval(cleanerTimer);
          b.beginShutdown();
          await srv.close();
          b.close();
          store.releaseLock();
          await dirLock?.release();
          limiter.flush();
          rawLog('ktool broker stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    lifecycle?.stop();
    replicas?.close();
    lifecycle?.transport.close();
    await observer?.close();
    await controller?.close();
    await registry?.close();
    await server?.close(0);
    broker?.close();
    store.releaseLock();
    await dirLock?.release();
    throw err;
  }
}

/** A KRaft node with only the controller role: the metadata quorum member, no broker. */
async function startControllerOnly(
  kraft: KRaftConfig,
  config: BrokerConfig,
  dataDir: string,
  log: (line: string) => void,
): Promise<RunningBroker> {
  const dirLock = await acquireDirLock(dataDir);
  let controller: QuorumController;
  try {
    const clusterId = formatMetadataDir(dataDir, kraft, log);
    controller = await startQuorumController({
      kraft,
      metadataDir: dataDir,
      clusterId,
      log,
      maxFrameBytes: config.int('socket.request.max.bytes'),
      sessionTimeoutMs: kraft.sessionTimeoutMs,
      defaultPartitions: config.int('num.partitions'),
      defaultReplicationFactor: config.int('default.replication.factor'),
    });
  } catch (err) {
    await dirLock.release();
    throw err;
  }
  const first = kraft.controllerListeners[0]!;
  const host = first.host === '' ? '0.0.0.0' : first.host;
  log(
    `ktool controller started (node ${kraft.nodeId}, cluster ${controller.clusterId}, data ${dataDir}) listening on ${host}:${controller.ports[first.name]}`,
  );
  let closing: Promise<void> | undefined;
  return {
    host,
    port: controller.ports[first.name]!,
    ports: { ...controller.ports },
    dataDir,
    nodeId: kraft.nodeId,
    clusterId: controller.clusterId,
    controller,
    schemaRegistryUrl: undefined,
    get broker(): Broker {
      throw new Error('a controller-only node has no broker');
    },
    get apis(): ApiRegistry {
      throw new Error('a controller-only node has no broker APIs');
    },
    get controls(): RequestControls {
      throw new Error('a controller-only node has no broker APIs');
    },
    close() {
      closing ??= (async () => {
        await controller.close();
        await dirLock.release();
        log('ktool controller stopped');
      })();
      return closing;
    },
  };
}
