// DescribeQuorum on a KRaft broker's own listeners (kafka-metadata-quorum.sh --bootstrap-server): Kafka
// brokers pass it on to the active controller. A combined node that leads answers itself; otherwise
// the leader it knows of (or each voter in turn) answers over the controller listener.
import { ErrorCode } from '../../protocol/errors.js';
import type { MessageBody } from '../../protocol/types.js';
import type { ApiHandler } from '../handlers/handler.js';
import { API, METADATA_TOPIC, type RaftNode, type RaftTransport } from './raft-node.js';

export interface QuorumAccess {
  raft: RaftNode;
  transport: RaftTransport;
  /** Each voter's controller listener, for the response's nodes (v2). */
  voterNodes: Array<{ nodeId: number; listeners: Array<{ name: string; host: string; port: number }> }>;
}

/** DescribeQuorum v2 lists the voters' endpoints; the quorum itself does not know them. */
function withNodes(res: MessageBody, q: QuorumAccess): MessageBody {
  return Array.isArray(res.nodes) && res.nodes.length > 0 ? res : { ...res, nodes: q.voterNodes };
}

export function describeQuorumHandler(access: () => QuorumAccess | undefined): ApiHandler {
  return {
    apiKey: API.DescribeQuorum,
    name: 'DescribeQuorum',
    minVersion: 0,
    maxVersion: 2,
    async handle() {
      const q = access();
      const unavailable = (message: string) => ({
        errorCode: 0,
        errorMessage: null,
        topics: [
          {
            topicName: METADATA_TOPIC,
            partitions: [
              {
                partitionIndex: 0,
                errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
                errorMessage: message,
                leaderId: -1,
                leaderEpoch: -1,
                highWatermark: -1,
                currentVoters: [],
                observers: [],
              },
            ],
          },
        ],
        nodes: [],
      });
      if (!q) return unavailable('the metadata quorum is not running on this node yet');
      if (q.raft.role === 'leader') return withNodes(q.raft.handleDescribeQuorum() as MessageBody, q);
      const request = { topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0 }] }] };
      const candidates = [q.raft.leaderId, ...q.raft.voters].filter(
        (id, i, all) => id >= 0 && all.indexOf(id) === i && id !== q.raft.nodeId,
      );
      for (const id of candidates) {
        try {
          const res: MessageBody = await q.transport.send(id, API.DescribeQuorum, request);
          if (res.topics?.[0]?.partitions?.[0]?.errorCode === 0) return withNodes(res, q);
        } catch {
          // That voter is unreachable: ask the next.
        }
      }
      return unavailable('no voter of the metadata quorum answered as its leader');
    },
  };
}
