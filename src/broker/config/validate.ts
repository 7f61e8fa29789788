import { TOPIC_CONFIG_BY_NAME, BROKER_CONFIG_BY_NAME, type ConfigType } from './config-defs.js';

const ENUMS: Record<string, string[]> = {
  'cleanup.policy': ['delete', 'compact'],
  'log.cleanup.policy': ['delete', 'compact'],
  'compression.type': ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
  'message.timestamp.type': ['CreateTime', 'LogAppendTime'],
  'log.message.timestamp.type': ['CreateTime', 'LogAppendTime'],
};

const MINIMUMS: Record<string, number> = {
  'min.insync.replicas': 1,
  'max.message.bytes': 0,
  'message.max.bytes': 0,
  'retention.ms': -1,
  'retention.bytes': -1,
  'segment.bytes': 14,
  'log.segment.bytes': 14,
  'segment.ms': 1,
  'index.interval.bytes': 0,
  'num.partitions': 1,
};

function typeError(name: string, value: string, type: ConfigType): string | null {
  const v = value.trim();
  switch (type) {
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      if (!/^-?\d+$/.test(v)) return `Invalid value ${value} for configuration ${name}: Not a number of type ${type}`;
      const n = Number(v);
      const limit = type === 'INT' ? 2 ** 31 : type === 'SHORT' ? 2 ** 15 : 2 ** 63;
      if (n >= limit || n < -limit)
        return `Invalid value ${value} for configuration ${name}: Not a number of type ${type}`;
      const min = MINIMUMS[name];
      if (min !== undefined && n < min)
        return `Invalid value ${value} for configuration ${name}: Value must be at least ${min}`;
      return null;
    }
    case 'DOUBLE':
      return Number.isFinite(Number(v)) && v !== ''
        ? null
        : `Invalid value ${value} for configuration ${name}: Not a number of type DOUBLE`;
    case 'BOOLEAN':
      return /^(true|false)$/i.test(v)
        ? null
        : `Invalid value ${value} for configuration ${name}: Expected value to be either true or false`;
    default: {
      const allowed = ENUMS[name];
      if (!allowed) return null;
      const items = type === 'LIST' ? v.split(',').map((s) => s.trim()) : [v];
      for (const item of items) {
        if (!allowed.includes(item))
          return `Invalid value ${item} for configuration ${name}: String must be one of: ${allowed.join(', ')}`;
      }
      return null;
    }
  }
}

/** Checks a topic config override; returns Kafka's message for INVALID_CONFIG, or null. */
export function topicConfigError(name: string, value: string): string | null {
  const def = TOPIC_CONFIG_BY_NAME.get(name);
  if (!def) return `Unknown topic config name: ${name}`;
  return typeError(name, value, def.type);
}

/** Checks a dynamic broker config; the error names Kafka's error code to use. */
export function brokerConfigError(
  name: string,
  value: string,
): { error: 'INVALID_CONFIG' | 'INVALID_REQUEST'; message: string } | null {
  const def = BROKER_CONFIG_BY_NAME.get(name);
  if (!def || !def.dynamic)
    return { error: 'INVALID_REQUEST', message: `Cannot update these configs dynamically: Set(${name})` };
  const msg = typeError(name, value, def.type);
  return msg ? { error: 'INVALID_CONFIG', message: msg } : null;
}

/** Thrown while computing new overrides; becomes the resource's error in the response. */
export class ConfigOpError extends Error {
  constructor(
    readonly error: 'INVALID_REQUEST' | 'INVALID_CONFIG',
    message: string,
  ) {
    super(message);
  }
}
