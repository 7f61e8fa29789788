// One member of the KRaft quorum for __cluster_metadata-0, following Kafka's KafkaRaftClient:
// voters elect a leader with Vote at a new epoch (randomized election timeouts), the leader announces
// itself with BeginQuorumEpoch and writes a LEADER_CHANGE control record, followers pull the log with
// Fetch (the leader answers log mismatches with a diverging epoch, the follower truncates and
// fetches again), and the high watermark is the offset a majority of voters has. A leader that a
// majority stops fetching from resigns, so a minority never accepts metadata changes.
//
// Time and the network are injected (RaftClock, RaftTransport) so elections can be driven
// deterministically in unit tests; every state change happens synchronously inside one event, and a
// response is only acted on if the node is still in the state (and epoch) that sent the request.
import type { MessageBody } from '../../protocol/types.js';
import { METADATA_TOPIC, METADATA_TOPIC_ID, API, type State, type ReplicaState, errorCode } from './raft-types.js';
import { RaftPeers } from './raft-peers.js';

export * from './raft-types.js';

export class RaftNode extends RaftPeers {
  /**
   * Starts at the persisted epoch. A voter that was leader comes back unattached (its followers may
   * have moved on); a single voter elects itself at once.
   */
  start(): void {
    const saved = this.store.read();
    if (!this.isVoter(this.nodeId)) {
      this.state = { kind: 'unattached', epoch: saved?.epoch ?? 0, votedId: -1 };
      this.discoverLeader();
      return;
    }
    if (saved && saved.leaderId >= 0 && saved.leaderId !== this.nodeId && this.isVoter(saved.leaderId)) {
      this.becomeFollower(saved.epoch, saved.leaderId);
    } else if (this.voters.length === 1 && this.isVoter(this.nodeId)) {
      this.becomeCandidate();
    } else {
      this.state = { kind: 'unattached', epoch: saved?.epoch ?? 0, votedId: saved?.votedId ?? -1 };
      this.resetTimer(this.randomElectionTimeout(), () => this.onElectionTimeout());
    }
  }

  /** Graceful: a leader tells the voters to elect someone else now (EndQuorumEpoch). */
  async close(): Promise<void> {
    if (this.closed) return;
    const s = this.state;
    if (s.kind === 'leader') {
      this.state = { kind: 'resigned', epoch: s.epoch };
      this.failPending('NOT_LEADER_OR_FOLLOWER', 'the leader is shutting down');
      await Promise.race([
        this.sendEndQuorumEpoch(s.epoch, s.replicas),
        new Promise<void>((r) => this.clock.setTimeout(r, 500)),
      ]);
    }
    this.closed = true;
    this.clearTimer();
    this.wakeWaiters();
    this.failPending('NOT_LEADER_OR_FOLLOWER', 'the quorum member is shutting down');
  }

  /** A crash, for tests: stops at once, telling nobody. */
  halt(): void {
    this.closed = true;
    this.clearTimer();
    this.wakeWaiters();
    this.failPending('NOT_LEADER_OR_FOLLOWER', 'the quorum member stopped');
  }

  /** Serves one Raft RPC; `undefined` for an API this node does not answer. */
  handle(apiKey: number, body: MessageBody): object | Promise<object> | undefined {
    switch (apiKey) {
      case API.Vote:
        return this.handleVote(body);
      case API.BeginQuorumEpoch:
        return this.handleBeginQuorumEpoch(body);
      case API.EndQuorumEpoch:
        return this.handleEndQuorumEpoch(body);
      case API.Fetch:
        return this.handleFetch(body);
      case API.DescribeQuorum:
        return this.handleDescribeQuorum();
      case API.FetchSnapshot:
        return this.handleFetchSnapshot(body);
      default:
        return undefined;
    }
  }

  protected partitionOf(body: MessageBody): MessageBody | undefined {
    const t = body.topics?.[0];
    if (!t || (t.topicName !== undefined && t.topicName !== METADATA_TOPIC)) return undefined;
    return t.partitions?.[0];
  }

  protected clusterMismatch(body: MessageBody): boolean {
    return body.clusterId != null && body.clusterId !== this.clusterId;
  }

  handleVote(body: MessageBody): object {
    const reply = (error: number, granted: boolean, top = 0) => ({
      errorCode: top,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: error,
              leaderId: this.leaderId,
              leaderEpoch: this.state.epoch,
              voteGranted: granted,
            },
          ],
        },
      ],
    });
    if (this.clusterMismatch(body)) return reply(0, false, errorCode('INCONSISTENT_CLUSTER_ID'));
    const p = this.partitionOf(body);
    if (!p) return reply(errorCode('UNKNOWN_TOPIC_OR_PARTITION'), false);
    if (!this.isVoter(p.candidateId)) return reply(errorCode('INCONSISTENT_VOTER_SET'), false);
    if (p.candidateEpoch < this.state.epoch) return reply(errorCode('FENCED_LEADER_EPOCH'), false);
    if (p.candidateEpoch > this.state.epoch) this.becomeUnattached(p.candidateEpoch);
    const s = this.state;
    let granted = false;
    if (s.kind === 'unattached') {
      const mine = this.log.endOffsetAndEpoch;
      // Log matching: only a candidate whose log is at least as long in the latest epoch can lead.
      const upToDate =
        p.lastOffsetEpoch > mine.epoch || (p.lastOffsetEpoch === mine.epoch && p.lastOffset >= mine.offset);
      if (s.votedId === p.candidateId) granted = true;
      else if (s.votedId < 0 && upToDate) {
        granted = true;
        this.state = { kind: 'unattached', epoch: s.epoch, votedId: p.candidateId };
        this.vote = { epoch: s.epoch, id: p.candidateId };
        this.persist(-1);
        this.resetTimer(this.randomElectionTimeout(), () => this.onElectionTimeout());
      }
    }
    return reply(0, granted);
  }

  handleBeginQuorumEpoch(body: MessageBody): object {
    const reply = (error: number, top = 0) => ({
      errorCode: top,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [{ partitionIndex: 0, errorCode: error, leaderId: this.leaderId, leaderEpoch: this.state.epoch }],
        },
      ],
    });
    if (this.clusterMismatch(body)) return reply(0, errorCode('INCONSISTENT_CLUSTER_ID'));
    const p = this.partitionOf(body);
    if (!p) return reply(errorCode('UNKNOWN_TOPIC_OR_PARTITION'));
    if (!this.isVoter(p.leaderId)) return reply(errorCode('INCONSISTENT_VOTER_SET'));
    if (p.leaderEpoch < this.state.epoch) return reply(errorCode('FENCED_LEADER_EPOCH'));
    const s = this.state;
    if (!(s.kind === 'follower' && s.epoch === p.leaderEpoch && s.leaderId === p.leaderId)) {
      if (p.leaderEpoch === s.epoch && s.kind === 'leader') return reply(errorCode('INVALID_REQUEST'));
      this.becomeFollower(p.leaderEpoch, p.leaderId);
    }
    return reply(0);
  }

  handleEndQuorumEpoch(body: MessageBody): object {
    const reply = (error: number, top = 0) => ({
      errorCode: top,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [{ partitionIndex: 0, errorCode: error, leaderId: this.leaderId, leaderEpoch: this.state.epoch }],
        },
      ],
    });
    if (this.clusterMismatch(body)) return reply(0, errorCode('INCONSISTENT_CLUSTER_ID'));
    const p = this.partitionOf(body);
    if (!p) return reply(errorCode('UNKNOWN_TOPIC_OR_PARTITION'));
    if (p.leaderEpoch < this.state.epoch) return reply(errorCode('FENCED_LEADER_EPOCH'));
    if (p.leaderEpoch > this.state.epoch) this.becomeUnattached(p.leaderEpoch);
    const s = this.state;
    if ((s.kind === 'follower' && s.leaderId === p.leaderId) || s.kind === 'unattached') {
      // The first preferred successor stands at once; the others wait a little longer each.
      const successors: number[] = p.preferredSuccessors ?? [];
      const position = successors.indexOf(this.nodeId);
      const delay =
        position <= 0
          ? position === 0
            ? 0
            : this.randomElectionTimeout()
          : Math.floor(this.random() * this.electionBackoffMaxMs * position);
      // A follower stays one (its vote in this epoch stands); it just stops waiting for the leader.
      if (s.kind === 'follower') this.resetTimer(delay, () => this.onFetchTimeout(s.epoch));
      else this.resetTimer(delay, () => this.onElectionTimeout());
    }
    return reply(0);
  }

  /** The leader's side of replication. Fetches from non-voters (brokers) are served as observers. */
  async handleFetch(body: MessageBody): Promise<object> {
    const topic = body.topics?.[0];
    const req = topic?.partitions?.[0];
    const replicaId: number = body.replicaState?.replicaId ?? body.replicaId ?? -1;
    const partitionReply = (extra: object) => ({
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: METADATA_TOPIC,
          topicId: METADATA_TOPIC_ID,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: this.hw,
              lastStableOffset: this.hw,
              logStartOffset: 0,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: null,
              currentLeader: { leaderId: this.leaderId, leaderEpoch: this.state.epoch },
              ...extra,
            },
          ],
        },
      ],
    });
    if (this.clusterMismatch(body))
      return { throttleTimeMs: 0, errorCode: errorCode('INCONSISTENT_CLUSTER_ID'), sessionId: 0, responses: [] };
    const isMetadata = topic && (topic.topicId === METADATA_TOPIC_ID || topic.topic === METADATA_TOPIC);
    if (!req || !isMetadata || req.partition !== 0)
      return partitionReply({ errorCode: errorCode('UNKNOWN_TOPIC_OR_PARTITION') });
    const epoch: number = req.currentLeaderEpoch ?? -1;
    if (epoch >= 0 && epoch < this.state.epoch) return partitionReply({ errorCode: errorCode('FENCED_LEADER_EPOCH') });
    // A fetcher ahead of this node knows of an epoch it has not seen; it will hear of it by a Vote or BeginQuorumEpoch.
    if (epoch > this.state.epoch) return partitionReply({ errorCode: errorCode('UNKNOWN_LEADER_EPOCH') });
    const s = this.state;
    if (s.kind !== 'leader') return partitionReply({ errorCode: errorCode('NOT_LEADER_OR_FOLLOWER') });

    const fetchOffset: number = req.fetchOffset;
    const lastFetchedEpoch: number = req.lastFetchedEpoch ?? -1;
    // Behind the log start, or on a branch older than it: only the snapshot can catch this fetcher up.
    const snap = this.latestSnapshot;
    if (
      snap &&
      this.log.startOffset > 0 &&
      (fetchOffset < this.log.startOffset || lastFetchedEpoch < this.log.startEpoch)
    ) {
      return partitionReply({ snapshotId: { endOffset: snap.endOffset, epoch: snap.epoch } });
    }
    if (fetchOffset > 0 || lastFetchedEpoch > 0) {
      const end = this.log.endOffsetForEpoch(lastFetchedEpoch);
      if (end.epoch !== lastFetchedEpoch || fetchOffset > end.offset) {
        return partitionReply({ divergingEpoch: { epoch: end.epoch, endOffset: end.offset } });
      }
    }
    this.recordReplicaFetch(s, replicaId, fetchOffset);
    const replica = s.replicas.get(replicaId) ?? this.observers.get(replicaId);
    // A fetcher that has not yet heard the current high watermark is answered at once: that is news.
    const hwNews = replica !== undefined && (replica.sentHighWatermark ?? -1) < this.hw;
    if (!hwNews && fetchOffset >= this.log.endOffset && this.hw >= fetchOffset && (body.maxWaitMs ?? 0) > 0) {
      // Nothing new: hold the request until something is appended or committed, or maxWait passes.
      await new Promise<void>((resolve) => {
        const handle = this.clock.setTimeout(
          () => {
            this.waiters.delete(wake);
            resolve();
          },
          Math.min(body.maxWaitMs, this.fetchMaxWaitMs),
        );
        const wake = () => {
          this.clock.clearTimeout(handle);
          resolve();
        };
        this.waiters.add(wake);
      });
      if (this.state !== s) return partitionReply({ errorCode: errorCode('NOT_LEADER_OR_FOLLOWER') });
    }
    const records =
      fetchOffset < this.log.endOffset ? this.log.read(fetchOffset, req.partitionMaxBytes ?? 1024 * 1024) : null;
    if (replica) replica.sentHighWatermark = this.hw;
    return partitionReply({ records });
  }

  protected recordReplicaFetch(s: Extract<State, { kind: 'leader' }>, replicaId: number, fetchOffset: number): void {
    const now = this.clock.now();
    let r = s.replicas.get(replicaId);
    if (!r) {
      if (replicaId < 0) return;
      r = this.observers.get(replicaId) ?? { endOffset: -1, lastFetchMs: -1, lastCaughtUpMs: -1 };
      this.observers.set(replicaId, r);
    }
    r.endOffset = fetchOffset;
    r.lastFetchMs = now;
    if (fetchOffset >= this.log.endOffset) r.lastCaughtUpMs = now;
    s.beginAcked.add(replicaId);
    if (!s.replicas.has(replicaId)) return;
    s.fetchedSinceCheck.add(replicaId);
    if (this.hasMajority(s.fetchedSinceCheck)) {
      s.fetchedSinceCheck = new Set([this.nodeId]);
      s.checkQuorumDeadline = now + this.checkQuorumWindow();
    }
    this.leaderProgress(s);
  }

  handleFetchSnapshot(body: MessageBody): object {
    const reply = (top: number, error: number, extra: object = {}) => ({
      throttleTimeMs: 0,
      errorCode: top,
      topics: [
        {
          name: METADATA_TOPIC,
          partitions: [
            {
              index: 0,
              errorCode: error,
              snapshotId: { endOffset: -1, epoch: -1 },
              currentLeader: { leaderId: this.leaderId, leaderEpoch: this.state.epoch },
              size: 0,
              position: 0,
              unalignedRecords: Buffer.alloc(0),
              ...extra,
            },
          ],
        },
      ],
    });
    if (this.clusterMismatch(body)) return reply(errorCode('INCONSISTENT_CLUSTER_ID'), 0);
    const t = body.topics?.[0];
    const p = t?.partitions?.[0];
    if (!p || t.name !== METADATA_TOPIC || p.partition !== 0) return reply(0, errorCode('UNKNOWN_TOPIC_OR_PARTITION'));
    if (p.currentLeaderEpoch < this.state.epoch) return reply(0, errorCode('FENCED_LEADER_EPOCH'));
    if (p.currentLeaderEpoch > this.state.epoch) return reply(0, errorCode('UNKNOWN_LEADER_EPOCH'));
    if (this.state.kind !== 'leader') return reply(0, errorCode('NOT_LEADER_OR_FOLLOWER'));
    const bytes = this.snapshots?.read(p.snapshotId);
    if (!bytes) return reply(0, errorCode('SNAPSHOT_NOT_FOUND'));
    if (p.position < 0 || p.position > bytes.length) return reply(0, errorCode('POSITION_OUT_OF_RANGE'));
    const max = Math.max(1, Math.min(body.maxBytes ?? 1024 * 1024, 1024 * 1024));
    return reply(0, 0, {
      snapshotId: p.snapshotId,
      size: bytes.length,
      position: p.position,
      unalignedRecords: bytes.subarray(p.position, p.position + max),
    });
  }

  handleDescribeQuorum(): object {
    const s = this.state;
    const partition = (extra: object) => ({
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              errorMessage: null,
              leaderId: this.leaderId,
              leaderEpoch: s.epoch,
              highWatermark: this.hw,
              currentVoters: [],
              observers: [],
              ...extra,
            },
          ],
        },
      ],
    });
    if (s.kind !== 'leader') {
      return {
        errorCode: 0,
        errorMessage: null,
        ...partition({
          errorCode: errorCode('NOT_LEADER_OR_FOLLOWER'),
          errorMessage: `node ${this.nodeId} is not the leader of the metadata quorum`,
        }),
        nodes: [],
      };
    }
    this.leaderProgress(s);
    const row = ([replicaId, r]: [number, ReplicaState]) => ({
      replicaId,
      logEndOffset: r.endOffset,
      lastFetchTimestamp: r.lastFetchMs,
      lastCaughtUpTimestamp: r.lastCaughtUpMs,
    });
    return {
      errorCode: 0,
      errorMessage: null,
      ...partition({ currentVoters: [...s.replicas].map(row), observers: [...this.observers].map(row) }),
      nodes: [],
    };
  }
}
