// DescribeConfigs v0-4 for topics, brokers and broker loggers. Sensitive values are
// reported as null with isSensitive set, as Kafka does.
import { ErrorCode } from '../../protocol/errors.js';
import {
  BROKER_CONFIGS,
  BROKER_CONFIG_BY_NAME,
  CONFIG_TYPE_CODE,
  ConfigSource,
  ResourceType,
  TOPIC_CONFIG_BY_NAME,
  isSensitiveKey,
} from '../config/config-defs.js';
import type { ApiHandler, RequestContext } from './handler.js';

interface Resource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}

interface Entry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: Array<{ name: string; value: string | null; source: number }>;
  configType: number;
  documentation: null;
}

export const describeConfigs: ApiHandler = {
  apiKey: 32,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const results = (req.resources as Resource[]).map((r) => describeResource(r, req.includeSynonyms, ctx));
    return { throttleTimeMs: 0, results };
  },
};

function describeResource(r: Resource, includeSynonyms: boolean, ctx: RequestContext) {
  const base = {
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    errorCode: ErrorCode.NONE as number,
    errorMessage: null as string | null,
    configs: [] as Entry[],
  };
  const { broker } = ctx;
  const wanted = (name: string) => r.configurationKeys === null || r.configurationKeys.includes(name);
  switch (r.resourceType) {
    case ResourceType.TOPIC: {
      const topic = broker.topic(r.resourceName);
      if (!topic)
        return {
          ...base,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: `Topic '${r.resourceName}' does not exist.`,
        };
      base.configs = broker.config
        .topicConfigs(topic.configs)
        .filter((c) => wanted(c.name))
        .map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: false,
          isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
          configSource: c.source,
          isSensitive: false,
          synonyms: includeSynonyms ? c.synonyms : [],
          configType: CONFIG_TYPE_CODE[TOPIC_CONFIG_BY_NAME.get(c.name)!.type],
          documentation: null,
        }));
      return base;
    }
    case ResourceType.BROKER: {
      if (r.resourceName !== '' && r.resourceName !== String(broker.nodeId)) {
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${r.resourceName}`,
        };
      }
      // The cluster-default resource ("") holds only the dynamic defaults, as in Kafka.
      const names =
        r.resourceName === ''
          ? new Set(Object.keys(broker.config.dynamicDefaultOverrides))
          : new Set([
              ...BROKER_CONFIGS.map((d) => d.name),
              ...Object.keys(broker.config.staticProps),
              ...Object.keys(broker.config.dynamicOverrides),
              ...Object.keys(broker.config.dynamicDefaultOverrides),
            ]);
      base.configs = [...names]
        .sort()
        .filter(wanted)
        .map((name) => {
          const def = BROKER_CONFIG_BY_NAME.get(name);
          const { value, source } = broker.config.raw(name);
          const sensitive = def?.sensitive || isSensitiveKey(name);
          return {
            name,
            value: sensitive ? null : value,
            readOnly: !def?.dynamic,
            isDefault: source === ConfigSource.DEFAULT_CONFIG,
            configSource: source,
            isSensitive: !!sensitive,
            synonyms: includeSynonyms ? [{ name, value: sensitive ? null : value, source }] : [],
            configType: CONFIG_TYPE_CODE[def?.type ?? (sensitive ? 'PASSWORD' : 'STRING')],
            documentation: null,
          };
        });
      return base;
    }
    case ResourceType.BROKER_LOGGER: {
      base.configs = Object.entries(broker.loggerLevels)
        .filter(([n]) => wanted(n))
        .map(([name, value]) => ({
          name,
          value,
          readOnly: false,
          isDefault: false,
          configSource: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
          isSensitive: false,
          synonyms: [],
          configType: CONFIG_TYPE_CODE.STRING,
          documentation: null,
        }));
      return base;
    }
    default:
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Unsupported resource type ${r.resourceType}`,
      };
  }
}
