/**
 * ktool cluster: the counterpart of kafka-cluster.sh, whose actions are
 * subcommands (cluster-id, unregister) plus ktool's own describe. Run alone
 * it only says which subcommands exist.
 */
import { BaseCommand } from '../../cli/base-command.js';
import { KtoolError } from '../../errors.js';

export default class Cluster extends BaseCommand<typeof Cluster> {
  static override summary = 'The Kafka cluster tool (kafka-cluster.sh): cluster-id, describe, unregister.';

  static override description =
    'Choose a subcommand: "cluster-id" prints the cluster id, "describe" the brokers and the controller, "unregister" removes a broker registration (KRaft clusters).';

  static override examples = [
    '<%= config.bin %> <%= command.id %> cluster-id',
    '<%= config.bin %> <%= command.id %> describe',
  ];

  public async run(): Promise<never> {
    throw new KtoolError(
      'Missing subcommand: use "ktool cluster cluster-id", "ktool cluster describe" or "ktool cluster unregister --id <id>"',
      {
        code: 'INVALID_ARGUMENTS',
      },
    );
  }
}
