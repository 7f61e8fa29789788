// The requests a KRaft quorum member sends: Vote and BeginQuorumEpoch/EndQuorumEpoch as it
// changes role, the follower's Fetch loop (and FetchSnapshot when it has fallen behind the
// leader's log start), leader discovery, and the leader's appends.
import { encodeRecordBatch } from '../../protocol/record-batch.js';
import type { MessageBody } from '../../protocol/types.js';
import { decodeSnapshot, type SnapshotId } from './snapshot.js';
import { METADATA_TOPIC, METADATA_TOPIC_ID, API, type ReplicaState, RaftError } from './raft-types.js';
import { RaftState } from './raft-state.js';

export abstract class RaftPeers extends RaftState {
  /** A follower behind the leader's log start downloads the leader's snapshot (FetchSnapshot) and starts over from it. */
  protected async fetchSnapshot(epoch: number, leaderId: number, id: SnapshotId): Promise<boolean> {
    const parts: Buffer[] = [];
    let position = 0;
    let size = -1;
    while (size < 0 || position < size) {
      let res: MessageBody;
      try {
        res = await this.transport.send(leaderId, API.FetchSnapshot, {
          clusterId: this.clusterId,
          replicaId: this.nodeId,
          maxBytes: 1024 * 1024,
          topics: [
            {
              name: METADATA_TOPIC,
              partitions: [{ partition: 0, currentLeaderEpoch: epoch, snapshotId: id, position }],
            },
          ],
        });
      } catch {
        return false;
      }
      const s = this.state;
      if (s.kind !== 'follower' || s.epoch !== epoch || s.leaderId !== leaderId || this.closed) return true;
      const p = res.topics?.[0]?.partitions?.[0];
      if (res.errorCode !== 0 || !p || p.errorCode !== 0 || p.position !== position) return false;
      size = p.size;
      if (p.unalignedRecords.length === 0 && position < size) return false;
      parts.push(Buffer.from(p.unalignedRecords));
      position += p.unalignedRecords.length;
      this.resetTimer(this.fetchTimeoutMs, () => this.onFetchTimeout(epoch));
    }
    const bytes = Buffer.concat(parts);
    let values: Buffer[];
    try {
      values = decodeSnapshot(bytes);
    } catch (err) {
      this.logger(`Raft: node ${this.nodeId} got a bad snapshot from leader ${leaderId}: ${(err as Error).message}`);
      return false;
    }
    this.snapshots?.write({ id, bytes });
    this.latestSnapshot = id;
    this.log.resetTo(id.endOffset, id.epoch);
    this.onSnapshot(values, id);
    this.applied = id.endOffset;
    this.appliedEpoch = id.epoch;
    this.hw = Math.max(this.hw, id.endOffset);
    this.bytesSinceSnapshot = 0;
    this.logger(
      `Raft: node ${this.nodeId} loaded snapshot ${id.endOffset}-${id.epoch} (${bytes.length} bytes) from leader ${leaderId}`,
    );
    return true;
  }

  /**
   * Appends encoded metadata records as one batch at the current epoch. Resolves with the batch's
   * last offset once a majority has it (the high watermark passed it); rejects with
   * NOT_LEADER_OR_FOLLOWER when this node is not the leader or loses leadership first.
   */
  append(values: readonly Buffer[]): Promise<number> {
    const s = this.state;
    if (this.closed || s.kind !== 'leader') {
      return Promise.reject(
        new RaftError('NOT_LEADER_OR_FOLLOWER', `node ${this.nodeId} is not the active controller`),
      );
    }
    const batch = encodeRecordBatch({
      records: values.map((value) => ({ key: null, value })),
      baseOffset: this.log.endOffset,
      partitionLeaderEpoch: s.epoch,
      now: this.clock.now(),
    });
    const [added] = this.log.append(batch);
    const promise = new Promise<number>((resolve, reject) => {
      this.pending.push({ lastOffset: added!.lastOffset, epoch: s.epoch, resolve, reject });
    });
    this.leaderProgress(s);
    return promise;
  }

  protected sendBeginQuorumEpoch(epoch: number): void {
    const s = this.state;
    if (s.kind !== 'leader' || s.epoch !== epoch) return;
    for (const voter of this.otherVoters()) {
      if (s.beginAcked.has(voter)) continue;
      const body = {
        clusterId: this.clusterId,
        voterId: voter,
        topics: [
          { topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, leaderId: this.nodeId, leaderEpoch: epoch }] },
        ],
      };
      this.transport.send(voter, API.BeginQuorumEpoch, body).then(
        (res) => {
          const p = res.topics?.[0]?.partitions?.[0];
          if (res.errorCode === 0 && p?.errorCode === 0) {
            if (this.state.kind === 'leader' && this.state.epoch === epoch) this.state.beginAcked.add(voter);
          } else if (p) {
            this.observeEpoch(p.leaderEpoch, p.leaderId);
          }
        },
        () => {},
      );
    }
    // Voters that were down hear of the new leader when they come back.
    this.clock.setTimeout(
      () => {
        if (!this.closed) this.sendBeginQuorumEpoch(epoch);
      },
      Math.max(this.retryBackoffMs, Math.floor(this.electionTimeoutMs / 2)),
    );
  }

  /** Tells the other voters to elect a successor now, the most caught-up first (as Kafka orders them). */
  protected async sendEndQuorumEpoch(epoch: number, replicas: ReadonlyMap<number, ReplicaState>): Promise<void> {
    const others = this.otherVoters().sort(
      (a, b) => (replicas.get(b)?.endOffset ?? -1) - (replicas.get(a)?.endOffset ?? -1),
    );
    const body = {
      clusterId: this.clusterId,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [{ partitionIndex: 0, leaderId: this.nodeId, leaderEpoch: epoch, preferredSuccessors: others }],
        },
      ],
    };
    await Promise.allSettled(others.map((voter) => this.transport.send(voter, API.EndQuorumEpoch, body)));
  }

  protected onVoteResponse(epoch: number, voter: number, res: MessageBody): void {
    const p = res.topics?.[0]?.partitions?.[0];
    if (res.errorCode !== 0 || !p) return;
    if (p.leaderEpoch > this.state.epoch) {
      this.observeEpoch(p.leaderEpoch, p.leaderId);
      return;
    }
    const s = this.state;
    if (s.kind !== 'candidate' || s.epoch !== epoch) return;
    if (p.voteGranted) {
      s.granted.add(voter);
      if (this.hasMajority(s.granted)) this.becomeLeader();
    } else {
      s.rejected.add(voter);
      if (p.leaderId >= 0 && p.leaderEpoch === epoch) this.becomeFollower(epoch, p.leaderId);
    }
  }

  /** A follower pulls the log from its leader, one Fetch at a time, until it stops following. */
  protected fetchLoop(): void {
    if (this.fetching) return;
    this.fetching = true;
    void (async () => {
      try {
        while (!this.closed && this.state.kind === 'follower') {
          const { epoch, leaderId } = this.state;
          const ok = await this.fetchOnce(epoch, leaderId);
          if (!ok) await new Promise<void>((r) => this.clock.setTimeout(r, this.retryBackoffMs));
        }
      } finally {
        this.fetching = false;
      }
    })();
  }

  protected fetchRequest(epoch: number, maxWaitMs: number): object {
    const { offset, epoch: lastEpoch } = this.log.endOffsetAndEpoch;
    return {
      clusterId: this.clusterId,
      replicaId: this.nodeId,
      replicaState: { replicaId: this.nodeId, replicaEpoch: -1 },
      maxWaitMs,
      minBytes: 0,
      maxBytes: 8 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: METADATA_TOPIC,
          topicId: METADATA_TOPIC_ID,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: epoch,
              fetchOffset: offset,
              lastFetchedEpoch: lastEpoch,
              logStartOffset: -1,
              partitionMaxBytes: 8 * 1024 * 1024,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    };
  }

  /**
   * An observer (a broker that is not a voter) finds the leader by asking the voters in turn: any of
   * them answers a Fetch with the leader it knows.
   */
  protected discoverLeader(): void {
    if (this.discovering) return;
    this.discovering = true;
    void (async () => {
      try {
        while (!this.closed && this.state.kind === 'unattached') {
          const voter = this.voters[this.discoveryIndex++ % this.voters.length]!;
          try {
            const res = await this.transport.send(voter, API.Fetch, this.fetchRequest(-1, 0));
            const cl = res.responses?.[0]?.partitions?.[0]?.currentLeader;
            if (
              cl &&
              cl.leaderId >= 0 &&
              cl.leaderEpoch >= this.state.epoch &&
              this.state.kind === 'unattached' &&
              !this.closed
            ) {
              this.becomeFollower(cl.leaderEpoch, cl.leaderId);
              break;
            }
          } catch {
            // Unreachable voter: ask the next one.
          }
          await new Promise<void>((r) => this.clock.setTimeout(r, Math.max(this.retryBackoffMs, 100)));
        }
      } finally {
        this.discovering = false;
      }
    })();
  }

  protected async fetchOnce(epoch: number, leaderId: number): Promise<boolean> {
    const body = this.fetchRequest(epoch, this.fetchMaxWaitMs);
    let res: MessageBody;
    try {
      res = await this.transport.send(leaderId, API.Fetch, body);
    } catch {
      return false;
    }
    const s = this.state;
    if (s.kind !== 'follower' || s.epoch !== epoch || s.leaderId !== leaderId || this.closed) return true;
    if (res.errorCode !== 0) return false;
    const p = res.responses?.[0]?.partitions?.[0];
    if (!p) return false;
    if (p.errorCode !== 0) {
      const cl = p.currentLeader;
      if (cl && cl.leaderEpoch > epoch) this.observeEpoch(cl.leaderEpoch, cl.leaderId);
      return false;
    }
    // A successful answer from the leader is what keeps a follower from starting an election.
    this.resetTimer(this.fetchTimeoutMs, () => this.onFetchTimeout(epoch));
    const snap = p.snapshotId;
    if (snap && snap.endOffset >= 0 && snap.epoch >= 0)
      return this.fetchSnapshot(epoch, leaderId, { endOffset: snap.endOffset, epoch: snap.epoch });
    const div = p.divergingEpoch;
    if (div && div.epoch >= 0 && div.endOffset >= 0) {
      const local = this.log.endOffsetForEpoch(div.epoch);
      const truncateTo = local.epoch === div.epoch ? Math.min(local.offset, div.endOffset) : local.offset;
      this.logger(
        `Raft: node ${this.nodeId} truncates its log to ${truncateTo} (diverged from leader ${leaderId} at epoch ${div.epoch})`,
      );
      this.log.truncateTo(Math.max(truncateTo, this.hw));
      return true;
    }
    if (p.records && p.records.length > 0) {
      try {
        this.log.append(p.records);
      } catch (err) {
        this.logger(
          `Raft: node ${this.nodeId} could not append what leader ${leaderId} sent: ${(err as Error).message}`,
        );
        return false;
      }
    }
    this.advanceHighWatermark(Math.min(p.highWatermark, this.log.endOffset));
    return true;
  }
}
