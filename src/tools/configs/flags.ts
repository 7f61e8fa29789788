// kafka-configs.sh's flags, with Kafka's names and wording, for `ktool configs --<action>` and `ktool configs <action>`.
import { Flags } from '@oclif/core';
import { connectionFlags, type ConnectionFlagValues } from '../../cli/connection-flags.js';

export type ConfigsAction = 'describe' | 'alter';

const entityFlags = {
  'entity-type': Flags.string({
    description:
      'The kind of entity: topics, clients, users, brokers, ips, broker-loggers, client-metrics or groups (users and clients may be given together).',
    helpValue: '<type>',
    multiple: true,
    multipleNonGreedy: true,
  }),
  'entity-name': Flags.string({
    description: 'The entity: a topic name, client id, user principal, broker id, IP, client metrics name or group id.',
    helpValue: '<name>',
    multiple: true,
    multipleNonGreedy: true,
  }),
  'entity-default': Flags.boolean({
    description: 'The cluster-wide default entity (brokers, users, clients, ips) instead of a named one.',
  }),
  topic: Flags.string({
    description: 'Shorthand for --entity-type topics --entity-name <topic>.',
    helpValue: '<topic>',
  }),
  broker: Flags.string({
    description: 'Shorthand for --entity-type brokers --entity-name <broker id>.',
    helpValue: '<broker id>',
  }),
  'broker-defaults': Flags.boolean({ description: 'Shorthand for --entity-type brokers --entity-default.' }),
  'broker-logger': Flags.string({
    description: 'Shorthand for --entity-type broker-loggers --entity-name <broker id>.',
    helpValue: '<broker id>',
  }),
  user: Flags.string({
    description: 'Shorthand for --entity-type users --entity-name <user principal>.',
    helpValue: '<user>',
  }),
  'user-defaults': Flags.boolean({ description: 'Shorthand for --entity-type users --entity-default.' }),
  client: Flags.string({
    description: 'Shorthand for --entity-type clients --entity-name <client id>.',
    helpValue: '<client id>',
  }),
  'client-defaults': Flags.boolean({ description: 'Shorthand for --entity-type clients --entity-default.' }),
  ip: Flags.string({ description: 'Shorthand for --entity-type ips --entity-name <ip>.', helpValue: '<ip>' }),
  'ip-defaults': Flags.boolean({ description: 'Shorthand for --entity-type ips --entity-default.' }),
  group: Flags.string({
    description: 'Shorthand for --entity-type groups --entity-name <group id>.',
    helpValue: '<group id>',
  }),
  'client-metrics': Flags.string({
    description: 'Shorthand for --entity-type client-metrics --entity-name <name>.',
    helpValue: '<name>',
  }),
};

const all = Flags.boolean({
  description:
    'With --describe: every config of the entity, defaults and static ones included, not only the dynamic ones.',
});
const addConfig = Flags.string({
  description:
    'Configs to set, "k1=v1,k2=v2". Put a value containing commas in square brackets: "cleanup.policy=[compact,delete]". For users: "SCRAM-SHA-256=[iterations=8192,password=secret]".',
  helpValue: '<k=v,...>',
});
const addConfigFile = Flags.string({
  description: 'A properties file with the configs to set (instead of --add-config).',
  helpValue: '<file>',
});
const deleteConfig = Flags.string({
  description:
    'Config names to remove, "k1,k2" (repeatable). For users, a SCRAM mechanism name removes that credential.',
  helpValue: '<k1,k2>',
  multiple: true,
  multipleNonGreedy: true,
});
const force = Flags.boolean({
  description: 'Accepted for compatibility with kafka-configs.sh; ktool never prompts.',
  hidden: true,
});

export const configsFlags = {
  describe: { ...connectionFlags, ...entityFlags, all },
  alter: {
    ...connectionFlags,
    ...entityFlags,
    'add-config': addConfig,
    'add-config-file': addConfigFile,
    'delete-config': deleteConfig,
    force,
  },
};

/** Every flag plus the two action flags: the `ktool configs --<action>` form. */
export const configsModeFlags = {
  ...configsFlags.describe,
  ...configsFlags.alter,
  describe: Flags.boolean({ description: 'Show the configs of the entity (or of every entity of the type).' }),
  alter: Flags.boolean({
    description: 'Change the configs of the entity: --add-config / --add-config-file and --delete-config.',
  }),
};

export interface ConfigsFlagValues extends ConnectionFlagValues {
  'entity-type'?: string[];
  'entity-name'?: string[];
  'entity-default'?: boolean;
  topic?: string;
  broker?: string;
  'broker-defaults'?: boolean;
  'broker-logger'?: string;
  user?: string;
  'user-defaults'?: boolean;
  client?: string;
  'client-defaults'?: boolean;
  ip?: string;
  'ip-defaults'?: boolean;
  group?: string;
  'client-metrics'?: string;
  all?: boolean;
  'add-config'?: string;
  'add-config-file'?: string;
  'delete-config'?: string[];
  force?: boolean;
  describe?: boolean;
  alter?: boolean;
}
