// A KRaft cluster of separate `ktool server-start` processes for multi-process tests: each
// node is broker and controller, with its own data directory and free ports. Nodes can be
// killed (any signal) and restarted on the same ports and data.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, freePort, ROOT } from '../cli/helpers.js';

export interface ClusterNode {
  id: number;
  port: number;
  controllerPort: number;
  dataDir: string;
  propsFile: string;
  output: string;
  proc: ChildProcess | undefined;
  readonly running: boolean;
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node again on the same ports and data; resolves once it listens. */
  restart(): Promise<void>;
}

export interface Cluster {
  nodes: ClusterNode[];
  /** host:port of every broker listener, comma separated. */
  bootstrap: string;
  node(id: number): ClusterNode;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  nodes?: number;
  dir: string;
  /** Extra server.properties lines for every node. */
  props?: Record<string, string>;
  env?: Record<string, string>;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const count = opts.nodes ?? 3;
  const specs: Array<{ id: number; port: number; controllerPort: number }> = [];
  for (let id = 1; id <= count; id++) specs.push({ id, port: await freePort(), controllerPort: await freePort() });
  const voters = specs.map((s) => `${s.id}@127.0.0.1:${s.controllerPort}`).join(',');
  const nodes = specs.map((s) => {
    const dataDir = join(opts.dir, `node-${s.id}`);
    const propsFile = join(opts.dir, `server.${s.id}.properties`);
    const props: Record<string, string> = {
      'process.roles': 'broker,controller',
      'node.id': String(s.id),
      'controller.quorum.voters': voters,
      'controller.listener.names': 'CONTROLLER',
      listeners: `PLAINTEXT://127.0.0.1:${s.port},CONTROLLER://127.0.0.1:${s.controllerPort}`,
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': dataDir,
      'broker.session.timeout.ms': '3000',
      'broker.heartbeat.interval.ms': '500',
      'replica.lag.time.max.ms': '5000',
      'schema.registry.enable': 'false',
      ...opts.props,
    };
    writeFileSync(
      propsFile,
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    return makeNode(s.id, s.port, s.controllerPort, dataDir, propsFile, opts.env ?? {});
  });
  try {
    await Promise.all(nodes.map((n) => n.restart()));
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    throw err;
  }
  return {
    nodes,
    bootstrap: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    node: (id) => nodes.find((n) => n.id === id)!,
    async stop() {
      await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
    },
  };
}

function makeNode(
  id: number,
  port: number,
  controllerPort: number,
  dataDir: string,
  propsFile: string,
  env: Record<string, string>,
): ClusterNode {
  const node: ClusterNode = {
    id,
    port,
    controllerPort,
    dataDir,
    propsFile,
    output: '',
    proc: undefined,
    get running() {
      return node.proc !== undefined && node.proc.exitCode === null && node.proc.signalCode === null;
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      const p = node.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        p.once('exit', () => resolve());
        p.kill(signal);
      });
    },
    restart() {
      node.output = '';
      const child = spawn(process.execPath, [BIN, 'server-start', propsFile], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      node.proc = child;
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (node.output += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (node.output += d));
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`node ${id} did not start:\n${node.output}`)), 30_000);
        const check = () => {
          // Ready once the controller has unfenced it: it then shows in Metadata and can lead.
          if (/Broker \d+: unfenced by controller/.test(node.output)) {
            clearTimeout(timer);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            reject(new Error(`node ${id} exited ${child.exitCode ?? child.signalCode}:\n${node.output}`));
          } else setTimeout(check, 50);
        };
        check();
      });
    },
  };
  return node;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface PartitionState {
  partition: number;
  /** -1: none. */
  leader: number;
  /** In assignment order. */
  replicas: number[];
  isr: number[];
}

/** A topic's partitions as kcat's metadata listing shows them, by partition. */
export async function partitionStates(bootstrap: string, topic: string): Promise<PartitionState[]> {
  const { stdout } = await promisify(execFile)('kcat', ['-L', '-J', '-b', bootstrap, '-t', topic, '-m', '5']);
  const t = JSON.parse(stdout).topics[0] as {
    partitions: Array<{
      partition: number;
      leader: number;
      replicas: Array<{ id: number }>;
      isrs: Array<{ id: number }>;
    }>;
  };
  return t.partitions
    .map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas.map((r) => r.id),
      isr: p.isrs.map((r) => r.id),
    }))
    .sort((a, b) => a.partition - b.partition);
}
