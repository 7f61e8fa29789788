// Producer ids on a cluster come in blocks from the active controller (AllocateProducerIds,
// ProducerIdsRecord in the metadata log): every broker hands out different ids, and after the
// controller is killed, its successor never hands out a block again.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ClusterClient } from '../../src/client/cluster.js';
import { sandbox } from '../cli/helpers.js';
import { startCluster, waitFor, type Cluster } from '../helpers/cluster.js';

const INIT_PRODUCER_ID = 22;
const box = sandbox('ktool-producer-ids-');
let cluster: Cluster | undefined;
after(async () => {
  await cluster?.stop();
  box.cleanup();
});

/** One idempotent producer id from the broker on `port`, retrying while it waits for a block. */
async function initProducerId(port: number): Promise<number> {
  return waitFor(`a producer id from :${port}`, async () => {
    const client = await ClusterClient.connect({ bootstrap: [`127.0.0.1:${port}`] });
    try {
      const res = await client.send(INIT_PRODUCER_ID, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      });
      return res.errorCode === 0 ? Number(res.producerId) : undefined;
    } finally {
      await client.close();
    }
  });
}

describe('producer ids across a cluster', { timeout: 180_000 }, () => {
  test('every broker hands out its own ids, and a new controller never repeats a block', async () => {
    cluster = await startCluster({ dir: box.dir });
    const c = cluster;
    const seen = new Set<number>();
    const take = async (port: number) => {
      const id = await initProducerId(port);
      assert.ok(!seen.has(id), `producer id ${id} handed out twice`);
      seen.add(id);
      return id;
    };
    const firstIds = new Map<number, number>();
    for (const n of c.nodes) for (let i = 0; i < 5; i++) firstIds.set(n.id, await take(n.port));
    // Each broker took its own block of 1000.
    const blocks = new Set([...firstIds.values()].map((id) => Math.floor(id / 1000)));
    assert.equal(blocks.size, 3);

    // Kill the active controller; the others keep allocating after it without overlap.
    const quorum = await waitFor('the active controller', async () => {
      const client = await ClusterClient.connect({ bootstrap: [`127.0.0.1:${c.nodes[0]!.port}`] });
      try {
        const md = await client.refreshMetadata([]);
        return md.controllerId >= 0 ? md.controllerId : undefined;
      } finally {
        await client.close();
      }
    });
    const victim = c.nodes.find((n) => n.id === quorum) ?? c.nodes[0]!;
    const maxBefore = Math.max(...seen);
    await victim.kill('SIGKILL');
    await victim.restart();
    // The restarted broker's block is gone with its memory: it must get a fresh one.
    const fresh = await take(victim.port);
    assert.ok(fresh > maxBefore, `the restarted broker's id ${fresh} is above every earlier one (${maxBefore})`);
    for (const n of c.nodes) if (n !== victim) await take(n.port);
    assert.equal(seen.size, 15 + 1 + 2);
  });
});
