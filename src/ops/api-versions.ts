/**
 * The operation behind `ktool broker-api-versions`
 * (kafka-broker-api-versions.sh): every broker in the cluster metadata and
 * the API version ranges it advertised in ApiVersions (negotiated when ktool
 * connects to it).
 */
import type { ClusterClient } from '../client/cluster.js';

export interface BrokerApiVersions {
  id: number;
  host: string;
  port: number;
  rack: string | null;
  /** API key -> the broker's range; null when the broker could not be asked. */
  versions: Map<number, { minVersion: number; maxVersion: number }> | null;
  /** Why the broker could not be asked. */
  error: string | null;
}

/** Brokers in the order of the cluster metadata. */
export async function listBrokerApiVersions(client: ClusterClient): Promise<BrokerApiVersions[]> {
  const md = await client.refreshMetadata([]);
  return Promise.all(
    [...md.brokers.values()].map(async (b): Promise<BrokerApiVersions> => {
      const node = { id: b.nodeId, host: b.host, port: b.port, rack: b.rack };
      try {
        const conn = await client.connection(b.nodeId);
        return { ...node, versions: new Map(conn.versions), error: null };
      } catch (error) {
        return { ...node, versions: null, error: (error as Error).message };
      }
    }),
  );
}
