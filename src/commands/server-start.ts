/**
 * ktool server-start: the counterpart of kafka-server-start.sh.
 *
 *   ktool server-start [server.properties] [--daemon] [--override key=value ...]
 *
 * In the foreground the dev broker runs inside this process and its log goes
 * to stdout until SIGINT/SIGTERM. With --daemon it runs detached (log in
 * <data-dir>.log, pid in <data-dir>.pid) and the command returns once the
 * broker accepts connections.
 */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { KtoolError } from '../errors.js';
import { override, parseKeyValues } from '../cli/flags.js';

export interface ServerStartResult {
  pid: number;
  address: string;
  dataDir: string;
  pidFile: string;
  logFile?: string;
  /** What the broker bound (0.0.0.0:9092 for every interface); daemon only. */
  listening?: string;
  daemon: boolean;
}

/**
 * A cluster is ready once every broker is registered and unfenced: before that, topics
 * cannot be created on it. The daemon logs say when.
 */
async function waitForUnfenced(logFile: string, nodeId: number, timeoutMs = 30_000): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const deadline = Date.now() + timeoutMs;
  const line = `Broker ${nodeId}: unfenced by controller`;
  for (;;) {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    // Only this run's lines count: the log file is appended to across restarts.
    const lastStart = text.lastIndexOf('ktool broker started');
    if (lastStart >= 0 && text.indexOf(line, lastStart) >= 0) return;
    if (Date.now() > deadline)
      throw new KtoolError(`node ${nodeId} did not join the cluster within ${timeoutMs / 1000} s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ClusterStartResult {
  /** Every node's broker address, comma separated: a bootstrap list. */
  bootstrap: string;
  cluster: Array<{
    nodeId: number;
    pid: number;
    address: string;
    controller: string;
    dataDir: string;
    logFile: string;
  }>;
}

export default class ServerStart extends BaseCommand<typeof ServerStart> {
  static override summary = 'Start the embedded dev broker (kafka-server-start.sh).';

  static override description = `Starts ktool's Kafka-compatible dev broker with an optional server.properties file and --override key=value settings.

In the foreground the broker logs to stdout and stops cleanly on Ctrl-C (SIGINT) or SIGTERM. With --daemon it runs in the background: its output is appended to <data-dir>.log and its pid written to <data-dir>.pid (next to the data directory, which is log.dirs, default ~/.local/share/ktool/broker), and the command returns once the broker accepts connections. Kafka's single-dash "-daemon" is accepted too.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --daemon',
    '<%= config.bin %> <%= command.id %> config/server.properties',
    '<%= config.bin %> <%= command.id %> --daemon --override listeners=PLAINTEXT://127.0.0.1:9093 --override log.dirs=/tmp/kafka-2',
  ];

  static override args = {
    properties: Args.string({
      description: 'A server.properties file (Java properties format).',
      required: false,
    }),
  };

  static override flags = {
    daemon: Flags.boolean({
      description: 'Run the broker in the background and return once it accepts connections.',
    }),
    cluster: Flags.integer({
      description:
        'Start a local KRaft cluster of this many nodes (each broker and controller) as daemons, on ports 9092, 9093, ... (controllers 100 above), and print their addresses.',
      helpValue: '<nodes>',
    }),
    'base-port': Flags.integer({
      description: "With --cluster: node 1's broker port; node N listens on base+N-1, its controller 100 above.",
      helpValue: '<port>',
      dependsOn: ['cluster'],
      min: 1,
      max: 65_000,
    }),
    override,
  };

  /** The node to run: server.properties with the overrides applied. */
  protected async resolve(): Promise<import('../supervision/daemon.js').ResolvedBroker> {
    const daemon = await import('../supervision/daemon.js');
    return daemon.resolveBroker({
      propertiesFile: this.args.properties,
      overrides: parseKeyValues(this.flags.override),
    });
  }

  public async run(): Promise<ServerStartResult | ClusterStartResult> {
    const daemon = await import('../supervision/daemon.js');
    if (this.flags.cluster !== undefined) return this.startCluster(this.flags.cluster);
    const broker = await this.resolve();

    if (this.flags.daemon) {
      const info = await daemon.startDaemon(broker, {
        onFailureLog: (lines) => {
          if (this.verbose && !this.jsonEnabled()) for (const line of lines) process.stderr.write(`  | ${line}\n`);
        },
      });
      this.log(
        `ktool broker started (pid ${info.pid}) listening on ${info.listening}; data: ${info.dataDir}, log: ${info.logFile}`,
      );
      return { ...info, daemon: true };
    }

    return this.runForeground(broker);
  }

  private async startCluster(nodes: number): Promise<ClusterStartResult> {
    if (this.args.properties !== undefined)
      throw new KtoolError('--cluster generates its own configs; give --override key=value instead of a file', {
        code: 'INVALID_CONFIG',
      });
    const [daemon, { planCluster }] = await Promise.all([
      import('../supervision/daemon.js'),
      import('../supervision/local-cluster.js'),
    ]);
    let plan: ReturnType<typeof planCluster>;
    try {
      plan = planCluster(nodes, parseKeyValues(this.flags.override), this.flags['base-port']);
    } catch (error) {
      throw new KtoolError((error as Error).message, { code: 'INVALID_CONFIG' });
    }
    // Together: a node waits for a majority of controllers before its broker can register.
    const started = await Promise.all(
      plan.map(async (node) => {
        const info = await daemon.startDaemon(await daemon.resolveBroker({ overrides: node.properties }));
        return {
          nodeId: node.nodeId,
          pid: info.pid,
          address: info.address,
          controller: `127.0.0.1:${node.controllerPort}`,
          dataDir: info.dataDir,
          logFile: info.logFile,
        };
      }),
    );
    await Promise.all(started.map((n) => waitForUnfenced(n.logFile, n.nodeId)));
    this.log(
      `ktool cluster started: ${nodes} node(s), each broker and controller (bootstrap ${started.map((n) => n.address).join(',')})`,
    );
    for (const n of started)
      this.log(`node ${n.nodeId}: broker ${n.address}, controller ${n.controller}, pid ${n.pid}, data ${n.dataDir}`);
    return { cluster: started, bootstrap: started.map((n) => n.address).join(',') };
  }

  private async runForeground(broker: import('../supervision/daemon.js').ResolvedBroker): Promise<ServerStartResult> {
    const daemon = await import('../supervision/daemon.js');
    await daemon.assertDataDirFree(broker.dataDir);
    const { startBroker } = await import('../broker/index.js');
    const json = this.jsonEnabled();
    // Same format as a daemon broker's log file; on stderr with --json.
    const log = (line: string) => {
      const text = `[${new Date().toISOString()}] ${line}\n`;
      if (json) process.stderr.write(text);
      else process.stdout.write(text);
    };

    // A signal during start-up stops the broker as soon as it is up.
    let stopRequested = false;
    let wake: (() => void) | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopRequested) {
        // A second signal: give up on a clean shutdown.
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopRequested = true;
      wake?.();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    let running: Awaited<ReturnType<typeof startBroker>>;
    try {
      running = await startBroker({ properties: broker.properties, log });
    } catch (error) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      throw error instanceof Error ? error : new KtoolError(String(error));
    }

    const pid = process.pid;
    const address = daemon.formatAddress(daemon.dialHost(running.host), running.port);
    await daemon.recordBroker({ pid, dataDir: broker.dataDir, address });
    const cleanup = () => daemon.forgetBrokerSync(broker.dataDir, pid);
    process.once('exit', cleanup);

    if (!stopRequested) await new Promise<void>((r) => (wake = r));
    try {
      await running.close();
    } finally {
      cleanup();
      process.off('exit', cleanup);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const { pidFile } = daemon.brokerFiles(broker.dataDir);
    return { pid, address, dataDir: broker.dataDir, pidFile, daemon: false };
  }
}
