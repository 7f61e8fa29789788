// The controller's reassignment arithmetic and the tool's placement, without a cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetadataImage, type PartitionImage } from '../../../src/broker/raft/metadata-image.js';
import { completion, planReassignment } from '../../../src/broker/raft/reassignment.js';
import { parseReassignment, proposeAssignment, ReassignError } from '../../../src/ops/reassign-partitions.js';

function imageWith(brokers: number[], fenced: number[] = []): MetadataImage {
  const image = new MetadataImage();
  for (const id of brokers)
    image.brokers.set(id, { id, epoch: 1, incarnationId: 'x', endpoints: [], rack: null, fenced: fenced.includes(id) });
  return image;
}

const part = (
  replicas: number[],
  isr: number[],
  leader: number,
  extra: Partial<PartitionImage> = {},
): PartitionImage => ({
  replicas,
  isr,
  leader,
  leaderEpoch: 0,
  partitionEpoch: 0,
  ...extra,
});

test('a move widens the replicas to target then current, adding and removing', () => {
  const plan = planReassignment(imageWith([1, 2, 3, 4]), part([1, 2], [1, 2], 1), [3, 4]);
  assert.deepEqual(plan, {
    error: 'NONE',
    change: { replicas: [3, 4, 1, 2], isr: [1, 2], adding: [3, 4], removing: [1, 2] },
  });
});

test('it completes once the ISR holds every adding replica; leadership leaves a removed leader', () => {
  const moving = part([3, 4, 1, 2], [1, 2, 3], 1, { adding: [3, 4], removing: [1, 2] });
  assert.equal(completion(moving, [1, 2, 3]), null);
  assert.deepEqual(completion(moving, [1, 2, 3, 4]), {
    replicas: [3, 4],
    isr: [3, 4],
    adding: [],
    removing: [],
    leader: 3,
  });
});

test('shrinking within the ISR completes at once; a cancel reverts; errors are Kafka’s', () => {
  const image = imageWith([1, 2, 3]);
  assert.deepEqual(planReassignment(image, part([1, 2, 3], [1, 2, 3], 2), [1, 3]), {
    error: 'NONE',
    change: { replicas: [1, 3], isr: [1, 3], adding: [], removing: [], leader: 1 },
  });
  const moving = part([1, 3], [1], 1, { adding: [3], removing: [] });
  assert.deepEqual(planReassignment(image, moving, null), {
    error: 'NONE',
    change: { replicas: [1], adding: [], removing: [], isr: [1] },
  });
  assert.equal(planReassignment(image, part([1], [1], 1), null).error, 'NO_REASSIGNMENT_IN_PROGRESS');
  assert.deepEqual(planReassignment(image, part([1], [1], 1), [1, 9]), {
    error: 'INVALID_REPLICA_ASSIGNMENT',
    message: 'The manual partition assignment includes broker 9, but no such broker is registered.',
  });
  assert.equal(planReassignment(image, part([1], [1], 1), [2, 2]).error, 'INVALID_REPLICA_ASSIGNMENT');
});

test('--generate places replicas as Kafka does from the first broker; bad files fail with Kafka’s words', () => {
  const current = [0, 1, 2, 3].map((partition) => ({ topic: 't', partition, replicas: [9, 8] }));
  assert.deepEqual(
    proposeAssignment(current, [3, 1, 2]).map((p) => p.replicas),
    [
      [1, 2],
      [2, 3],
      [3, 1],
      [1, 3],
    ],
  );
  assert.throws(() => proposeAssignment(current, [1]), /Replication factor: 2 larger than available brokers: 1\./);
  assert.throws(
    () => parseReassignment('{x'),
    (e: unknown) => e instanceof ReassignError && e.message === 'The input string is not a valid JSON',
  );
  assert.throws(
    () => parseReassignment('{"version":1,"partitions":[]}'),
    /Partition reassignment list cannot be empty/,
  );
  assert.throws(
    () => parseReassignment('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}'),
    /Partition replica lists may not contain duplicate entries: t-0 contains multiple entries for 1/,
  );
});
