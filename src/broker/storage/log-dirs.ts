/**
 * Which directories under the data directory are partitions of which topic, and
 * how a deleted partition leaves: as Kafka does, a partition directory carries
 * `partition.metadata` naming its topic id, so a directory left by an older topic of
 * the same name is recognised and never served; a deleted partition's directory
 * is first renamed to `<topic>-<partition>.<id>-delete` (one atomic step that
 * takes it out of the topic's namespace) and removed later; start-up removes the
 * leftovers of deletions a crash interrupted, and directories of topics the
 * metadata no longer knows.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fsyncDir, type StorageFs } from './fs-interface.js';

export const PARTITION_METADATA_FILE = 'partition.metadata';
export const DELETE_SUFFIX = '-delete';

/** `<topic>-<partition>`: the last dash-separated part is the partition index. */
const PARTITION_DIR = /^(.+)-(\d+)$/;

export interface KnownTopic {
  topicId: string;
  partitions: number;
}

export function partitionMetadataText(topicId: string): string {
  return `version: 0\ntopic_id: ${topicId}\n`;
}

/** The topic id a partition directory names, or null when it has no readable partition.metadata. */
export function readPartitionTopicId(fs: StorageFs, dir: string): string | null {
  const path = join(dir, PARTITION_METADATA_FILE);
  if (!fs.existsSync(path)) return null;
  let text: string;
  try {
    text = fs.readFileSync(path).toString('utf8');
  } catch {
    return null;
  }
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const id = fields.get('topic_id');
  return fields.get('version') === '0' && id ? id : null;
}

/**
 * Make `dir` the directory of a partition of topic `topicId` before its log is opened.
 * A directory naming another topic id belongs to an older topic of the same name and is
 * set aside for deletion. So is any directory that predates a topic being created now
 * (`isNew`): whatever it holds was never this topic's. A directory without the file, of
 * a topic that already existed, is adopted (written by a ktool that did not keep ids).
 * The file is not fsynced: a lost or torn one reads as missing, and missing is adopted.
 */
export function claimPartitionDir(
  fs: StorageFs,
  dir: string,
  topicId: string,
  isNew: boolean,
  log: (msg: string) => void,
): void {
  if (fs.existsSync(dir)) {
    const owner = readPartitionTopicId(fs, dir);
    if (owner === topicId) return;
    if (owner !== null || isNew) {
      const aside = markForDeletion(fs, dir);
      log(
        `${dir} belongs to an older topic of that name (topic id ${owner ?? 'unknown'}, now ${topicId}); moved to ${aside} for deletion`,
      );
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(join(dir, PARTITION_METADATA_FILE), partitionMetadataText(topicId));
}

/**
 * Rename a partition directory to its `-delete` name; returns the new path. With
 * `sync: false` the caller fsyncs the parent once after renaming several.
 */
export function markForDeletion(fs: StorageFs, dir: string, options: { sync?: boolean } = {}): string {
  const aside = `${dir}.${randomUUID().replace(/-/g, '')}${DELETE_SUFFIX}`;
  fs.renameSync(dir, aside);
  // Make the rename survive a crash, so a restart cannot find the old name again.
  if (options.sync ?? true) fsyncDir(fs, dirname(dir));
  return aside;
}

/** Remove every `-delete` directory under the data directory; returns the paths it could not remove. */
export function removeDeletedDirs(fs: StorageFs, dataDir: string, log: (msg: string) => void): string[] {
  const failed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dataDir);
  } catch (e) {
    log(`Cannot list ${dataDir} to remove deleted partitions: ${(e as Error).message}`);
    return failed;
  }
  for (const name of names) {
    if (!name.endsWith(DELETE_SUFFIX)) continue;
    const path = join(dataDir, name);
    try {
      fs.rmSync(path, { recursive: true, force: true });
    } catch (e) {
      failed.push(path);
      log(`Cannot remove deleted partition directory ${path}: ${(e as Error).message}`);
    }
  }
  return failed;
}

/**
 * Removes `-delete` directories in the background, a few milliseconds of work per turn
 * of the event loop, so deleting a topic with thousands of partitions never stalls
 * requests. What is left when the broker stops is removed at the next start.
 */
export class DeletedDirRemover {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private rescan = false;
  private stopped = false;

  constructor(
    private readonly fs: StorageFs,
    private readonly dataDir: string,
    private readonly log: (msg: string) => void,
    private readonly sliceMs = 10,
  ) {}

  /** Look for -delete directories again and remove them. */
  schedule(): void {
    if (this.stopped) return;
    this.rescan = true;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.step(), 0);
    this.timer.unref();
  }

  private step(): void {
    this.timer = undefined;
    if (this.stopped) return;
    if (this.rescan) {
      this.rescan = false;
      try {
        this.pending = this.fs
          .readdirSync(this.dataDir)
          .filter((n) => n.endsWith(DELETE_SUFFIX))
          .map((n) => join(this.dataDir, n));
      } catch (e) {
        this.log(`Cannot list ${this.dataDir} to remove deleted partitions: ${(e as Error).message}`);
        this.pending = [];
      }
    }
    const until = Date.now() + this.sliceMs;
    while (this.pending.length > 0 && Date.now() < until) {
      const path = this.pending.pop()!;
      try {
        this.fs.rmSync(path, { recursive: true, force: true });
      } catch (e) {
        this.log(`Cannot remove deleted partition directory ${path} (the next start retries): ${(e as Error).message}`);
      }
    }
    if (this.pending.length > 0 || this.rescan) this.arm();
  }
}

/**
 * Directories that look like partitions of a topic the metadata does not have (or of
 * a partition it does not have, or of an older topic with that name), found at start-up:
 * they are what a crash left of a deletion. Directories of names starting with `__`
 * are left alone: internal state other parts of the broker keep beside the topics.
 */
export function strayPartitionDirs(fs: StorageFs, dataDir: string, topics: ReadonlyMap<string, KnownTopic>): string[] {
  const stray: string[] = [];
  for (const name of fs.readdirSync(dataDir)) {
    const m = PARTITION_DIR.exec(name);
    if (!m || name.startsWith('__')) continue;
    const path = join(dataDir, name);
    if (!isPartitionDir(fs, path)) continue;
    const topic = topics.get(m[1]!);
    const owner = readPartitionTopicId(fs, path);
    if (!topic || Number(m[2]) >= topic.partitions || (owner !== null && owner !== topic.topicId)) stray.push(path);
  }
  return stray;
}

/** A directory holding partition files (segments, checkpoints or partition.metadata). */
function isPartitionDir(fs: StorageFs, path: string): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(path);
  } catch {
    return false;
  }
  return names.some(
    (n) => n === PARTITION_METADATA_FILE || n === 'log-start-offset' || /^\d{20}\.(log|index|timeindex)$/.test(n),
  );
}
