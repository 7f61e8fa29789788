import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeCoordinatorRecord,
  decodeMetadataRecord,
  encodeCoordinatorRecord,
  encodeMetadataRecord,
} from '../../src/protocol/log-records.js';

describe('log records', () => {
  test('a TopicRecord is framed as Kafka frames it: frame version 0, type 2, version 0', () => {
    const buf = encodeMetadataRecord('TopicRecord', 0, { name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' });
    assert.deepEqual([...buf.subarray(0, 3)], [0, 2, 0]);
    // compact string "orders": length+1 = 7, then the bytes
    assert.equal(buf[3], 7);
    assert.equal(buf.subarray(4, 10).toString(), 'orders');
    const back = decodeMetadataRecord(buf);
    assert.equal(back.name, 'TopicRecord');
    assert.equal(back.body.name, 'orders');
    assert.equal(back.body.topicId, 'AAAAAAAAAAAAAAAAAAAAAQ');
  });

  test('PartitionRecord round-trips replicas, ISR and leader epoch', () => {
    const body = {
      partitionId: 3,
      topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
      replicas: [1, 2, 3],
      isr: [1, 2],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderRecoveryState: 0,
      leaderEpoch: 7,
      partitionEpoch: 9,
      directories: [],
      eligibleLeaderReplicas: null,
      lastKnownElr: null,
    };
    const back = decodeMetadataRecord(encodeMetadataRecord('PartitionRecord', 0, body));
    assert.deepEqual(back.body.replicas, [1, 2, 3]);
    assert.deepEqual(back.body.isr, [1, 2]);
    assert.equal(back.body.leaderEpoch, 7);
  });

  test('coordinator records carry an int16 version before the body', () => {
    const key = encodeCoordinatorRecord('OffsetCommitKey', 1, { group: 'g', topic: 't', partition: 4 });
    assert.equal(key.readInt16BE(0), 1);
    assert.deepEqual(decodeCoordinatorRecord('OffsetCommitKey', key).body, { group: 'g', topic: 't', partition: 4 });
    const txn = encodeCoordinatorRecord('TransactionLogKey', 0, { transactionalId: 'tx-1' });
    assert.equal(decodeCoordinatorRecord('TransactionLogKey', txn).body.transactionalId, 'tx-1');
  });

  test('an unknown record type is a ProtocolError, not a crash', () => {
    assert.throws(() => decodeMetadataRecord(Buffer.from([0, 120, 0])), /unknown metadata record/);
    assert.throws(() => decodeMetadataRecord(Buffer.from([1, 2, 0])), /frame version/);
  });
});
