/**
 * ktool zookeeper-server-start: the counterpart of zookeeper-server-start.sh for ZooKeeper-era
 * walkthroughs. ktool has no ZooKeeper: it runs a KRaft controller on the ZooKeeper client
 * port, and brokers whose zookeeper.connect names that address join it as KRaft brokers.
 */
import { Args } from '@oclif/core';
import { KtoolError } from '../errors.js';
import { parseKeyValues } from '../cli/flags.js';
import ServerStart from './server-start.js';

export default class ZookeeperServerStart extends ServerStart {
  static override summary = 'Start the KRaft controller that stands in for ZooKeeper (zookeeper-server-start.sh).';

  static override description = `ktool has no ZooKeeper. For walkthroughs written for ZooKeeper-era Kafka, this reads zookeeper.properties (clientPort, clientPortAddress, dataDir) and runs a KRaft controller (node 3000) on the ZooKeeper client port. Brokers whose server.properties name that address in zookeeper.connect join it as KRaft brokers, forming one cluster. Kafka 4.0 removed ZooKeeper; new setups should use process.roles and controller.quorum.voters.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> config/zookeeper.properties',
    '<%= config.bin %> <%= command.id %> -daemon config/zookeeper.properties',
  ];

  static override args = {
    properties: Args.string({ description: 'A zookeeper.properties file.', required: false }),
  };

  protected override async resolve(): Promise<import('../supervision/daemon.js').ResolvedBroker> {
    const daemon = await import('../supervision/daemon.js');
    const { parseProperties, controllerForZooKeeper } = await import('../broker/index.js');
    let zk: Record<string, string> = {};
    if (this.args.properties !== undefined) {
      const { readFile } = await import('node:fs/promises');
      let text: string;
      try {
        text = await readFile(this.args.properties, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new KtoolError(
          `Cannot read properties file ${this.args.properties}: ${code === 'ENOENT' ? 'no such file' : String(error)}`,
          { code: 'INVALID_CONFIG' },
        );
      }
      zk = parseProperties(text);
    }
    let controller: ReturnType<typeof controllerForZooKeeper>;
    try {
      controller = controllerForZooKeeper(zk);
    } catch (error) {
      throw new KtoolError(`Invalid ${this.args.properties ?? 'zookeeper.properties'}: ${(error as Error).message}`, {
        code: 'INVALID_CONFIG',
      });
    }
    process.stderr.write(
      `ktool: no ZooKeeper here; running a KRaft controller (node 3000) on ${controller.host}:${controller.port} instead, which brokers naming it in zookeeper.connect join\n`,
    );
    return daemon.resolveBroker({
      overrides: { ...controller.properties, ...parseKeyValues(this.flags.override) },
    });
  }
}
