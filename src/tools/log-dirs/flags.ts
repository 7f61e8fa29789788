// kafka-log-dirs.sh's flags, for `ktool log-dirs --describe` and `ktool log-dirs describe`.
import { Flags } from '@oclif/core';
import { connectionFlags, type ConnectionFlagValues } from '../../cli/connection-flags.js';

export const logDirsFlags = {
  ...connectionFlags,
  'broker-list': Flags.string({
    description: 'Comma-separated ids of the brokers to ask, e.g. "0,1,2" (default: every broker of the cluster).',
    helpValue: '<ids>',
  }),
  'topic-list': Flags.string({
    description: 'Comma-separated topics whose partitions are shown, e.g. "t1,t2" (default: all topics).',
    helpValue: '<topics>',
  }),
};

export interface LogDirsFlagValues extends ConnectionFlagValues {
  'broker-list'?: string;
  'topic-list'?: string;
  describe?: boolean;
}
