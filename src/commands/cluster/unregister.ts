// ktool cluster unregister: kafka-cluster.sh unregister (KRaft clusters that offer UnregisterBroker).
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { clusterFlags } from '../../tools/cluster/flags.js';
import { runTool, writeOut } from '../../cli/runner.js';

export default class ClusterUnregister extends BaseCommand<typeof ClusterUnregister> {
  static override summary = 'Unregister a broker (kafka-cluster.sh unregister).';

  static override description = `Removes a broker's registration from a KRaft cluster. A cluster without the UnregisterBroker API (the embedded dev broker, ZooKeeper-based Kafka) is left untouched and ktool prints Kafka's "The target cluster does not support the broker unregistration API." (exit status 0, as kafka-cluster.sh).`;

  static override examples = ['<%= config.bin %> <%= command.id %> --id 3'];

  static override flags = {
    ...clusterFlags,
    id: Flags.integer({
      char: 'i',
      description: 'The id of the broker to unregister.',
      required: true,
      helpValue: '<broker id>',
    }),
  };

  public async run(): Promise<import('../../views/cluster.js').ClusterUnregisterJson | undefined> {
    return runTool(this, this.flags, async (session) => {
      const [ops, views] = await Promise.all([import('../../ops/cluster.js'), import('../../views/cluster.js')]);
      const result = await ops.unregisterBroker(await session.connect(), this.flags.id);
      if (!this.jsonEnabled()) writeOut(views.renderUnregister(result));
      return views.unregisterJson(result);
    });
  }
}
