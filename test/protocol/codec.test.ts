// Interpreter semantics checked against hand-computed bytes: defaults, version
// gating, nullability, tagged fields, records chunks, and hostile input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ProtocolError,
  allApiSpecs,
  apiSpec,
  concatChunks,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isFlexible,
  decodeData,
  encodeData,
} from '../../src/protocol/index.js';
import { SampleBuilder, rng } from './sample-body.js';

const hexOf = (chunks: Buffer[]) => concatChunks(chunks).toString('hex');
const buf = (hex: string) => Buffer.from(hex, 'hex');

describe('defaults and version gating', () => {
  test('fields absent from the version decode as their defaults', () => {
    // Produce v2 request: acks, timeoutMs, topicData (no transactionalId until v3)
    const body = decodeRequest(0, 2, buf('0001' + '000003e8' + '00000000'));
    assert.deepEqual(body, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [] });

    // Produce v0 response: only responses[]; later fields take schema defaults.
    const response = decodeResponse(
      0,
      0,
      buf('00000001' + '0001' + '74' + '00000001' + '00000000' + '0000' + '0000000000000005'),
    );
    assert.deepEqual(response.responses[0].partitionResponses[0], {
      index: 0,
      errorCode: 0,
      baseOffset: 5,
      logAppendTimeMs: -1,
      logStartOffset: -1,
      recordErrors: [],
      errorMessage: null,
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
    });
    assert.equal(response.throttleTimeMs, 0);
    assert.deepEqual(response.nodeEndpoints, []);
  });

  test('default arrays and structs are fresh objects on every decode', () => {
    const a = decodeRequest(0, 2, buf('0001000003e800000000'));
    const b = decodeRequest(0, 2, buf('0001000003e800000000'));
    assert.notEqual(a.topicData, b.topicData);
    const r1 = decodeResponse(
      1,
      11,
      concatChunks(encodeResponse(1, 11, { responses: [{ topic: 't', partitions: [{}] }] })),
    );
    const r2 = decodeResponse(
      1,
      11,
      concatChunks(encodeResponse(1, 11, { responses: [{ topic: 't', partitions: [{}] }] })),
    );
    assert.notEqual(r1.responses[0].partitions[0].currentLeader, r2.responses[0].partitions[0].currentLeader);
  });

  test('missing fields encode as defaults; fields outside the version are ignored', () => {
    assert.equal(hexOf(encodeRequest(0, 2, {})), '0000' + '00000000' + '00000000');
    assert.equal(
      hexOf(encodeRequest(0, 2, { transactionalId: 'ignored', acks: -1, timeoutMs: 5 })),
      hexOf(encodeRequest(0, 2, { acks: -1, timeoutMs: 5 })),
    );
    // Schema defaults apply when encoding too: Metadata allowAutoTopicCreation defaults to true.
    assert.equal(hexOf(encodeRequest(3, 4, { topics: [] })), '00000000' + '01');
  });
});

describe('nullability', () => {
  test('nullable and non-nullable arrays', () => {
    assert.equal(hexOf(encodeRequest(3, 1, { topics: null })), 'ffffffff');
    // v0 cannot express null: written as an empty array rather than an invalid frame.
    assert.equal(hexOf(encodeRequest(3, 0, { topics: null })), '00000000');
    assert.equal(hexOf(encodeRequest(3, 9, { topics: null })), '00' + '01' + '00' + '00' + '00');
    assert.equal(decodeRequest(3, 1, buf('ffffffff')).topics, null);
    assert.throws(() => decodeRequest(3, 0, buf('ffffffff')), ProtocolError);
  });

  test('nullable structs carry an int8 presence marker', () => {
    // ConsumerGroupHeartbeat v0 response; assignment defaults to null.
    const prefix = '00000000' + '0000' + '00' + '00' + '00000000' + '00000000';
    assert.equal(hexOf(encodeResponse(68, 0, {})), prefix + 'ff' + '00');
    assert.equal(
      hexOf(encodeResponse(68, 0, { assignment: { topicPartitions: [] } })),
      prefix + '01' + '01' + '00' + '00',
    );
    assert.equal(decodeResponse(68, 0, buf(prefix + 'ff00')).assignment, null);
    assert.deepEqual(decodeResponse(68, 0, buf(prefix + '01010000')).assignment, { topicPartitions: [] });
  });

  test('null strings: allowed where nullable, rejected on the wire where not', () => {
    assert.equal(decodeRequest(0, 3, buf('ffff' + '0001' + '00000000' + '00000000')).transactionalId, null);
    // A topic name of length -1.
    assert.throws(
      () => decodeRequest(0, 3, buf('ffff' + '0001' + '00000000' + '00000001' + 'ffff' + '00000000')),
      /null in a non-nullable string/,
    );
  });
});

describe('tagged fields', () => {
  // ApiVersions v3 response: errorCode, apiKeys[], throttleTimeMs, tags 0-3.
  const base = '0000' + '02' + '001200000004' + '00' + '00000000';
  const body = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 };

  test('left out while equal to their default', () => {
    assert.equal(hexOf(encodeResponse(18, 3, body)), base + '00');
    assert.equal(
      hexOf(encodeResponse(18, 3, { ...body, finalizedFeaturesEpoch: -1, supportedFeatures: [] })),
      base + '00',
    );
  });

  test('written in tag order with their size', () => {
    const hex = hexOf(encodeResponse(18, 3, { ...body, zkMigrationReady: true, finalizedFeaturesEpoch: 5 }));
    assert.equal(hex, base + '02' + '0108' + '0000000000000005' + '0301' + '01');
    const decoded = decodeResponse(18, 3, buf(hex));
    assert.equal(decoded.finalizedFeaturesEpoch, 5);
    assert.equal(decoded.zkMigrationReady, true);
    assert.deepEqual(decoded.finalizedFeatures, []);
  });

  test('tagged struct fields are compared with the default struct', () => {
    // Fetch v12 partition: currentLeader (tag 1) defaults to {-1, -1}.
    const partition = { partitionIndex: 0, records: null };
    const plain = hexOf(encodeResponse(1, 12, { responses: [{ topic: 't', partitions: [partition] }] }));
    const same = hexOf(
      encodeResponse(1, 12, {
        responses: [{ topic: 't', partitions: [{ ...partition, currentLeader: { leaderId: -1, leaderEpoch: -1 } }] }],
      }),
    );
    const moved = hexOf(
      encodeResponse(1, 12, {
        responses: [{ topic: 't', partitions: [{ ...partition, currentLeader: { leaderId: 2, leaderEpoch: 7 } }] }],
      }),
    );
    assert.equal(same, plain);
    assert.ok(
      moved.includes('0109' + '00000002' + '00000007' + '00'),
      'tag 1, 9 bytes: two int32 and an empty tag section',
    );
    const decoded = decodeResponse(1, 12, buf(moved));
    assert.deepEqual(decoded.responses[0].partitions[0].currentLeader, { leaderId: 2, leaderEpoch: 7 });
  });

  test('unknown tags are skipped, at the top level and inside structs', () => {
    // ApiVersions v3 request: clientSoftwareName 'abc', clientSoftwareVersion '1', unknown tag 7.
    const body = decodeRequest(18, 3, buf('04616263' + '0231' + '01' + '07' + '02' + 'beef'));
    assert.deepEqual(body, { clientSoftwareName: 'abc', clientSoftwareVersion: '1' });
    const inner = decodeResponse(18, 3, buf('0000' + '02' + '001200000004' + '01' + '2a' + '00' + '00000000' + '00'));
    assert.deepEqual(inner.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
  });

  test('a tagged field whose size runs past the frame is rejected', () => {
    assert.throws(() => decodeRequest(18, 3, buf('04616263' + '0231' + '01' + '07' + '09' + 'beef')), ProtocolError);
  });
});

describe('records', () => {
  test('decode to a view of the frame, null or empty', () => {
    const frame = buf(
      'ffff' + '0001' + '00000000' + '00000001' + '000174' + '00000001' + '00000000' + '00000003' + 'aabbcc',
    );
    const body = decodeRequest(0, 3, frame);
    const records: Buffer = body.topicData[0].partitionData[0].records;
    assert.equal(records.toString('hex'), 'aabbcc');
    assert.equal(records.buffer, frame.buffer);
    assert.equal(hexOf(encodeRequest(0, 3, body)), frame.toString('hex'));
    const nul = { topicData: [{ name: 't', partitionData: [{ index: 0, records: null }] }] };
    assert.ok(hexOf(encodeRequest(0, 3, nul)).endsWith('00000000' + 'ffffffff'));
    assert.ok(hexOf(encodeRequest(0, 9, nul)).endsWith('00' + '00' + '00' + '00'));
  });

  test('a list of buffers is written as one field, without copying the large ones', () => {
    const a = Buffer.alloc(4096, 1);
    const b = Buffer.alloc(8192, 2);
    const chunks = encodeRequest(0, 7, {
      acks: 1,
      timeoutMs: 10,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: [a, b] }] }],
    });
    assert.ok(chunks.includes(a) && chunks.includes(b), 'the record buffers are output chunks themselves');
    const decoded = decodeRequest(0, 7, concatChunks(chunks));
    const records: Buffer = decoded.topicData[0].partitionData[0].records;
    assert.equal(records.length, a.length + b.length);
    assert.ok(records.equals(Buffer.concat([a, b])));
    const flexible = encodeRequest(0, 9, {
      topicData: [{ name: 't', partitionData: [{ index: 0, records: [a, b] }] }],
    });
    assert.ok(
      decodeRequest(0, 9, concatChunks(flexible)).topicData[0].partitionData[0].records.equals(Buffer.concat([a, b])),
    );
  });
});

describe('lookups', () => {
  test('apiSpec and isFlexible', () => {
    const produce = apiSpec(0)!;
    assert.equal(produce.name, 'Produce');
    assert.deepEqual(produce.request.validVersions, [0, 11]);
    assert.deepEqual(produce.response.flexibleVersions, [9, 32767]);
    assert.equal(isFlexible(0, 8, 'request'), false);
    assert.equal(isFlexible(0, 9, 'request'), true);
    assert.equal(isFlexible(17, 1, 'response'), false); // SaslHandshake is never flexible
    assert.equal(isFlexible(999, 0, 'request'), false);
    assert.equal(apiSpec(999), undefined);
    assert.equal(allApiSpecs().length, 88);
  });

  test('unknown APIs and unsupported versions raise ProtocolError', () => {
    assert.throws(() => decodeRequest(999, 0, buf('')), ProtocolError);
    assert.throws(() => decodeRequest(0, 12, buf('')), ProtocolError);
    assert.throws(() => decodeRequest(0, -1, buf('')), ProtocolError);
    assert.throws(() => encodeResponse(18, 5, {}), ProtocolError);
  });
});

describe('group protocol data', () => {
  test('ConsumerProtocolSubscription bytes by version', () => {
    const body = {
      topics: ['a'],
      userData: null,
      ownedPartitions: [{ topic: 'a', partitions: [0] }],
      generationId: 4,
      rackId: 'r',
    };
    assert.equal(hexOf(encodeData('ConsumerProtocolSubscription', 0, body)), '00000001' + '000161' + 'ffffffff');
    assert.equal(
      hexOf(encodeData('ConsumerProtocolSubscription', 3, body)),
      '00000001000161' + 'ffffffff' + '00000001' + '000161' + '00000001' + '00000000' + '00000004' + '000172',
    );
  });

  test('versions above the newest known read as the newest (they only append fields)', () => {
    const bytes = concatChunks(
      encodeData('ConsumerProtocolAssignment', 3, { assignedPartitions: [{ topic: 't', partitions: [1, 2] }] }),
    );
    const future = Buffer.concat([bytes, Buffer.from('extra')]);
    assert.deepEqual(
      decodeData('ConsumerProtocolAssignment', 9, future),
      decodeData('ConsumerProtocolAssignment', 3, bytes),
    );
    assert.throws(() => decodeData('NoSuchThing', 0, bytes), ProtocolError);
  });
});

describe('hostile input', () => {
  test('random bytes never raise anything but ProtocolError', () => {
    const random = rng(42);
    const garbage = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    let decoded = 0;
    for (const api of allApiSpecs()) {
      for (const kind of ['request', 'response'] as const) {
        const [min, max] = api[kind].validVersions;
        for (const version of new Set([min, max, (min + max) >> 1])) {
          for (let i = 0; i < 40; i++) {
            const input = garbage(Math.floor(random() * 48));
            try {
              if (kind === 'request') decodeRequest(api.apiKey, version, input);
              else decodeResponse(api.apiKey, version, input);
              decoded++;
            } catch (err) {
              if (!(err instanceof ProtocolError))
                throw new Error(`${api.name} ${kind} v${version} on ${input.toString('hex')}: ${err}`, { cause: err });
            }
          }
        }
      }
    }
    assert.ok(decoded > 0, 'some short inputs are valid messages');
  });

  test('corrupted valid messages never raise anything but ProtocolError', () => {
    const random = rng(7);
    const samples = new SampleBuilder(random);
    for (const api of allApiSpecs()) {
      for (const kind of ['request', 'response'] as const) {
        const spec = api[kind];
        const version = spec.validVersions[1];
        const bytes = concatChunks(
          kind === 'request'
            ? encodeRequest(api.apiKey, version, samples.struct(spec.fields, version))
            : encodeResponse(api.apiKey, version, samples.struct(spec.fields, version)),
        );
        for (let i = 0; i < 30 && bytes.length > 0; i++) {
          const corrupt = Buffer.from(bytes);
          for (let j = 0; j < 3; j++) corrupt[Math.floor(random() * corrupt.length)] = Math.floor(random() * 256);
          try {
            if (kind === 'request') decodeRequest(api.apiKey, version, corrupt);
            else decodeResponse(api.apiKey, version, corrupt);
          } catch (err) {
            if (!(err instanceof ProtocolError))
              throw new Error(`${api.name} ${kind} v${version}: ${err}`, { cause: err });
          }
        }
      }
    }
  });

  test('a huge array count is rejected without allocating', () => {
    // Metadata v1 request claiming 2^31-1 topics in a 4-byte frame.
    assert.throws(() => decodeRequest(3, 1, buf('7fffffff')), ProtocolError);
    // Compact count of 2^32-2 elements.
    assert.throws(() => decodeRequest(3, 9, buf('ffffffff0f')), ProtocolError);
  });
});
