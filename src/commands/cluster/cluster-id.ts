// ktool cluster cluster-id: kafka-cluster.sh cluster-id.
import { BaseCommand } from '../../cli/base-command.js';
import { clusterFlags } from '../../tools/cluster/flags.js';
import { runTool, writeOut } from '../../cli/runner.js';

export default class ClusterId extends BaseCommand<typeof ClusterId> {
  static override summary = 'Print the cluster id (kafka-cluster.sh cluster-id).';

  static override description = 'Prints "Cluster ID: <id>" like kafka-cluster.sh cluster-id.';

  static override examples = ['<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092'];

  static override flags = clusterFlags;

  public async run(): Promise<import('../../views/cluster.js').ClusterIdJson | undefined> {
    return runTool(this, this.flags, async (session) => {
      const [ops, views] = await Promise.all([import('../../ops/cluster.js'), import('../../views/cluster.js')]);
      const desc = await ops.describeCluster(await session.connect());
      if (!this.jsonEnabled()) writeOut(views.renderClusterId(desc));
      return views.clusterIdJson(desc);
    });
  }
}
