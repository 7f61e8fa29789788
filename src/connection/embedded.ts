/**
 * The embedded-default rule. A command that needs a broker and was given no
 * bootstrap server (no --bootstrap-server flag, no KAFKA_BOOTSTRAP_SERVERS,
 * no bootstrap.servers in its config) talks to localhost:9092; if nothing
 * answers there, ktool starts its dev broker in the background first,
 * exactly like `ktool server-start --daemon`, and says so on stderr.
 *
 * An explicit bootstrap server never starts anything.
 */

export const EMBEDDED_HOST = 'localhost';
export const EMBEDDED_PORT = 9092;
export const EMBEDDED_ADDRESS = `${EMBEDDED_HOST}:${EMBEDDED_PORT}`;

export interface EmbeddedResult {
  /** True when this call started the dev broker. */
  started: boolean;
  /** The bootstrap address to use. */
  address: string;
  /** The dev broker's data directory, when started here. */
  dataDir?: string;
}

export interface EnsureEmbeddedOptions {
  /** Where to report a start; one line. Defaults to stderr. */
  notify?: (line: string) => void;
  /** How long to wait for an answer on localhost:9092 (default 300 ms). */
  probeTimeoutMs?: number;
  /** The port to check and start on; 9092 unless a test says otherwise. */
  port?: number;
}

/**
 * Make sure something answers on localhost:9092, starting the dev broker
 * (default data dir, default listener) if not. Set KTOOL_NO_EMBEDDED=1 to
 * never start one.
 */
export async function ensureEmbeddedBroker(options: EnsureEmbeddedOptions = {}): Promise<EmbeddedResult> {
  const daemon = await import('../supervision/daemon.js');
  const timeout = options.probeTimeoutMs ?? 300;
  const port = options.port ?? EMBEDDED_PORT;
  const address = `${EMBEDDED_HOST}:${port}`;
  if (await daemon.probe(EMBEDDED_HOST, port, timeout)) return { started: false, address };
  const disabled = process.env.KTOOL_NO_EMBEDDED;
  if (disabled !== undefined && disabled !== '' && disabled !== '0') return { started: false, address };

  const broker = await daemon.resolveBroker({
    overrides: { listeners: `PLAINTEXT://127.0.0.1:${port}` },
  });
  try {
    const info = await daemon.startDaemon(broker);
    const notify = options.notify ?? ((line: string) => process.stderr.write(`${line}\n`));
    notify(`ktool: no broker on ${address}; started the embedded dev broker (data: ${info.dataDir})`);
    return { started: true, address, dataDir: info.dataDir };
  } catch (error) {
    // Another ktool started it at the same moment and won the data directory's
    // lock: that one says so, this one waits for it to answer and uses it.
    const raced = (error as { code?: string }).code === 'BROKER_RUNNING';
    const deadline = Date.now() + (raced ? daemon.DEFAULT_START_TIMEOUT_MS : 0);
    do {
      if (await daemon.probe(EMBEDDED_HOST, port, timeout)) return { started: false, address };
      if (Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < deadline);
    throw error;
  }
}

export interface BootstrapSources {
  /** --bootstrap-server */
  flag?: string;
  /** Client properties from --command-config and the like. */
  config?: Record<string, string>;
  env?: Record<string, string | undefined>;
}

export interface Bootstrap {
  servers: string[];
  /** Where the servers came from. */
  source: 'flag' | 'env' | 'config' | 'embedded';
  /** Whether the dev broker was started to serve this command. */
  startedEmbedded: boolean;
}

function splitServers(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The bootstrap servers for a command, applying the embedded-default rule:
 * flag, then $KAFKA_BOOTSTRAP_SERVERS, then bootstrap.servers from config,
 * then localhost:9092 (starting the dev broker if nothing answers).
 */
export async function resolveBootstrap(
  sources: BootstrapSources = {},
  options?: EnsureEmbeddedOptions,
): Promise<Bootstrap> {
  const env = sources.env ?? process.env;
  const explicit: Array<[Bootstrap['source'], string | undefined]> = [
    ['flag', sources.flag],
    ['env', env.KAFKA_BOOTSTRAP_SERVERS],
    ['config', sources.config?.['bootstrap.servers']],
  ];
  for (const [source, value] of explicit) {
    if (value !== undefined && splitServers(value).length > 0) {
      return { servers: splitServers(value), source, startedEmbedded: false };
    }
  }
  const embedded = await ensureEmbeddedBroker(options);
  return { servers: [embedded.address], source: 'embedded', startedEmbedded: embedded.started };
}
