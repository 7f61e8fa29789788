/**
 * Rendering `ktool cluster`: Kafka 3.9's kafka-cluster.sh lines for
 * cluster-id and unregister, ktool's own table for describe, and the --json
 * shapes.
 */
import Table from 'cli-table3';
import type { ClusterDescription, UnregisterResult } from '../ops/cluster.js';

export interface ClusterIdJson {
  clusterId: string | null;
}

export interface ClusterBrokerJson {
  id: number;
  host: string;
  port: number;
  rack: string | null;
  isController: boolean;
}

export interface ClusterDescribeJson {
  clusterId: string | null;
  /** The controller's broker id; null when unknown. */
  controller: number | null;
  /** Sorted by id. */
  brokers: ClusterBrokerJson[];
}

export interface ClusterUnregisterJson {
  brokerId: number;
  /** False when the cluster does not offer the UnregisterBroker API (nothing was done). */
  supported: boolean;
  unregistered: boolean;
}

export function renderClusterId(desc: ClusterDescription): string {
  return desc.clusterId !== null
    ? `Cluster ID: ${desc.clusterId}\n`
    : 'No cluster ID found. The Kafka version is probably too old.\n';
}

export function clusterIdJson(desc: ClusterDescription): ClusterIdJson {
  return { clusterId: desc.clusterId };
}

/** Colouring applied to the describe output (identity when colour is off). */
export interface Paint {
  heading(text: string): string;
  highlight(text: string): string;
}

export const NO_PAINT: Paint = { heading: (t) => t, highlight: (t) => t };

export function clusterDescribeJson(desc: ClusterDescription): ClusterDescribeJson {
  return {
    clusterId: desc.clusterId,
    controller: desc.controllerId,
    brokers: [...desc.brokers]
      .sort((a, b) => a.id - b.id)
      .map((b) => ({ id: b.id, host: b.host, port: b.port, rack: b.rack, isController: b.id === desc.controllerId })),
  };
}

export function renderClusterDescribe(desc: ClusterDescription, paint: Paint = NO_PAINT): string {
  const doc = clusterDescribeJson(desc);
  const table = new Table({
    head: ['BROKER', 'HOST', 'PORT', 'RACK', 'ROLE'].map((h) => paint.heading(h)),
    // cli-table3 would colour on its own; colour is ktool's policy (Paint).
    style: { head: [], border: [] },
  });
  for (const b of doc.brokers) {
    table.push([
      String(b.id),
      b.host,
      String(b.port),
      b.rack ?? '-',
      b.isController ? paint.highlight('controller') : 'broker',
    ]);
  }
  const controller = doc.controller === null ? 'unknown' : String(doc.controller);
  return `Cluster ID: ${doc.clusterId ?? 'unknown'}\nController: ${controller}\n${table.toString()}\n`;
}

export function renderUnregister(result: UnregisterResult): string {
  return result.supported
    ? `Broker ${result.brokerId} is no longer registered.\n`
    : 'The target cluster does not support the broker unregistration API.\n';
}

export function unregisterJson(result: UnregisterResult): ClusterUnregisterJson {
  return { brokerId: result.brokerId, supported: result.supported, unregistered: result.supported };
}
