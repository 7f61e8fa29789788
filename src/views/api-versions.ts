/**
 * Rendering `ktool broker-api-versions`: Kafka 3.9's
 * kafka-broker-api-versions.sh text (NodeApiVersions.toString(true)) and
 * the --json shape.
 *
 *   127.0.0.1:9092 (id: 0 rack: null) -> (
 *   \tProduce(0): 0 to 11 [usable: 11],
 *   \tLeaderAndIsr(4): UNSUPPORTED,
 *   ...
 *   \tDescribeTopicPartitions(75): 0 [usable: 0]
 *   )
 *
 * One entry per API the broker advertised plus one per API a Kafka 3.9
 * client knows (served by brokers) that the broker did not advertise, by
 * key. "usable" is the newest version both sides know: min(the client's
 * newest version, unstable ones included as Kafka's ApiKeys.latestVersion()
 * does, the broker's newest). Brokers follow Java's HashMap order of Node.
 */
import { allApiSpecs } from '../protocol/codec.js';
import type { ApiSpec } from '../protocol/types.js';
import type { BrokerApiVersions } from '../ops/api-versions.js';
import { javaHashOrder, nodeHash } from '../protocol/java-compat.js';

export type ApiStatus = 'usable' | 'unsupported' | 'node too new' | 'node too old' | 'unknown';

export interface ApiVersionJson {
  apiKey: number;
  /** Kafka's API name; null for a key the client does not know. */
  name: string | null;
  /** The broker's range; null when the broker does not offer the API. */
  minVersion: number | null;
  maxVersion: number | null;
  /** The newest version both sides support; null when there is none. */
  usableVersion: number | null;
  status: ApiStatus;
}

export interface BrokerApiVersionsJson {
  id: number;
  host: string;
  port: number;
  rack: string | null;
  /** Why the broker could not be asked (its apis are then empty). */
  error: string | null;
  apis: ApiVersionJson[];
}

export interface BrokerApiVersionsListJson {
  brokers: BrokerApiVersionsJson[];
}

let specsByKey: Map<number, ApiSpec> | undefined;

function specs(): Map<number, ApiSpec> {
  specsByKey ??= new Map(allApiSpecs().map((s) => [s.apiKey, s]));
  return specsByKey;
}

/** Kafka's ApiKeys.clientApis(): the APIs served by (ZooKeeper or KRaft) brokers. */
function isClientApi(spec: ApiSpec): boolean {
  return spec.listeners.includes('zkBroker') || spec.listeners.includes('broker');
}

/** The entries for one broker, by API key. */
export function apiEntries(
  versions: ReadonlyMap<number, { minVersion: number; maxVersion: number }>,
): ApiVersionJson[] {
  const keys = new Set<number>(versions.keys());
  for (const spec of specs().values()) if (isClientApi(spec)) keys.add(spec.apiKey);
  return [...keys]
    .sort((a, b) => a - b)
    .map((apiKey): ApiVersionJson => {
      const spec = specs().get(apiKey);
      const range = versions.get(apiKey);
      const name = spec?.name ?? null;
      if (range === undefined)
        return { apiKey, name, minVersion: null, maxVersion: null, usableVersion: null, status: 'unsupported' };
      const base = { apiKey, name, minVersion: range.minVersion, maxVersion: range.maxVersion };
      if (spec === undefined) return { ...base, usableVersion: null, status: 'unknown' };
      const [oldest, latest] = spec.request.validVersions;
      if (latest < range.minVersion) return { ...base, usableVersion: null, status: 'node too new' };
      if (range.maxVersion < oldest) return { ...base, usableVersion: null, status: 'node too old' };
      return { ...base, usableVersion: Math.min(latest, range.maxVersion), status: 'usable' };
    });
}

function entryText(e: ApiVersionJson): string {
  const head = e.name === null ? `UNKNOWN(${e.apiKey}): ` : `${e.name}(${e.apiKey}): `;
  if (e.status === 'unsupported') return `${head}UNSUPPORTED`;
  const range = e.minVersion === e.maxVersion ? `${e.minVersion}` : `${e.minVersion} to ${e.maxVersion}`;
  switch (e.status) {
    case 'unknown':
      return head + range;
    case 'node too new':
      return `${head}${range} [unusable: node too new]`;
    case 'node too old':
      return `${head}${range} [unusable: node too old]`;
    default:
      return `${head}${range} [usable: ${e.usableVersion}]`;
  }
}

/** Kafka's Node.toString (3.9). */
export function nodeText(b: { id: number; host: string; port: number; rack: string | null }): string {
  return `${b.host}:${b.port} (id: ${b.id} rack: ${b.rack ?? 'null'})`;
}

export function renderBrokerApiVersions(brokers: readonly BrokerApiVersions[]): string {
  let out = '';
  for (const b of javaHashOrder(brokers, nodeHash)) {
    if (b.versions === null) {
      out += `${nodeText(b)} -> ERROR: ${b.error}\n`;
      continue;
    }
    out += `${nodeText(b)} -> (\n\t${apiEntries(b.versions).map(entryText).join(',\n\t')}\n)\n`;
  }
  return out;
}

export function brokerApiVersionsJson(brokers: readonly BrokerApiVersions[]): BrokerApiVersionsListJson {
  return {
    brokers: [...brokers]
      .sort((a, b) => a.id - b.id)
      .map((b) => ({
        id: b.id,
        host: b.host,
        port: b.port,
        rack: b.rack,
        error: b.error,
        apis: b.versions === null ? [] : apiEntries(b.versions),
      })),
  };
}
