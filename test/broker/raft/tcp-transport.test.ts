// The Raft RPC transport over real sockets: a peer that accepts but never answers costs one request
// timeout, not a hung election; a refused peer fails at once; a live controller listener answers.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startSilentServer } from '../../helpers/secure-proxy.js';
import { freePort } from '../../cli/helpers.js';
import { TcpRaftTransport } from '../../../src/broker/raft/tcp-transport.js';
import { BrokerServer } from '../../../src/broker/server/server.js';
import { createControllerDispatcher } from '../../../src/broker/raft/controller.js';
import { BrokerRegistry } from '../../../src/broker/raft/broker-registry.js';
import { TopicControl } from '../../../src/broker/raft/topic-control.js';
import { MetadataImage } from '../../../src/broker/raft/metadata-image.js';
import { MemoryLogStore, RaftLog } from '../../../src/broker/raft/raft-log.js';
import { MemoryQuorumStateStore } from '../../../src/broker/raft/quorum-state-store.js';
import { RaftNode } from '../../../src/broker/raft/raft-node.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const describeQuorum = { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] };

describe('Raft transport over TCP', () => {
  test('silent peer: rejected after the request timeout; refused peer: rejected at once; live peer: answered', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const refused = await freePort();
    // A real single-voter controller listener.
    const image = new MetadataImage();
    const raft = new RaftNode({
      nodeId: 1,
      voters: [1],
      clusterId: 'c',
      log: new RaftLog(new MemoryLogStore()),
      stateStore: new MemoryQuorumStateStore(),
      transport: { send: () => Promise.reject(new Error('unused')) },
    });
    raft.start();
    const registry = new BrokerRegistry({ raft, image, clusterId: 'c' });
    cleanups.push(() => registry.stop());
    const server = new BrokerServer({
      listeners: [{ name: 'CONTROLLER', protocol: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
      maxFrameBytes: 1 << 20,
      maxConnections: 100,
      maxConnectionsPerIp: 100,
      idleTimeoutMs: 0,
      handle: createControllerDispatcher(raft, registry, new TopicControl({ raft, image })),
      log: () => {},
    });
    const [bound] = await server.listen();
    cleanups.push(() => server.close(0));
    const transport = new TcpRaftTransport({
      nodeId: 9,
      requestTimeoutMs: 300,
      peers: [
        { id: 1, host: '127.0.0.1', port: bound!.boundPort },
        { id: 2, host: '127.0.0.1', port: silent.port },
        { id: 3, host: '127.0.0.1', port: refused },
      ],
    });
    cleanups.push(() => transport.close());

    let t = Date.now();
    await assert.rejects(transport.send(2, 55, describeQuorum), /timed out/);
    const waited = Date.now() - t;
    assert.ok(waited >= 280 && waited < 2000, `${waited} ms`);
    t = Date.now();
    await assert.rejects(transport.send(3, 55, describeQuorum), /ECONNREFUSED/);
    assert.ok(Date.now() - t < 280);
    const res = await transport.send(1, 55, describeQuorum);
    assert.equal(res.topics[0].partitions[0].leaderId, 1);
    // The silent peer's connection was dropped with its timeout; asking again opens a new one and times out again.
    await assert.rejects(transport.send(2, 55, describeQuorum), /timed out/);
    await raft.close();
  });
});
