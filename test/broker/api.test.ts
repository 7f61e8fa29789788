// The broker's APIs over TCP, request by request, with the bytes Kafka's clients send.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HANDLERS } from '../../src/broker/handlers/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { concatChunks } from '../../src/protocol/index.js';
import { decodeRecords, encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire.js';

const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  IncrementalAlterConfigs: 44,
  DescribeCluster: 60,
} as const;

function batch(
  values: string[],
  opts: { timestamp?: number; producerId?: number; baseSequence?: number } = {},
): Buffer {
  return encodeRecordBatch({
    records: values.map((v, i) => ({
      key: `k-${v}`,
      value: v,
      timestamp: opts.timestamp === undefined ? undefined : opts.timestamp + i,
    })),
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerId === undefined ? -1 : 0,
    baseSequence: opts.baseSequence ?? -1,
  });
}

async function createTopic(c: WireClient, name: string, partitions = 1, configs: Record<string, string> = {}) {
  const r = await c.request(API.CreateTopics, 7, {
    topics: [
      {
        name,
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assert.equal(r.topics[0].errorCode, 0, r.topics[0].errorMessage);
  return r.topics[0];
}

async function produce(c: WireClient, topic: string, partition: number, records: Buffer, acks = -1, version = 9) {
  const r = await c.request(API.Produce, version, {
    transactionalId: null,
    acks,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return r.responses[0].partitionResponses[0];
}

function fetchBody(
  topic: string,
  partition: number,
  fetchOffset: number,
  o: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number } = {},
) {
  return {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? 52428800,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset,
            logStartOffset: -1,
            partitionMaxBytes: o.partitionMaxBytes ?? 1048576,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

function recordsOf(p: { records: Buffer | null }): string[] {
  return p.records ? decodeRecords(p.records).map((r) => r.value!.toString()) : [];
}

describe('broker APIs over TCP', () => {
  let broker: TestBroker;
  let c: WireClient;
  before(async () => {
    broker = await startTestBroker({ 'log.segment.bytes': '2048' });
    c = await WireClient.open(broker.port);
  });
  after(async () => {
    c?.close();
    await broker?.destroy();
  });

  test('ApiVersions advertises exactly the handler registry', async () => {
    const r = await c.request(API.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    assert.equal(r.errorCode, 0);
    const expected = [...HANDLERS]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
    assert.deepEqual(r.apiKeys, expected);
  });

  test('an unsupported ApiVersions version gets UNSUPPORTED_VERSION in v0 form', async () => {
    // Header v2 (ApiVersions v3+ is flexible): null client id, then an empty tag section.
    const raw = Buffer.alloc(4 + 2 + 2 + 4 + 2 + 1);
    raw.writeInt32BE(11, 0);
    raw.writeInt16BE(18, 4);
    raw.writeInt16BE(99, 6);
    raw.writeInt32BE(77, 8);
    raw.writeInt16BE(-1, 12);
    const w = await WireClient.open(broker.port);
    const frame = await new Promise<Buffer>((resolve, reject) => {
      setTimeout(() => reject(new Error('no answer')), 5000);
      const chunks: Buffer[] = [];

      (w as any).socket.on('data', (d: Buffer) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        if (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) resolve(all.subarray(4));
      });
      w.writeRaw(raw);
    });
    w.close();
    assert.equal(frame.readInt32BE(0), 77);
    assert.equal(frame.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION);
    assert.equal(frame.readInt32BE(6), HANDLERS.length);
  });

  test('an unsupported version of another API closes the connection', async () => {
    // Every Produce version the codec knows (0-11) is served, so send Produce v12 by hand:
    // header v2 (apiKey, version, correlation id, client id, empty tag section) and a body
    // the broker never gets to read.
    const w = await WireClient.open(broker.port);
    const raw = Buffer.alloc(4 + 2 + 2 + 4 + 2 + 1 + 4);
    raw.writeInt32BE(raw.length - 4, 0);
    raw.writeInt16BE(API.Produce, 4);
    raw.writeInt16BE(12, 6);
    raw.writeInt32BE(5, 8);
    raw.writeInt16BE(-1, 12);
    w.writeRaw(raw);
    await w.waitClosed();
    // ...while a served version on another connection is answered.
    const ok = await c.request(API.Produce, 2, { acks: 1, timeoutMs: 1000, topicData: [] });
    assert.deepEqual(ok.responses, []);
  });

  test('CreateTopics validates like Kafka and honours validateOnly', async () => {
    const r = await c.request(API.CreateTopics, 7, {
      topics: [
        { name: 'ok.validate', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'bad name', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'zero', numPartitions: 0, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'rf3', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] },
        {
          name: 'badcfg',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'retention.ms', value: 'soon' }],
        },
        { name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 1000,
      validateOnly: true,
    });
    const by = Object.fromEntries(
      r.topics.map((t: { name: string; errorCode: number; errorMessage: string }) => [
        t.name.slice(0, 20),
        [t.errorCode, t.errorMessage],
      ]),
    );
    assert.deepEqual(by['ok.validate'], [0, null]);
    assert.deepEqual(by['bad name'], [
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      "Topic name \"bad name\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
    ]);
    assert.deepEqual(by.zero, [
      ErrorCode.INVALID_PARTITIONS,
      'Number of partitions was set to an invalid non-positive value.',
    ]);
    assert.deepEqual(by.rf3, [
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
    ]);
    assert.deepEqual(by.badcfg, [
      ErrorCode.INVALID_CONFIG,
      'Invalid value soon for configuration retention.ms: Not a number of type LONG',
    ]);
    assert.equal(by['x'.repeat(20)][0], ErrorCode.INVALID_TOPIC_EXCEPTION);
    assert.equal(broker.broker.topic('ok.validate'), undefined, 'validateOnly must not create');
    const created = await createTopic(c, 'api.created', 2, { 'cleanup.policy': 'compact' });
    assert.equal(created.numPartitions, 2);
    assert.equal(created.topicId.length, 22);
    assert.equal(created.configs.find((x: { name: string }) => x.name === 'cleanup.policy').value, 'compact');
    const dup = await c.request(API.CreateTopics, 7, {
      topics: [{ name: 'api.created', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    assert.deepEqual(
      [dup.topics[0].errorCode, dup.topics[0].errorMessage],
      [ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'api.created' already exists."],
    );
  });

  test('Metadata lists topics with ids, auto-creates like Kafka, and finds topics by id', async () => {
    const all = await c.request(API.Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(all.clusterId, broker.clusterId);
    assert.equal(all.controllerId, 0);
    assert.deepEqual(all.brokers, [{ nodeId: 0, host: '127.0.0.1', port: broker.port, rack: null }]);
    const t = all.topics.find((x: { name: string }) => x.name === 'api.created');
    assert.equal(t.partitions.length, 2);
    assert.deepEqual(t.partitions[1], {
      errorCode: 0,
      partitionIndex: 1,
      leaderId: 0,
      leaderEpoch: 0,
      replicaNodes: [0],
      isrNodes: [0],
      offlineReplicas: [],
    });
    const byId = await c.request(API.Metadata, 12, {
      topics: [{ topicId: t.topicId, name: null }],
      allowAutoTopicCreation: false,
    });
    assert.equal(byId.topics[0].name, 'api.created');
    const first = await c.request(API.Metadata, 4, { topics: [{ name: 'auto.made' }], allowAutoTopicCreation: true });
    assert.equal(first.topics[0].errorCode, ErrorCode.LEADER_NOT_AVAILABLE);
    const second = await c.request(API.Metadata, 4, { topics: [{ name: 'auto.made' }], allowAutoTopicCreation: true });
    assert.equal(second.topics[0].errorCode, 0);
    assert.equal(second.topics[0].partitions.length, 1);
    const missing = await c.request(API.Metadata, 4, { topics: [{ name: 'not.made' }], allowAutoTopicCreation: false });
    assert.equal(missing.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const v0 = await c.request(API.Metadata, 0, { topics: [] });
    assert.ok(v0.topics.some((x: { name: string }) => x.name === 'api.created'));
  });

  test('Produce assigns offsets, checks CRCs, sizes and acks', async () => {
    await createTopic(c, 'api.produce', 1, { 'max.message.bytes': '500' });
    const r1 = await produce(c, 'api.produce', 0, batch(['a', 'b', 'c']), 1);
    assert.deepEqual([r1.errorCode, r1.baseOffset, r1.logStartOffset], [0, 0, 0]);
    const r2 = await produce(c, 'api.produce', 0, batch(['d']), -1, 3);
    assert.deepEqual([r2.errorCode, r2.baseOffset], [0, 3]);
    const corrupt = batch(['e']);
    corrupt[corrupt.length - 1] ^= 0xff;
    const r3 = await produce(c, 'api.produce', 0, corrupt);
    assert.equal(r3.errorCode, ErrorCode.CORRUPT_MESSAGE);
    const big = await produce(c, 'api.produce', 0, batch(['x'.repeat(600)]));
    assert.equal(big.errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert.match(big.errorMessage, /max\.message\.bytes \(500\)/);
    const badAcks = await produce(c, 'api.produce', 0, batch(['f']), 2);
    assert.equal(badAcks.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
    const unknown = await produce(c, 'api.nope', 0, batch(['f']));
    assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // acks=0: no response; the next request on the connection is still answered in order.
    const w = await WireClient.open(broker.port);
    for (const chunk of (await import('../../src/protocol/index.js')).encodeRequestFrame(API.Produce, 9, 99, 't', {
      transactionalId: null,
      acks: 0,
      timeoutMs: 1000,
      topicData: [{ name: 'api.produce', partitionData: [{ index: 0, records: batch(['g']) }] }],
    }))
      w.writeRaw(chunk);
    const md = await w.request(API.Metadata, 1, { topics: [{ name: 'api.produce' }] });
    assert.equal(md.topics[0].errorCode, 0);
    w.close();
    assert.equal(broker.broker.topic('api.produce')!.partitions[0].log.logEndOffset, 5);
  });

  test('Fetch serves stored batches, honours byte limits and range', async () => {
    await createTopic(c, 'api.fetch');
    for (let i = 0; i < 10; i++) await produce(c, 'api.fetch', 0, batch([`m${i}`]));
    const all = await c.request(API.Fetch, 11, fetchBody('api.fetch', 0, 0));
    const p = all.responses[0].partitions[0];
    assert.deepEqual([p.errorCode, p.highWatermark, p.lastStableOffset, p.logStartOffset], [0, 10, 10, 0]);
    assert.deepEqual(recordsOf(p), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    const mid = await c.request(API.Fetch, 4, fetchBody('api.fetch', 0, 7));
    assert.deepEqual(recordsOf(mid.responses[0].partitions[0]), ['m7', 'm8', 'm9']);
    // A partition limit smaller than one batch still returns that batch (KIP-74)...
    const small = await c.request(API.Fetch, 11, fetchBody('api.fetch', 0, 2, { partitionMaxBytes: 10 }));
    assert.deepEqual(recordsOf(small.responses[0].partitions[0]), ['m2']);
    // ...and a limit of two batches returns two.
    const one = concatChunks([batch(['m0'])]).length;
    const two = await c.request(API.Fetch, 11, fetchBody('api.fetch', 0, 0, { partitionMaxBytes: one * 2 + 5 }));
    assert.deepEqual(recordsOf(two.responses[0].partitions[0]), ['m0', 'm1']);
    const req = await c.request(API.Fetch, 11, fetchBody('api.fetch', 0, 0, { maxBytes: one * 3 + 5 }));
    assert.deepEqual(recordsOf(req.responses[0].partitions[0]), ['m0', 'm1', 'm2']);
    const oor = await c.request(API.Fetch, 11, fetchBody('api.fetch', 0, 11));
    assert.equal(oor.responses[0].partitions[0].errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    const end = await c.request(API.Fetch, 11, fetchBody('api.fetch', 0, 10));
    assert.deepEqual([end.responses[0].partitions[0].errorCode, recordsOf(end.responses[0].partitions[0])], [0, []]);
  });

  test('Fetch long-polls until data arrives, or until max wait', async () => {
    await createTopic(c, 'api.poll');
    const waiter = await WireClient.open(broker.port);
    const started = Date.now();
    const pending = waiter.request(API.Fetch, 11, fetchBody('api.poll', 0, 0, { maxWaitMs: 5000, minBytes: 1 }));
    await new Promise((r) => setTimeout(r, 200));
    await produce(c, 'api.poll', 0, batch(['late']));
    const r = await pending;
    const took = Date.now() - started;
    assert.deepEqual(recordsOf(r.responses[0].partitions[0]), ['late']);
    assert.ok(took >= 150 && took < 3000, `answered after ${took} ms`);
    const t0 = Date.now();
    const empty = await waiter.request(API.Fetch, 11, fetchBody('api.poll', 0, 1, { maxWaitMs: 300, minBytes: 1 }));
    const waited = Date.now() - t0;
    assert.deepEqual(recordsOf(empty.responses[0].partitions[0]), []);
    assert.ok(waited >= 250, `waited ${waited} ms`);
    waiter.close();
  });

  test('ListOffsets: earliest, latest, by timestamp and max timestamp', async () => {
    await createTopic(c, 'api.offsets');
    await produce(c, 'api.offsets', 0, batch(['a', 'b'], { timestamp: 1000 }));
    await produce(c, 'api.offsets', 0, batch(['c', 'd'], { timestamp: 5000 }));
    await produce(c, 'api.offsets', 0, batch(['e'], { timestamp: 3000 }));
    const ask = async (timestamp: number, version = 7) => {
      const r = await c.request(API.ListOffsets, version, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 'api.offsets', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }],
      });
      const p = r.topics[0].partitions[0];
      return [p.errorCode, p.offset, p.timestamp];
    };
    assert.deepEqual(await ask(-2), [0, 0, -1]);
    assert.deepEqual(await ask(-1), [0, 5, -1]);
    assert.deepEqual(await ask(1001), [0, 1, 1001]);
    assert.deepEqual(await ask(4000), [0, 2, 5000]);
    assert.deepEqual(await ask(9999), [0, -1, -1]);
    assert.deepEqual(await ask(-3), [0, 3, 5001]);
    const v0 = await c.request(API.ListOffsets, 0, {
      replicaId: -1,
      topics: [{ name: 'api.offsets', partitions: [{ partitionIndex: 0, timestamp: -1, maxNumOffsets: 1 }] }],
    });
    assert.deepEqual(v0.topics[0].partitions[0].oldStyleOffsets, [5]);
  });

  test('DeleteRecords moves the log start offset; fetches below it are out of range', async () => {
    await createTopic(c, 'api.delete');
    for (let i = 0; i < 5; i++) await produce(c, 'api.delete', 0, batch([`d${i}`]));
    const r = await c.request(API.DeleteRecords, 2, {
      topics: [{ name: 'api.delete', partitions: [{ partitionIndex: 0, offset: 3 }] }],
      timeoutMs: 1000,
    });
    assert.deepEqual(r.topics[0].partitions[0], { partitionIndex: 0, lowWatermark: 3, errorCode: 0 });
    const f = await c.request(API.Fetch, 11, fetchBody('api.delete', 0, 1));
    assert.deepEqual(
      [f.responses[0].partitions[0].errorCode, f.responses[0].partitions[0].logStartOffset],
      [ErrorCode.OFFSET_OUT_OF_RANGE, 3],
    );
    const f3 = await c.request(API.Fetch, 11, fetchBody('api.delete', 0, 3));
    assert.deepEqual(recordsOf(f3.responses[0].partitions[0]), ['d3', 'd4']);
    const beyond = await c.request(API.DeleteRecords, 2, {
      topics: [{ name: 'api.delete', partitions: [{ partitionIndex: 0, offset: 99 }] }],
      timeoutMs: 1000,
    });
    assert.equal(beyond.topics[0].partitions[0].errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    const hw = await c.request(API.DeleteRecords, 0, {
      topics: [{ name: 'api.delete', partitions: [{ partitionIndex: 0, offset: -1 }] }],
      timeoutMs: 1000,
    });
    assert.equal(hw.topics[0].partitions[0].lowWatermark, 5);
  });

  test('idempotent producer: duplicates are dropped, gaps are refused', async () => {
    await createTopic(c, 'api.idem');
    const init = await c.request(API.InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    assert.equal(init.errorCode, 0);
    const pid = init.producerId;
    const b0 = batch(['a', 'b'], { producerId: pid, baseSequence: 0 });
    assert.deepEqual([(await produce(c, 'api.idem', 0, b0)).baseOffset], [0]);
    const retry = await produce(c, 'api.idem', 0, batch(['a', 'b'], { producerId: pid, baseSequence: 0 }));
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 0]);
    const gap = await produce(c, 'api.idem', 0, batch(['z'], { producerId: pid, baseSequence: 5 }));
    assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const next = await produce(c, 'api.idem', 0, batch(['c'], { producerId: pid, baseSequence: 2 }));
    assert.deepEqual([next.errorCode, next.baseOffset], [0, 2]);
    assert.equal(broker.broker.topic('api.idem')!.partitions[0].log.logEndOffset, 3);
    const other = await c.request(API.InitProducerId, 0, { transactionalId: null, transactionTimeoutMs: 60000 });
    assert.notEqual(other.producerId, pid);
    const txn = await c.request(API.InitProducerId, 4, {
      transactionalId: 'tx',
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    assert.deepEqual([txn.errorCode, txn.producerEpoch], [0, 0]);
    assert.notEqual(txn.producerId, other.producerId);
    const tooLong = await c.request(API.InitProducerId, 4, {
      transactionalId: 'tx',
      transactionTimeoutMs: 900001,
      producerId: -1,
      producerEpoch: -1,
    });
    assert.equal(tooLong.errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  });

  test('DescribeConfigs, AlterConfigs and IncrementalAlterConfigs on topics and the broker', async () => {
    await createTopic(c, 'api.configs', 1, { 'retention.ms': '1000' });
    const describe = async (type: number, name: string, keys: string[] | null = null, includeSynonyms = false) => {
      const r = await c.request(API.DescribeConfigs, 4, {
        resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
        includeSynonyms,
        includeDocumentation: false,
      });
      return r.results[0];
    };
    const d = await describe(2, 'api.configs', ['retention.ms', 'cleanup.policy', 'segment.bytes'], true);
    const entry = (n: string) => d.configs.find((x: { name: string }) => x.name === n);
    assert.deepEqual([entry('retention.ms').value, entry('retention.ms').configSource], ['1000', 1]);
    assert.deepEqual([entry('cleanup.policy').value, entry('cleanup.policy').configSource], ['delete', 5]);
    assert.deepEqual([entry('segment.bytes').value, entry('segment.bytes').configSource], ['2048', 4]);
    assert.deepEqual(
      entry('segment.bytes').synonyms.map((s: { name: string; source: number }) => [s.name, s.source]),
      [
        ['log.segment.bytes', 4],
        ['log.segment.bytes', 5],
      ],
    );
    const all = await describe(2, 'api.configs');
    assert.ok(all.configs.length >= 30);

    const inc = (
      configs: Array<{ name: string; configOperation: number; value: string | null }>,
      validateOnly = false,
    ) =>
      c.request(API.IncrementalAlterConfigs, 1, {
        resources: [{ resourceType: 2, resourceName: 'api.configs', configs }],
        validateOnly,
      });
    let r = await inc([
      { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
      { name: 'retention.ms', configOperation: 1, value: null },
    ]);
    assert.equal(r.responses[0].errorCode, 0);
    assert.deepEqual(broker.broker.topic('api.configs')!.configs, { 'cleanup.policy': 'delete,compact' });
    // One bad operation leaves everything as it was.
    r = await inc([
      { name: 'retention.ms', configOperation: 0, value: '5' },
      { name: 'retention.ms.typo', configOperation: 0, value: '1' },
    ]);
    assert.deepEqual(
      [r.responses[0].errorCode, r.responses[0].errorMessage],
      [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.ms.typo'],
    );
    assert.deepEqual(broker.broker.topic('api.configs')!.configs, { 'cleanup.policy': 'delete,compact' });
    r = await inc([{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }]);
    assert.deepEqual(broker.broker.topic('api.configs')!.configs, { 'cleanup.policy': 'compact' });
    r = await inc([{ name: 'retention.ms', configOperation: 2, value: '5' }]);
    assert.equal(r.responses[0].errorCode, ErrorCode.INVALID_CONFIG);
    const legacy = await c.request(API.AlterConfigs, 2, {
      resources: [
        { resourceType: 2, resourceName: 'api.configs', configs: [{ name: 'retention.bytes', value: '4096' }] },
      ],
      validateOnly: false,
    });
    assert.equal(legacy.responses[0].errorCode, 0);
    assert.deepEqual(broker.broker.topic('api.configs')!.configs, { 'retention.bytes': '4096' });
    const missing = await c.request(API.AlterConfigs, 0, {
      resources: [{ resourceType: 2, resourceName: 'api.none', configs: [] }],
      validateOnly: false,
    });
    assert.equal(missing.responses[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    const brokerSet = await c.request(API.IncrementalAlterConfigs, 0, {
      resources: [
        {
          resourceType: 4,
          resourceName: '0',
          configs: [{ name: 'log.retention.ms', configOperation: 0, value: '604800001' }],
        },
      ],
      validateOnly: false,
    });
    assert.equal(brokerSet.responses[0].errorCode, 0);
    const after = await describe(2, 'api.configs', ['retention.ms']);
    assert.deepEqual([after.configs[0].value, after.configs[0].configSource], ['604800001', 2]);
    const readOnly = await c.request(API.IncrementalAlterConfigs, 0, {
      resources: [
        { resourceType: 4, resourceName: '0', configs: [{ name: 'broker.id', configOperation: 0, value: '5' }] },
      ],
      validateOnly: false,
    });
    assert.equal(readOnly.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
    const b = await describe(4, '0', ['log.retention.ms', 'num.partitions']);
    assert.deepEqual(
      b.configs.map((x: { name: string; value: string; readOnly: boolean }) => [x.name, x.value, x.readOnly]),
      [
        ['log.retention.ms', '604800001', false],
        ['num.partitions', '1', false],
      ],
    );
  });

  test('CreatePartitions grows a topic and refuses to shrink it', async () => {
    await createTopic(c, 'api.grow', 2);
    const grow = await c.request(API.CreatePartitions, 3, {
      topics: [{ name: 'api.grow', count: 4, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    assert.equal(grow.results[0].errorCode, 0);
    assert.equal(broker.broker.topic('api.grow')!.partitions.length, 4);
    const shrink = await c.request(API.CreatePartitions, 0, {
      topics: [{ name: 'api.grow', count: 3, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    assert.deepEqual(
      [shrink.results[0].errorCode, shrink.results[0].errorMessage],
      [ErrorCode.INVALID_PARTITIONS, 'Topic currently has 4 partitions, which is higher than the requested 3.'],
    );
  });

  test('DescribeCluster names the broker, the controller and the cluster id', async () => {
    const r = await c.request(API.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    assert.deepEqual(
      [r.errorCode, r.clusterId, r.controllerId, r.brokers],
      [0, broker.clusterId, 0, [{ brokerId: 0, host: '127.0.0.1', port: broker.port, rack: null }]],
    );
  });

  test('DeleteTopics by name and by id', async () => {
    const t = await createTopic(c, 'api.gone');
    await createTopic(c, 'api.gone2');
    const r = await c.request(API.DeleteTopics, 6, {
      topics: [
        { name: null, topicId: t.topicId },
        { name: 'api.gone2', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
        { name: 'api.never', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
      ],
      timeoutMs: 1000,
    });
    assert.deepEqual(
      r.responses.map((x: { errorCode: number }) => x.errorCode),
      [0, 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    assert.equal(broker.broker.topic('api.gone'), undefined);
  });

  test('a frame with a negative or huge size closes only that connection', async () => {
    for (const size of [-5, 0x7fffffff]) {
      const bad = await WireClient.open(broker.port);
      const b = Buffer.alloc(8);
      b.writeInt32BE(size, 0);
      bad.writeRaw(b);
      await bad.waitClosed();
    }
    const garbage = await WireClient.open(broker.port);
    garbage.writeRaw(Buffer.from([0, 0, 0, 6, 0, 3, 0, 99, 1, 2]));
    await garbage.waitClosed();
    const ok = await c.request(API.ApiVersions, 0, {});
    assert.equal(ok.errorCode, 0);
  });
});

describe('broker restart', () => {
  test('topics, configs, records and producer ids survive a restart', async () => {
    const dir = tempDir();
    let b = await startTestBroker({}, dir);
    let w = await WireClient.open(b.port);
    const created = await createTopic(w, 'persist', 2, { 'retention.ms': '123456' });
    await produce(w, 'persist', 1, batch(['p0', 'p1']));
    const init = await w.request(API.InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 1,
      producerId: -1,
      producerEpoch: -1,
    });
    await produce(w, 'persist', 0, batch(['i0'], { producerId: init.producerId, baseSequence: 0 }));
    w.close();
    await b.close();

    b = await startTestBroker({}, dir);
    w = await WireClient.open(b.port);
    const md = await w.request(API.Metadata, 12, {
      topics: [{ name: 'persist', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: false,
    });
    assert.deepEqual([md.topics[0].topicId, md.topics[0].partitions.length], [created.topicId, 2]);
    assert.equal(b.broker.topic('persist')!.configs['retention.ms'], '123456');
    const f = await w.request(API.Fetch, 11, fetchBody('persist', 1, 0));
    assert.deepEqual(recordsOf(f.responses[0].partitions[0]), ['p0', 'p1']);
    // The retried batch is still recognised after the restart.
    const dup = await produce(w, 'persist', 0, batch(['i0'], { producerId: init.producerId, baseSequence: 0 }));
    assert.deepEqual([dup.errorCode, dup.baseOffset], [0, 0]);
    assert.equal(b.broker.topic('persist')!.partitions[0].log.logEndOffset, 1);
    const again = await w.request(API.InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 1,
      producerId: -1,
      producerEpoch: -1,
    });
    assert.ok(again.producerId > init.producerId);
    w.close();
    await b.destroy();
  });

  test('a second broker on the same data dir is refused', async () => {
    const dir = tempDir();
    const b = await startTestBroker({}, dir);
    await assert.rejects(startTestBroker({}, dir), /lock|running|held/i);
    await b.destroy();
  });
});
