// The election state a voter must not forget across a crash: the epoch it is in and whom it voted
// for (voting twice in one epoch could elect two leaders). Kafka keeps it in a `quorum-state` JSON
// file beside the metadata log; ktool writes the same fields, replaced atomically.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ElectionState {
  epoch: number;
  /** -1 when unknown. */
  leaderId: number;
  /** -1 when this node has not voted in `epoch`. */
  votedId: number;
}

export interface QuorumStateStore {
  read(): ElectionState | null;
  write(state: ElectionState): void;
}

export class MemoryQuorumStateStore implements QuorumStateStore {
  private state: ElectionState | null = null;
  read(): ElectionState | null {
    return this.state && { ...this.state };
  }
  write(state: ElectionState): void {
    this.state = { ...state };
  }
}

export class FileQuorumStateStore implements QuorumStateStore {
  constructor(private readonly path: string) {}

  static inDir(dir: string): FileQuorumStateStore {
    return new FileQuorumStateStore(join(dir, 'quorum-state'));
  }

  read(): ElectionState | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const d = JSON.parse(text) as { leaderEpoch?: unknown; leaderId?: unknown; votedId?: unknown };
    if (typeof d.leaderEpoch !== 'number' || typeof d.leaderId !== 'number' || typeof d.votedId !== 'number') {
      throw new Error(`${this.path} is not a quorum state file`);
    }
    return { epoch: d.leaderEpoch, leaderId: d.leaderId, votedId: d.votedId };
  }

  write(state: ElectionState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const text = JSON.stringify({
      leaderId: state.leaderId,
      leaderEpoch: state.epoch,
      votedId: state.votedId,
      appliedOffset: 0,
      currentVoters: null,
      data_version: 0,
    });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
