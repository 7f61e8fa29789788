// ktool cluster describe: the brokers, the controller and the cluster id (not in kafka-cluster.sh).
import { loadChalk } from '../../cli/color.js';
import { BaseCommand } from '../../cli/base-command.js';
import { clusterFlags } from '../../tools/cluster/flags.js';
import { runTool, writeOut } from '../../cli/runner.js';

export default class ClusterDescribe extends BaseCommand<typeof ClusterDescribe> {
  static override summary = 'Show the cluster id, the controller and the brokers.';

  static override description =
    'Prints the cluster id, the controller and a table of the brokers (id, host, port, rack, role). Colour is used only on a terminal. Not part of kafka-cluster.sh.';

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  static override flags = clusterFlags;

  public async run(): Promise<import('../../views/cluster.js').ClusterDescribeJson | undefined> {
    return runTool(this, this.flags, async (session) => {
      const [ops, views, { default: chalk }] = await Promise.all([
        import('../../ops/cluster.js'),
        import('../../views/cluster.js'),
        loadChalk(),
      ]);
      const desc = await ops.describeCluster(await session.connect());
      if (!this.jsonEnabled())
        writeOut(
          views.renderClusterDescribe(desc, { heading: (t) => chalk.bold(t), highlight: (t) => chalk.green(t) }),
        );
      return views.clusterDescribeJson(desc);
    });
  }
}
