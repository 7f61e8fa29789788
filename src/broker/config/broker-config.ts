import { homedir } from 'node:os';
import { join } from 'node:path';
import { kraftConfig } from './kraft-config.js';
import {
  BROKER_CONFIG_BY_NAME,
  ConfigSource,
  TOPIC_CONFIG_BY_NAME,
  TOPIC_CONFIGS,
  type TopicConfigDef,
} from './config-defs.js';

export interface Listener {
  name: string;
  protocol: string;
  host: string;
  port: number;
}

export interface ResolvedConfig {
  name: string;
  value: string | null;
  source: number;
  synonyms: Array<{ name: string; value: string | null; source: number }>;
}

/**
 * Kafka names a topic config's default after the broker property that supplies it, in
 * that property's own unit: retention.ms defaults through log.retention.hours=168.
 */
function defaultSynonym(def: TopicConfigDef): ResolvedConfig['synonyms'][number] {
  for (const syn of def.synonyms) {
    const brokerDefault = BROKER_CONFIG_BY_NAME.get(syn.name)?.default;
    if (brokerDefault !== undefined && brokerDefault !== null)
      return { name: syn.name, value: brokerDefault, source: ConfigSource.DEFAULT_CONFIG };
  }
  const name = def.synonyms[0]?.name ?? def.name;
  return { name, value: def.default, source: ConfigSource.DEFAULT_CONFIG };
}

/** The user's data directory for the dev broker, following the XDG layout. */
export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'ktool', 'broker');
}

const SECURITY_PROTOCOLS = new Set(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);

export function parseListeners(spec: string, protocolMap?: Record<string, string>): Listener[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry);
      if (!m) throw new Error(`Invalid listener '${entry}': expected NAME://host:port`);
      const name = m[1].toUpperCase();
      const protocol = protocolMap?.[name] ?? name;
      if (!SECURITY_PROTOCOLS.has(protocol)) throw new Error(`Listener '${entry}' has no known security protocol`);
      const port = Number(m[3]);
      if (port > 65535) throw new Error(`Invalid listener '${entry}': port out of range`);
      return { name, protocol, host: m[2].replace(/^\[|\]$/g, ''), port };
    });
}

/**
 * The broker's effective configuration: dynamic overrides (set over the wire, persisted)
 * win over server.properties, which wins over Kafka's defaults.
 */
export class BrokerConfig {
  private dynamic: Record<string, string>;
  private dynamicDefaults: Record<string, string>;

  constructor(
    readonly staticProps: Record<string, string>,
    dynamic: Record<string, string> = {},
    dynamicDefaults: Record<string, string> = {},
  ) {
    this.dynamic = { ...dynamic };
    this.dynamicDefaults = { ...dynamicDefaults };
  }

  /** This broker's own dynamic overrides (resource name = node id). */
  get dynamicOverrides(): Record<string, string> {
    return { ...this.dynamic };
  }

  /** Cluster-wide dynamic defaults (resource name = ""). */
  get dynamicDefaultOverrides(): Record<string, string> {
    return { ...this.dynamicDefaults };
  }

  setDynamic(overrides: Record<string, string>): void {
    this.dynamic = { ...overrides };
  }

  setDynamicDefaults(overrides: Record<string, string>): void {
    this.dynamicDefaults = { ...overrides };
  }

  raw(name: string): { value: string | null; source: number } {
    if (name in this.dynamic) return { value: this.dynamic[name], source: ConfigSource.DYNAMIC_BROKER_CONFIG };
    if (name in this.dynamicDefaults)
      return { value: this.dynamicDefaults[name], source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG };
    if (name in this.staticProps) return { value: this.staticProps[name], source: ConfigSource.STATIC_BROKER_CONFIG };
    const def = BROKER_CONFIG_BY_NAME.get(name);
    return { value: def?.default ?? null, source: ConfigSource.DEFAULT_CONFIG };
  }

  get(name: string): string | null {
    return this.raw(name).value;
  }

  int(name: string): number {
    const v = this.get(name);
    const n = v === null ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new Error(`Invalid value '${v}' for ${name}`);
    return n;
  }

  bool(name: string): boolean {
    return (this.get(name) ?? '').trim().toLowerCase() === 'true';
  }

  get nodeId(): number {
    const id = this.staticProps['node.id'] ?? this.staticProps['broker.id'];
    return id === undefined ? 0 : Number(id);
  }

  get dataDir(): string {
    const dirs = this.staticProps['log.dirs'] ?? this.staticProps['log.dir'];
    // Several log dirs are accepted but the dev broker keeps everything in the first.
    return dirs ? dirs.split(',')[0].trim() : defaultDataDir();
  }

  private protocolMap(): Record<string, string> | undefined {
    const spec = this.get('listener.security.protocol.map');
    if (!spec) return undefined;
    const map: Record<string, string> = {};
    for (const pair of spec.split(',')) {
      const [k, v] = pair.split(':');
      if (k && v) map[k.trim().toUpperCase()] = v.trim().toUpperCase();
    }
    return map;
  }

  /** The listeners the broker role serves; in KRaft mode the controller's listeners are not among them. */
  get listeners(): Listener[] {
    const kraft = kraftConfig(this.staticProps);
    if (kraft) return kraft.brokerListeners;
    return parseListeners(this.get('listeners') ?? 'PLAINTEXT://127.0.0.1:9092', this.protocolMap());
  }

  get advertisedListeners(): Listener[] | null {
    const spec = this.get('advertised.listeners');
    return spec ? parseListeners(spec, this.protocolMap()) : null;
  }

  /** Resolves one topic config through topic overrides, then broker synonyms, then the default. */
  resolveTopicConfig(def: TopicConfigDef, overrides: Record<string, string>): ResolvedConfig {
    const synonyms: ResolvedConfig['synonyms'] = [];
    if (def.name in overrides) {
      synonyms.push({ name: def.name, value: overrides[def.name], source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    }
    for (const layer of [
      { props: this.dynamic, source: ConfigSource.DYNAMIC_BROKER_CONFIG },
      { props: this.dynamicDefaults, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
      { props: this.staticProps, source: ConfigSource.STATIC_BROKER_CONFIG },
    ]) {
      for (const syn of def.synonyms) {
        if (syn.name in layer.props) {
          const rawValue = layer.props[syn.name];
          synonyms.push({ name: syn.name, value: rawValue, source: layer.source });
        }
      }
    }
    synonyms.push(defaultSynonym(def));
    const first = synonyms[0];
    let value = first.source === ConfigSource.DEFAULT_CONFIG ? def.default : first.value;
    if (first.source !== ConfigSource.DYNAMIC_TOPIC_CONFIG && first.source !== ConfigSource.DEFAULT_CONFIG) {
      const scale = def.synonyms.find((s) => s.name === first.name)?.scale;
      if (scale && value !== null) value = String(Number(value) * scale);
    }
    return { name: def.name, value, source: first.source, synonyms };
  }

  /** Every topic config's effective value for a topic with these overrides. */
  topicConfigs(overrides: Record<string, string>): ResolvedConfig[] {
    return TOPIC_CONFIGS.map((def) => this.resolveTopicConfig(def, overrides));
  }

  topicValue(name: string, overrides: Record<string, string>): string {
    const def = TOPIC_CONFIG_BY_NAME.get(name);
    if (!def) throw new Error(`Unknown topic config ${name}`);
    return this.resolveTopicConfig(def, overrides).value ?? def.default;
  }
}
