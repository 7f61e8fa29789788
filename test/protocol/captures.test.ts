// Golden fixtures: frames captured between five real clients and Apache Kafka 2.4.1
// (test/fixtures/captures, see the README next to the source captures). Each frame
// must decode and re-encode to exactly the captured bytes, and a few decoded values
// are checked against what the scenario is known to contain, so that a bug shared
// by the encoder and the decoder cannot hide.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ErrorCode,
  concatChunks,
  decodeData,
  decodeRequest,
  decodeRequestHeader,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../src/protocol/index.js';
import type { MessageBody } from '../../src/protocol/index.js';

interface Capture {
  scenario: string;
  conn: number;
  seq: number;
  apiKey: number;
  apiName: string;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  request: string;
  response: string | null;
  truncated?: boolean;
}

const CAPTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'captures');
const files = readdirSync(CAPTURE_DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();
const load = (file: string): Capture[] =>
  readFileSync(join(CAPTURE_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Capture);
const all = files.flatMap((f) => load(f).map((c) => ({ ...c, file: f })));

function withSizePrefix(frame: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return Buffer.concat([size, frame]);
}

function decodeCapturedRequest(c: Capture): MessageBody {
  const frame = Buffer.from(c.request, 'hex');
  const header = decodeRequestHeader(frame);
  return decodeRequest(header.apiKey, header.apiVersion, frame, header.bodyOffset);
}

function decodeCapturedResponse(c: Capture): MessageBody {
  return decodeResponseFrame(c.apiKey, c.apiVersion, Buffer.from(c.response!, 'hex')).body;
}

test('all five clients are present', () => {
  assert.deepEqual(files, ['confluent-kafka.jsonl', 'java.jsonl', 'kafka-python.jsonl', 'kafkajs.jsonl', 'kcat.jsonl']);
  assert.ok(all.length > 250);
});

for (const file of files) {
  describe(`byte-exact round trip: ${file}`, () => {
    for (const c of load(file)) {
      if (c.truncated) continue; // only a prefix of the frame was kept
      const label = `${c.scenario} conn ${c.conn} #${c.seq} ${c.apiName} v${c.apiVersion}`;
      test(label, () => {
        const request = Buffer.from(c.request, 'hex');
        const header = decodeRequestHeader(request);
        assert.equal(header.apiKey, c.apiKey);
        assert.equal(header.apiVersion, c.apiVersion);
        assert.equal(header.correlationId, c.correlationId);
        assert.equal(header.clientId, c.clientId);
        const body = decodeRequest(header.apiKey, header.apiVersion, request, header.bodyOffset);
        const reencoded = concatChunks(
          encodeRequestFrame(header.apiKey, header.apiVersion, header.correlationId, header.clientId, body),
        );
        assert.equal(reencoded.toString('hex'), withSizePrefix(request).toString('hex'), 'request bytes');

        if (c.response === null) return; // connection closed before the broker answered
        const response = Buffer.from(c.response, 'hex');
        const decoded = decodeResponseFrame(c.apiKey, c.apiVersion, response);
        assert.equal(decoded.correlationId, c.correlationId);
        const out = concatChunks(encodeResponseFrame(c.apiKey, c.apiVersion, decoded.correlationId, decoded.body));
        assert.equal(out.toString('hex'), withSizePrefix(response).toString('hex'), 'response bytes');
      });
    }
  });
}

describe('decoded values match the scenarios', () => {
  const find = (pred: (c: Capture & { file: string }) => boolean) => {
    const hit = all.find(pred);
    assert.ok(hit, 'capture present');
    return hit;
  };

  test('ApiVersions: the 2.4.1 broker advertises keys 0-47, Produce up to v8', () => {
    for (const version of [0, 2, 3]) {
      const body = decodeCapturedResponse(find((c) => c.apiKey === 18 && c.apiVersion === version));
      assert.equal(body.errorCode, ErrorCode.NONE);
      assert.equal(body.apiKeys.length, 48);
      assert.deepEqual(body.apiKeys[0], { apiKey: 0, minVersion: 0, maxVersion: 8 });
      assert.deepEqual(body.apiKeys[47], { apiKey: 47, minVersion: 0, maxVersion: 0 });
      // Tagged fields newer than 2.4.1 come back as their defaults.
      assert.equal(body.finalizedFeaturesEpoch, -1);
      assert.deepEqual(body.supportedFeatures, []);
    }
  });

  test('ApiVersions v3 request carries the client software name', () => {
    const body = decodeCapturedRequest(find((c) => c.file === 'java.jsonl' && c.apiKey === 18 && c.apiVersion === 3));
    assert.equal(body.clientSoftwareName, 'apache-kafka-java');
    assert.equal(body.clientSoftwareVersion, '2.4.1');
  });

  test('Metadata lists the advertised broker 127.0.0.1:19094', () => {
    for (const version of [0, 1, 4, 5, 6, 9]) {
      const body = decodeCapturedResponse(
        find((c) => c.apiKey === 3 && c.apiVersion === version && c.response !== null),
      );
      assert.deepEqual(
        body.brokers.map((b: MessageBody) => [b.nodeId, b.host, b.port]),
        [[0, '127.0.0.1', 19094]],
        `v${version}`,
      );
    }
  });

  test('Metadata for a topic being auto-created answers LEADER_NOT_AVAILABLE', () => {
    const hit = all.find(
      (c) =>
        c.apiKey === 3 &&
        c.response !== null &&
        c.scenario.includes('produce-none') &&
        decodeCapturedResponse(c).topics.some((t: MessageBody) => t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE),
    );
    assert.ok(hit, 'kcat produce-none saw LEADER_NOT_AVAILABLE');
  });

  test('the first JoinGroup is answered MEMBER_ID_REQUIRED with a member id', () => {
    for (const [file, version] of [
      ['kcat.jsonl', 5],
      ['kafkajs.jsonl', 5],
      ['java.jsonl', 6],
    ] as const) {
      const body = decodeCapturedResponse(find((c) => c.file === file && c.apiKey === 11 && c.apiVersion === version));
      assert.equal(body.errorCode, ErrorCode.MEMBER_ID_REQUIRED, file);
      assert.ok(body.memberId.length > 0, file);
    }
  });

  test('JoinGroup protocol metadata holds a ConsumerProtocolSubscription', () => {
    const body = decodeCapturedRequest(find((c) => c.file === 'java.jsonl' && c.apiKey === 11));
    assert.equal(body.protocolType, 'consumer');
    const metadata: Buffer = body.protocols[0].metadata;
    const version = metadata.readInt16BE(0);
    const subscription = decodeData('ConsumerProtocolSubscription', version, metadata, 2);
    assert.deepEqual(subscription.topics, ['java.topic']);
  });

  test('SyncGroup leader assignment holds a ConsumerProtocolAssignment', () => {
    const body = decodeCapturedResponse(find((c) => c.file === 'java.jsonl' && c.apiKey === 14));
    const assignment: Buffer = body.assignment;
    const decoded = decodeData('ConsumerProtocolAssignment', assignment.readInt16BE(0), assignment, 2);
    assert.equal(decoded.assignedPartitions[0].topic, 'java.topic');
    assert.deepEqual([...decoded.assignedPartitions[0].partitions].sort(), [0, 1, 2]);
  });

  test('Produce v7 carries a record batch v2 view of the frame', () => {
    const c = find((x) => x.file === 'kcat.jsonl' && x.apiKey === 0);
    const records: Buffer = decodeCapturedRequest(c).topicData[0].partitionData[0].records;
    assert.equal(records.readInt8(16), 2, 'magic byte of a v2 batch');
    assert.equal(records.readInt32BE(8), records.length - 12, 'batch length covers the rest');
  });

  test('Fetch v11 responses carry records and default tagged fields', () => {
    const c = find(
      (x) =>
        x.file === 'kcat.jsonl' &&
        x.apiKey === 1 &&
        x.response !== null &&
        decodeCapturedResponse(x).responses.some((t: MessageBody) =>
          t.partitions.some((p: MessageBody) => p.records?.length > 0),
        ),
    );
    const partition = decodeCapturedResponse(c).responses[0].partitions[0];
    assert.equal(partition.errorCode, 0);
    assert.ok(partition.highWatermark > 0);
    assert.deepEqual(partition.currentLeader, { leaderId: -1, leaderEpoch: -1 });
  });

  test('CreateTopics from Java (v5, flexible) names the topic and its config', () => {
    const body = decodeCapturedRequest(find((c) => c.file === 'java.jsonl' && c.apiKey === 19));
    assert.equal(body.topics[0].name, 'java.topic');
    assert.equal(body.topics[0].numPartitions, 3);
    assert.deepEqual(body.topics[0].configs, [{ name: 'retention.ms', value: '86400000' }]);
  });
});
