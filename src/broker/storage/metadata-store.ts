/**
 * The broker's own durable metadata in `<dataDir>/`: cluster id, node id,
 * topics (id, partition count, config overrides) and dynamic broker config
 * overrides, kept in one JSON document rewritten atomically (temp file +
 * fsync + rename) on every change. Also the `.lock` file that stops two
 * brokers from sharing a data directory.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { atomicWriteFile, nodeFs, writeFully, type StorageFs } from './fs-interface.js';

export const METADATA_FILE = 'metadata.json';
export const LOCK_FILE = '.lock';
const FORMAT_VERSION = 1;

export interface TopicMetadata {
  name: string;
  /** 22-char base64url Kafka Uuid. */
  topicId: string;
  partitions: number;
  /** Topic-level overrides only (defaults come from the broker). */
  configs: Record<string, string>;
}

/** Alias used by the broker. */
export type TopicRecord = TopicMetadata;

interface MetadataDocument {
  version: number;
  clusterId: string;
  nodeId: number;
  /** First producer id not yet handed out (ids are reserved in blocks). */
  nextProducerId: number;
  topics: TopicMetadata[];
  brokerOverrides: Record<string, string>;
  /** Cluster-wide dynamic defaults (kafka-configs --entity-default). */
  brokerDefaultOverrides: Record<string, string>;
}

export interface MetadataStoreOptions {
  fs?: StorageFs;
  /** Node id for a new data directory; must match the stored one otherwise. Default 1. */
  nodeId?: number;
  /** Cluster id for a new data directory (default: random). */
  clusterId?: string;
  /** Liveness check for the pid in a lock file (injectable for tests). */
  isPidAlive?: (pid: number) => boolean;
  /** Pid written to the lock file (default process.pid). */
  pid?: number;
}

/**
 * A random Kafka Uuid rendered as Kafka does (unpadded base64url of 16
 * bytes = 22 chars), version-4 bits set like Java's UUID.randomUUID(), and
 * never starting with '-' (Kafka avoids those so ids are not taken for
 * command-line flags).
 */
export function randomUuid(): string {
  for (;;) {
    const b = randomBytes(16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const s = b.toString('base64url');
    if (!s.startsWith('-')) return s;
  }
}

export function defaultIsPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class MetadataStore {
  private doc: MetadataDocument;
  private lockHeld = false;
  private readonly fs: StorageFs;
  private readonly isPidAlive: (pid: number) => boolean;
  private readonly pid: number;

  private constructor(
    readonly dataDir: string,
    doc: MetadataDocument,
    opts: MetadataStoreOptions,
  ) {
    this.doc = doc;
    this.fs = opts.fs ?? nodeFs;
    this.isPidAlive = opts.isPidAlive ?? defaultIsPidAlive;
    this.pid = opts.pid ?? process.pid;
  }

  /** Load `<dataDir>/metadata.json`, or create the directory and a fresh document. */
  static open(dataDir: string, opts: MetadataStoreOptions = {}): MetadataStore {
    const fs = opts.fs ?? nodeFs;
    fs.mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, METADATA_FILE);
    if (fs.existsSync(path)) {
      const doc = parseDocument(fs.readFileSync(path).toString('utf8'), path);
      if (opts.nodeId !== undefined && opts.nodeId !== doc.nodeId) {
        throw new Error(`configured node id ${opts.nodeId} does not match node id ${doc.nodeId} stored in ${path}`);
      }
      return new MetadataStore(dataDir, doc, opts);
    }
    const doc: MetadataDocument = {
      version: FORMAT_VERSION,
      clusterId: opts.clusterId ?? randomUuid(),
      nodeId: opts.nodeId ?? 1,
      nextProducerId: 0,
      topics: [],
      brokerOverrides: {},
      brokerDefaultOverrides: {},
    };
    const store = new MetadataStore(dataDir, doc, opts);
    store.save();
    return store;
  }

  get clusterId(): string {
    return this.doc.clusterId;
  }

  get nodeId(): number {
    return this.doc.nodeId;
  }

  listTopics(): TopicMetadata[] {
    return this.doc.topics.map(copyTopic).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  getTopic(name: string): TopicMetadata | undefined {
    const t = this.doc.topics.find((x) => x.name === name);
    return t && copyTopic(t);
  }

  getTopicById(topicId: string): TopicMetadata | undefined {
    const t = this.doc.topics.find((x) => x.topicId === topicId);
    return t && copyTopic(t);
  }

  /** Create or replace a topic (matched by name) and persist. */
  putTopic(topic: TopicMetadata): void {
    if (!topic.name) throw new Error('topic name is empty');
    if (!Number.isInteger(topic.partitions) || topic.partitions < 1)
      throw new Error(`invalid partition count ${topic.partitions} for topic ${topic.name}`);
    const clash = this.doc.topics.find((x) => x.topicId === topic.topicId && x.name !== topic.name);
    if (clash) throw new Error(`topic id ${topic.topicId} already belongs to topic ${clash.name}`);
    const next = this.doc.topics.filter((x) => x.name !== topic.name);
    next.push(copyTopic(topic));
    this.update({ ...this.doc, topics: next });
  }

  /** Remove a topic; false if it did not exist. */
  deleteTopic(name: string): boolean {
    const next = this.doc.topics.filter((x) => x.name !== name);
    if (next.length === this.doc.topics.length) return false;
    this.update({ ...this.doc, topics: next });
    return true;
  }

  getBrokerOverrides(): Record<string, string> {
    return { ...this.doc.brokerOverrides };
  }

  /** Replace the dynamic broker config overrides and persist. */
  setBrokerOverrides(overrides: Record<string, string>): void {
    this.update({ ...this.doc, brokerOverrides: { ...overrides } });
  }

  getBrokerDefaultOverrides(): Record<string, string> {
    return { ...this.doc.brokerDefaultOverrides };
  }

  /** Replace the cluster-wide dynamic defaults and persist. */
  setBrokerDefaultOverrides(overrides: Record<string, string>): void {
    this.update({ ...this.doc, brokerDefaultOverrides: { ...overrides } });
  }

  /**
   * Reserve `count` producer ids and return the first. The reservation is
   * persisted before returning, so ids handed out from the block are never
   * reused after a restart (unused ones are simply skipped).
   */
  reserveProducerIds(count: number): number {
    if (!Number.isInteger(count) || count < 1) throw new Error(`invalid producer id block size ${count}`);
    const start = this.doc.nextProducerId;
    this.update({ ...this.doc, nextProducerId: start + count });
    return start;
  }

  /** Persist first, then switch the in-memory copy, so a failed write changes nothing. */
  private update(next: MetadataDocument): void {
    const prev = this.doc;
    this.doc = next;
    try {
      this.save();
    } catch (e) {
      this.doc = prev;
      throw e;
    }
  }

  private save(): void {
    atomicWriteFile(this.fs, join(this.dataDir, METADATA_FILE), JSON.stringify(this.doc, null, 2) + '\n');
  }

  // -------------------------------------------------------------------------
  // Lock
  // -------------------------------------------------------------------------

  get lockPath(): string {
    return join(this.dataDir, LOCK_FILE);
  }

  /**
   * Take `<dataDir>/.lock` (exclusive create, holding our pid). A lock left
   * by a dead process is taken over; a live holder is an error.
   */
  acquireLock(): void {
    if (this.lockHeld) return;
    const path = this.lockPath;
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = this.fs.openSync(path, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = this.readLockHolder();
        if (holder !== null && this.isPidAlive(holder)) {
          throw new Error(
            `data directory ${this.dataDir} is in use by process ${holder} (lock file ${path}); stop that broker or choose another data directory`,
            { cause: e },
          );
        }
        try {
          this.fs.unlinkSync(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        continue;
      }
      try {
        const text = Buffer.from(`${this.pid}\n`);
        writeFully(this.fs, fd, text, 0, text.length, 0);
      } finally {
        this.fs.closeSync(fd);
      }
      this.lockHeld = true;
      return;
    }
    throw new Error(`could not take lock ${path}: it keeps being recreated by another process`);
  }

  /** Remove the lock file if this store holds it. */
  releaseLock(): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    if (this.readLockHolder() === this.pid) {
      try {
        this.fs.unlinkSync(this.lockPath);
      } catch {
        // already gone
      }
    }
  }

  get holdsLock(): boolean {
    return this.lockHeld;
  }

  private readLockHolder(): number | null {
    try {
      const n = Number(this.fs.readFileSync(this.lockPath).toString('utf8').trim());
      return Number.isSafeInteger(n) && n > 0 ? n : null;
    } catch {
      return null;
    }
  }
}

function copyTopic(t: TopicMetadata): TopicMetadata {
  return { name: t.name, topicId: t.topicId, partitions: t.partitions, configs: { ...t.configs } };
}

function parseDocument(text: string, path: string): MetadataDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const d = raw as Partial<MetadataDocument>;
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.clusterId !== 'string' ||
    typeof d.nodeId !== 'number' ||
    !Array.isArray(d.topics)
  ) {
    throw new Error(`${path} is not a ktool metadata file`);
  }
  if (typeof d.version === 'number' && d.version > FORMAT_VERSION) {
    throw new Error(`${path} has format version ${d.version}; this ktool understands up to ${FORMAT_VERSION}`);
  }
  return {
    version: FORMAT_VERSION,
    clusterId: d.clusterId,
    nodeId: d.nodeId,
    nextProducerId: typeof d.nextProducerId === 'number' && d.nextProducerId >= 0 ? d.nextProducerId : 0,
    topics: d.topics.map(copyTopic),
    brokerOverrides: { ...(d.brokerOverrides ?? {}) },
    brokerDefaultOverrides: { ...(d.brokerDefaultOverrides ?? {}) },
  };
}
