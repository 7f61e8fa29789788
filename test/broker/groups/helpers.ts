// Fixtures for the group coordinator tests: a coordinator on a temp dir with a manual clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import {
  GroupCoordinator,
  type CoordinatorDeps,
  type JoinGroupRequest,
} from '../../../src/broker/groups/coordinator.js';
import { ManualClock } from '../../../src/broker/groups/clock.js';
import { encodeData } from '../../../src/protocol/codec.js';
import { nodeFs, type StorageFs } from '../../../src/broker/storage/fs-interface.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ktool-groups-'));
  dirs.push(d);
  return d;
}

export const DEFAULT_CONFIG: Record<string, number> = {
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 1800000,
  'offsets.retention.minutes': 10080,
};

export interface Setup {
  coordinator: GroupCoordinator;
  clock: ManualClock;
  dir: string;
  logs: string[];
  config: Record<string, number>;
  /** Topic name -> partition count, as partitionExists sees it. */
  topics: Record<string, number>;
  reopen(): GroupCoordinator;
}

export function setup(
  opts: {
    config?: Record<string, number>;
    topics?: Record<string, number>;
    dir?: string;
    clock?: ManualClock;
    fs?: StorageFs;
    store?: CoordinatorDeps['store'];
  } = {},
): Setup {
  const dir = opts.dir ?? tempDir();
  const clock = opts.clock ?? new ManualClock();
  const logs: string[] = [];
  const config = { ...DEFAULT_CONFIG, ...opts.config };
  const topics: Record<string, number> = { t: 3, u: 2, ...opts.topics };
  const make = () =>
    new GroupCoordinator({
      dataDir: dir,
      fs: opts.fs ?? nodeFs,
      clock,
      // Unknown names throw, as BrokerConfig does for settings it does not define.
      config: {
        int: (name) => {
          if (name in config) return config[name]!;
          throw new Error(`unknown config ${name}`);
        },
      },
      partitionExists: (t, p) => p >= 0 && p < (topics[t] ?? 0),
      log: (l) => {
        logs.push(l);
        if (process.env.KTOOL_TEST_LOG) process.stderr.write(`[groups] ${l}\n`);
      },
      store: opts.store,
    });
  const s: Setup = {
    coordinator: make(),
    clock,
    dir,
    logs,
    config,
    topics,
    reopen() {
      s.coordinator.close();
      s.coordinator = make();
      return s.coordinator;
    },
  };
  after(() => s.coordinator.close());
  return s;
}

/** A consumer subscription (ConsumerProtocolSubscription v0 with its version prefix). */
export function subscription(topics: string[], userData: Buffer | null = null): Buffer {
  return Buffer.concat([Buffer.from([0, 0]), ...encodeData('ConsumerProtocolSubscription', 0, { topics, userData })]);
}

export function joinRequest(groupId: string, memberId = '', over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId,
    memberId,
    groupInstanceId: null,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
    ...over,
  };
}

export interface Tracked<T> {
  readonly done: boolean;
  readonly value: T;
}

/** Records a promise's value when it settles, so tests can ask "answered yet?". */
export function track<T>(p: Promise<T>): Tracked<T> {
  const s = { done: false, value: undefined as unknown as T };
  void p.then((v) => {
    s.done = true;
    s.value = v;
  });
  return s;
}

/** Lets resolved promises run their callbacks. */
export function flush(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
