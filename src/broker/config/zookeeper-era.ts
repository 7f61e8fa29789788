// ZooKeeper-era configuration (Kafka before 4.0): `zookeeper.properties` for
// zookeeper-server-start.sh and brokers that name it in `zookeeper.connect`. ktool has no
// ZooKeeper: `ktool zookeeper-server-start` runs a KRaft controller on the ZooKeeper client
// port, and a broker that names that address in zookeeper.connect joins it as a broker-only
// KRaft node. Both sides spell the voter the same way, so they derive the same cluster id.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** The controller's node id: the range Kafka gives KRaft controllers in a ZooKeeper migration. */
export const ZOOKEEPER_CONTROLLER_ID = 3000;
const LOOPBACK = new Set(['', 'localhost', '127.0.0.1', '::1', '0.0.0.0']);

function voterHost(host: string): string {
  return LOOPBACK.has(host) ? 'localhost' : host;
}

/** The controller-only node's settings for a zookeeper.properties file. */
export function controllerForZooKeeper(zk: Record<string, string>): {
  properties: Record<string, string>;
  host: string;
  port: number;
} {
  const port = Number((zk.clientPort ?? '2181').trim());
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`clientPort must be a port number, not ${JSON.stringify(zk.clientPort)}`);
  const bind = (zk.clientPortAddress ?? '').trim() || '127.0.0.1';
  const dataDir = (zk.dataDir ?? '/tmp/zookeeper').trim();
  return {
    host: bind,
    port,
    properties: {
      'process.roles': 'controller',
      'node.id': String(ZOOKEEPER_CONTROLLER_ID),
      'controller.quorum.voters': `${ZOOKEEPER_CONTROLLER_ID}@${voterHost(bind)}:${port}`,
      'controller.listener.names': 'CONTROLLER',
      listeners: `CONTROLLER://${bind}:${port}`,
      'log.dirs': dataDir,
      'schema.registry.enable': 'false',
    },
  };
}

/** The first host:port of a zookeeper.connect string (chroot paths dropped). */
export function zookeeperAddress(connectString: string): { host: string; port: number } {
  const first = connectString.split(',')[0]!.trim().replace(/\/.*$/, '');
  const colon = first.lastIndexOf(':');
  const host = colon < 0 ? first : first.slice(0, colon);
  const port = colon < 0 ? 2181 : Number(first.slice(colon + 1));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`zookeeper.connect must be host:port[,host:port...], not ${JSON.stringify(connectString)}`);
  return { host, port };
}

function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A broker file with zookeeper.connect and no process.roles becomes a broker-only KRaft
 * node of the controller `ktool zookeeper-server-start` runs there. Nothing listening there
 * (and a data directory never formatted for KRaft) keeps the single-node dev broker, as
 * before. Returns the properties to run with and the one line saying what was done.
 */
export async function fromZooKeeperEra(
  props: Record<string, string>,
  probe: (host: string, port: number) => Promise<boolean> = (h, p) => reachable(h, p, 1000),
): Promise<{ properties: Record<string, string>; note: string | null }> {
  const connectString = props['zookeeper.connect']?.trim();
  if (!connectString || props['process.roles'] !== undefined) return { properties: props, note: null };
  const { host, port } = zookeeperAddress(connectString);
  const dataDir = (props['log.dirs'] ?? props['log.dir'] ?? '').split(',')[0]!.trim();
  const formatted = dataDir !== '' && existsSync(join(dataDir, '__cluster_metadata-0'));
  if (!formatted && !(await probe(host, port))) {
    return {
      properties: props,
      note: `zookeeper.connect=${connectString}: nothing listens on ${host}:${port}, so this runs as a single-node dev broker (start \`ktool zookeeper-server-start\` first to form a cluster)`,
    };
  }
  const id = (props['node.id'] ?? props['broker.id'] ?? '').trim();
  if (id === '' || Number(id) < 0)
    throw new Error('broker.id must be set to a non-negative id for a broker that joins a cluster');
  const protocolMap = props['listener.security.protocol.map'];
  return {
    properties: {
      ...props,
      'process.roles': 'broker',
      'node.id': id,
      'controller.quorum.voters': `${ZOOKEEPER_CONTROLLER_ID}@${voterHost(host)}:${port}`,
      'controller.listener.names': 'CONTROLLER',
      ...(protocolMap ? { 'listener.security.protocol.map': `${protocolMap},CONTROLLER:PLAINTEXT` } : {}),
    },
    note: `No ZooKeeper in ktool: zookeeper.connect=${connectString} names the KRaft controller of \`ktool zookeeper-server-start\`; broker ${id} joins it as a KRaft broker`,
  };
}
