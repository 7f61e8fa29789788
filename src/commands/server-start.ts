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

  public async run(): Promise<ServerStartResult> {
    const daemon = await import('../supervision/daemon.js');
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
