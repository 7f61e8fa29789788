/**
 * ktool server-stop: the counterpart of kafka-server-stop.sh.
 *
 * Finds running dev brokers through their pid files (<data-dir>.pid) and the
 * registry ktool keeps of the brokers it started, sends SIGTERM and waits
 * for them to exit. Prints nothing on success (like Kafka), or
 * "No kafka server to stop" with exit status 1 when none is running.
 */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { dataDir } from '../cli/flags.js';

export interface ServerStopResult {
  stopped: Array<{ pid: number; dataDir: string }>;
}

export default class ServerStop extends BaseCommand<typeof ServerStop> {
  static override summary = 'Stop running dev brokers (kafka-server-stop.sh).';

  static override description = `Stops the dev broker(s) started by "ktool server-start": with no argument every broker ktool knows to be running, otherwise the one using the given server.properties file's data directory or --data-dir. Sends SIGTERM and waits up to 10 s for each to exit.

Prints nothing on success (one line per broker with --verbose). When no broker is running it prints "No kafka server to stop" and exits with status 1, like Kafka's script.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --data-dir /tmp/kafka-2',
    '<%= config.bin %> <%= command.id %> config/server.properties',
  ];

  static override args = {
    properties: Args.string({
      description: 'Stop the broker started with this server.properties file (its log.dirs).',
      required: false,
    }),
  };

  static override flags = {
    'data-dir': dataDir,
    cluster: Flags.boolean({ description: 'Stop the local cluster "ktool server-start --cluster N" started.' }),
  };

  public async run(): Promise<ServerStopResult> {
    const daemon = await import('../supervision/daemon.js');
    let dirs: string[] | undefined;
    if (this.flags['data-dir'] !== undefined) dirs = [this.flags['data-dir']];
    if (this.flags.cluster) {
      const { planCluster, MAX_CLUSTER_NODES } = await import('../supervision/local-cluster.js');
      dirs = [...(dirs ?? []), ...planCluster(MAX_CLUSTER_NODES).map((n) => n.dataDir)];
    }
    if (this.args.properties !== undefined) {
      const broker = await daemon.resolveBroker({ propertiesFile: this.args.properties });
      dirs = [...(dirs ?? []), broker.dataDir];
    }

    const brokers = await daemon.findRunningBrokers(dirs);
    if (brokers.length === 0) {
      if (this.jsonEnabled()) {
        this.logJson({ error: { message: 'No kafka server to stop', code: 'NO_SERVER' } });
      } else {
        // Kafka's script prints this on stdout and exits 1.
        this.log('No kafka server to stop');
      }
      this.exit(1);
    }

    const stopped: ServerStopResult['stopped'] = [];
    // Together: a cluster's nodes need one another's quorum to hand their leaderships over.
    await Promise.all(
      brokers.map(async (broker) => {
        await daemon.stopBroker(broker);
        stopped.push({ pid: broker.pid, dataDir: broker.dataDir });
        if (this.verbose) this.log(`Stopped ktool broker (pid ${broker.pid}, data ${broker.dataDir})`);
      }),
    );
    return { stopped };
  }
}
