// The metadata log on disk: Kafka's record batches in a segment file, reloaded after a restart,
// a torn tail dropped, truncation made durable; the election state kept beside it.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FileLogStore, RaftLog } from '../../../src/broker/raft/raft-log.js';
import { FileQuorumStateStore } from '../../../src/broker/raft/quorum-state-store.js';
import { decodeBatches, encodeRecordBatch } from '../../../src/protocol/record-batch.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../../src/protocol/log-records.js';

const dir = mkdtempSync(join(tmpdir(), 'ktool-raft-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const batch = (baseOffset: number, epoch: number, names: string[]) =>
  encodeRecordBatch({
    baseOffset,
    partitionLeaderEpoch: epoch,
    now: 1,
    records: names.map((name) => ({
      value: encodeMetadataRecord('RegisterBrokerRecord', 0, {
        brokerId: Number(name),
        brokerEpoch: 7,
        incarnationId: 'AAAAAAAAAAAAAAAAAAAAAw',
        endPoints: [],
        features: [],
        rack: null,
      }),
    })),
  });

describe('metadata log on disk', () => {
  test('batches survive a reopen; a torn tail is cut; truncation is durable; epochs answer divergence', () => {
    const logDir = join(dir, '__cluster_metadata-0');
    const log = new RaftLog(new FileLogStore(logDir));
    log.append(batch(0, 1, ['1', '2']));
    log.append(batch(2, 1, ['3']));
    log.append(batch(3, 4, ['4']));
    assert.equal(log.endOffset, 4);
    assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 1, offset: 3 });
    assert.deepEqual(log.endOffsetForEpoch(3), { epoch: 1, offset: 3 });
    assert.deepEqual(log.endOffsetForEpoch(4), { epoch: 4, offset: 4 });
    assert.throws(() => log.append(batch(9, 4, ['x'])), /does not continue the log at 4/);
    log.close();
    const file = join(logDir, '00000000000000000000.log');
    const whole = statSync(file).size;
    appendFileSync(file, batch(4, 4, ['5']).subarray(0, 30)); // a crash mid-append

    const reopened = new RaftLog(new FileLogStore(logDir));
    assert.equal(reopened.endOffset, 4);
    assert.equal(statSync(file).size, whole, 'the torn tail is gone from the file');
    const records = decodeBatches(reopened.read(0, 1 << 20)).flatMap((b) =>
      b.records.map((r) => decodeMetadataRecord(r.value!)),
    );
    assert.deepEqual(
      records.map((r) => [r.name, r.body.brokerId]),
      [
        ['RegisterBrokerRecord', 1],
        ['RegisterBrokerRecord', 2],
        ['RegisterBrokerRecord', 3],
        ['RegisterBrokerRecord', 4],
      ],
    );
    reopened.truncateTo(2);
    reopened.close();
    const third = new RaftLog(new FileLogStore(logDir));
    assert.equal(third.endOffset, 2);
    assert.equal(third.lastEpoch, 1);
    third.close();
  });

  test("the quorum-state file holds the epoch and the vote, in Kafka's field names", () => {
    const store = FileQuorumStateStore.inDir(dir);
    assert.equal(store.read(), null);
    store.write({ epoch: 3, leaderId: -1, votedId: 2 });
    assert.deepEqual(new FileQuorumStateStore(join(dir, 'quorum-state')).read(), {
      epoch: 3,
      leaderId: -1,
      votedId: 2,
    });
    const json = JSON.parse(readFileSync(join(dir, 'quorum-state'), 'utf8'));
    assert.equal(json.leaderEpoch, 3);
    assert.equal(json.votedId, 2);
  });
});
