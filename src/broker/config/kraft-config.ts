// KRaft mode as Kafka 3.x reads it from server.properties: process.roles, node.id (broker.id is the
// older spelling), controller.quorum.voters, controller.listener.names, listeners and
// inter.broker.listener.name. Without process.roles there is no KRaft config and the broker stays the
// single-node dev broker. Messages are Kafka's own (KafkaConfig.validateValues, QuorumConfig).
import { parseListeners, type Listener } from './broker-config.js';

export type ProcessRole = 'broker' | 'controller';

export interface VoterAddress {
  id: number;
  host: string;
  port: number;
}

export interface KRaftConfig {
  roles: ReadonlySet<ProcessRole>;
  nodeId: number;
  /** controller.quorum.voters in the order written. */
  voters: VoterAddress[];
  controllerListenerNames: string[];
  /** Listeners this node binds for the controller role (empty on a broker-only node). */
  controllerListeners: Listener[];
  /** Listeners served by the broker role (empty on a controller-only node). */
  brokerListeners: Listener[];
  interBrokerListenerName: string;
  /** The effective listener.security.protocol.map, controller listeners included. */
  protocolMap: Record<string, string>;
  electionTimeoutMs: number;
  fetchTimeoutMs: number;
  electionBackoffMaxMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  /** broker.session.timeout.ms: a broker silent this long is fenced. */
  sessionTimeoutMs: number;
  /** broker.heartbeat.interval.ms. */
  heartbeatIntervalMs: number;
  /** metadata.log.max.record.bytes.between.snapshots. */
  snapshotBytes: number;
}

/** Thrown for a config Kafka would refuse to start with; the message is Kafka's. */
export class KRaftConfigError extends Error {}

const DEFAULT_PROTOCOL_MAP: Record<string, string> = {
  PLAINTEXT: 'PLAINTEXT',
  SSL: 'SSL',
  SASL_PLAINTEXT: 'SASL_PLAINTEXT',
  SASL_SSL: 'SASL_SSL',
};

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseRoles(value: string): Set<ProcessRole> {
  const roles = list(value);
  for (const role of roles) {
    if (role !== 'broker' && role !== 'controller') {
      throw new KRaftConfigError(`Unknown process role '${role}' (only 'broker' and 'controller' are allowed roles)`);
    }
  }
  const distinct = new Set(roles as ProcessRole[]);
  if (distinct.size !== roles.length) {
    throw new KRaftConfigError(`Duplicate role names found in \`process.roles\`: List(${roles.join(', ')})`);
  }
  return distinct;
}

const VOTER_FORM = 'Each entry should be in the form `{id}@{host}:{port}`.';

/** controller.quorum.voters: `id@host:port,...` (QuorumConfig.parseVoterConnections). */
export function parseVoters(value: string): VoterAddress[] {
  const voters: VoterAddress[] = [];
  for (const entry of list(value)) {
    const parts = entry.split('@');
    if (parts.length !== 2)
      throw new KRaftConfigError(`Invalid configuration value for controller.quorum.voters. ${VOTER_FORM}`);
    const [idText, address] = parts as [string, string];
    if (!/^-?\d+$/.test(idText) || !Number.isSafeInteger(Number(idText)) || Math.abs(Number(idText)) >= 2 ** 31) {
      throw new KRaftConfigError(`Failed to parse voter ID as an integer from ${idText}`);
    }
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
    const host = m?.[1]?.replace(/^\[|\]$/g, '');
    if (!host || !/^[A-Za-z0-9.:_-]+$/.test(host)) {
      throw new KRaftConfigError(
        `Failed to parse host name from entry ${entry} for the configuration controller.quorum.voters. ${VOTER_FORM}`,
      );
    }
    const port = Number(m![2]);
    if (port > 65535)
      throw new KRaftConfigError(
        `Failed to parse host port from entry ${entry} for the configuration controller.quorum.voters. ${VOTER_FORM}`,
      );
    if (host === '0.0.0.0') throw new KRaftConfigError(`Host string (${host}) is not routeable`);
    voters.push({ id: Number(idText), host, port });
  }
  return voters;
}

function intProp(props: Record<string, string>, name: string, def: number): number {
  const raw = props[name];
  if (raw === undefined) return def;
  const v = raw.trim();
  if (!/^-?\d+$/.test(v) || Math.abs(Number(v)) >= 2 ** 31) {
    throw new KRaftConfigError(`Invalid value ${raw} for configuration ${name}: Not a number of type INT`);
  }
  return Number(v);
}

function protocolMap(
  props: Record<string, string>,
  roles: ReadonlySet<ProcessRole>,
  controllerNames: string[],
): Record<string, string> {
  const explicit = props['listener.security.protocol.map'];
  const map: Record<string, string> = {};
  if (explicit === undefined) Object.assign(map, DEFAULT_PROTOCOL_MAP);
  for (const pair of list(explicit)) {
    const [k, v] = pair.split(':');
    if (k && v) map[k.trim().toUpperCase()] = v.trim().toUpperCase();
  }
  // Kafka maps controller listeners to PLAINTEXT when the map is left at its default and nothing
  // in use is SSL or SASL, so a minimal KRaft config needs no protocol map.
  if (explicit === undefined && roles.size > 0) {
    const secure = (name: string) => name === 'SSL' || name === 'SASL_SSL' || name === 'SASL_PLAINTEXT';
    const listenerNames = list(props['listeners']).map((l) => l.split('://')[0]!.toUpperCase());
    if (!controllerNames.some(secure) && !listenerNames.some(secure)) {
      for (const name of controllerNames) map[name] ??= 'PLAINTEXT';
    }
  }
  return map;
}

/** The KRaft configuration, or null when process.roles is absent (the single-node dev broker). */
export function kraftConfig(props: Record<string, string>): KRaftConfig | null {
  const rolesValue = props['process.roles'];
  if (rolesValue === undefined || rolesValue.trim() === '') {
    return null;
  }
  const roles = parseRoles(rolesValue);
  const nodeIdText = props['node.id'];
  const brokerIdText = props['broker.id'];
  const nodeId = nodeIdText !== undefined ? intProp(props, 'node.id', -1) : intProp(props, 'broker.id', -1);
  if (nodeIdText !== undefined && brokerIdText !== undefined && intProp(props, 'broker.id', -1) !== nodeId) {
    throw new KRaftConfigError('You must set `node.id` to the same value as `broker.id`.');
  }
  if (nodeId < 0) {
    throw new KRaftConfigError(
      'Missing configuration `node.id` which is required when `process.roles` is defined (i.e. when running in KRaft mode).',
    );
  }
  const voters = parseVoters(props['controller.quorum.voters'] ?? '');
  const bootstrap = list(props['controller.quorum.bootstrap.servers']);
  if (voters.length === 0 && bootstrap.length === 0) {
    throw new KRaftConfigError(
      'If using process.roles, either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers.',
    );
  }
  if (voters.length === 0) {
    // A dynamic quorum (KIP-853) finds its voters through the bootstrap servers and AddRaftVoter.
    throw new KRaftConfigError(
      'controller.quorum.bootstrap.servers without controller.quorum.voters (a dynamic quorum) is not supported by ktool yet; list the voters in controller.quorum.voters',
    );
  }
  const voterIds = voters.map((v) => v.id);
  const voterSet = `Set(${voterIds.join(', ')})`;
  const duplicate = voterIds.find((id, i) => voterIds.indexOf(id) !== i);
  if (duplicate !== undefined)
    throw new KRaftConfigError(
      `Invalid configuration value for controller.quorum.voters. Voter ${duplicate} appears twice.`,
    );
  const controllerNames = list(props['controller.listener.names']).map((n) => n.toUpperCase());
  const map = protocolMap(props, roles, controllerNames);
  const listeners = parseListeners(props['listeners'] ?? 'PLAINTEXT://:9092', map);
  const listenerNames = new Set(listeners.map((l) => l.name));
  const controllerListeners = listeners.filter((l) => controllerNames.includes(l.name));
  const brokerListeners = listeners.filter((l) => !controllerNames.includes(l.name));
  const isController = roles.has('controller');
  const isBroker = roles.has('broker');

  if (isController && voters.length > 0 && !voterIds.includes(nodeId)) {
    throw new KRaftConfigError(
      `If process.roles contains the 'controller' role, the node id ${nodeId} must be included in the set of voters controller.quorum.voters=${voterSet}`,
    );
  }
  if (!isController) {
    if (voterIds.includes(nodeId)) {
      throw new KRaftConfigError(
        `If process.roles contains just the 'broker' role, the node id ${nodeId} must not be included in the set of voters controller.quorum.voters=${voterSet}`,
      );
    }
    if (controllerNames.length === 0)
      throw new KRaftConfigError(
        'controller.listener.names must contain at least one value when running KRaft with just the broker role',
      );
    if (controllerListeners.length > 0) {
      throw new KRaftConfigError(
        "controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role",
      );
    }
    for (const name of controllerNames) {
      if (!(name in map)) {
        throw new KRaftConfigError(
          `Controller listener with name ${name} defined in controller.listener.names not found in listener.security.protocol.map  (an explicit security mapping for each controller listener is required if listener.security.protocol.map is non-empty, or if there are security protocols other than PLAINTEXT in use)`,
        );
      }
    }
  } else {
    if (!isBroker && brokerListeners.length > 0) {
      throw new KRaftConfigError(
        'The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller',
      );
    }
    if (controllerListeners.length === 0) {
      throw new KRaftConfigError(
        "controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
      );
    }
    if (!controllerNames.every((n) => listenerNames.has(n))) {
      throw new KRaftConfigError(
        "controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role",
      );
    }
  }
  let interBroker = (props['inter.broker.listener.name'] ?? '').trim().toUpperCase();
  if (isBroker) {
    if (brokerListeners.length === 0) {
      throw new KRaftConfigError(
        'There must be at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names?',
      );
    }
    const brokerNames = brokerListeners.map((l) => l.name);
    // Kafka's default is the listener named after security.inter.broker.protocol (PLAINTEXT).
    if (interBroker === '') interBroker = (props['security.inter.broker.protocol'] ?? 'PLAINTEXT').trim().toUpperCase();
    if (!brokerNames.includes(interBroker)) {
      throw new KRaftConfigError(
        `inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${brokerNames.join(',')}`,
      );
    }
  }
  return {
    roles,
    nodeId,
    voters,
    controllerListenerNames: controllerNames,
    controllerListeners,
    brokerListeners,
    interBrokerListenerName: interBroker,
    protocolMap: map,
    electionTimeoutMs: intProp(props, 'controller.quorum.election.timeout.ms', 1000),
    fetchTimeoutMs: intProp(props, 'controller.quorum.fetch.timeout.ms', 2000),
    electionBackoffMaxMs: intProp(props, 'controller.quorum.election.backoff.max.ms', 1000),
    requestTimeoutMs: intProp(props, 'controller.quorum.request.timeout.ms', 2000),
    retryBackoffMs: intProp(props, 'controller.quorum.retry.backoff.ms', 20),
    sessionTimeoutMs: intProp(props, 'broker.session.timeout.ms', 9000),
    heartbeatIntervalMs: intProp(props, 'broker.heartbeat.interval.ms', 2000),
    snapshotBytes: intProp(props, 'metadata.log.max.record.bytes.between.snapshots', 20 * 1024 * 1024),
  };
}
