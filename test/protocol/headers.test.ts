// Request/response headers and size-prefixed frames.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ProtocolError,
  concatChunks,
  decodeRequestFrame,
  decodeRequestHeader,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../src/protocol/index.js';

const hexOf = (chunks: Buffer[]) => concatChunks(chunks).toString('hex');
const buf = (hex: string) => Buffer.from(hex, 'hex');

describe('header versions', () => {
  test('request headers follow the API flexible versions', () => {
    assert.equal(requestHeaderVersion(0, 8), 1);
    assert.equal(requestHeaderVersion(0, 9), 2);
    assert.equal(requestHeaderVersion(18, 2), 1);
    assert.equal(requestHeaderVersion(18, 3), 2);
    assert.equal(requestHeaderVersion(18, 9), 2); // newer than we know: still flexible, as Kafka reads it
    assert.equal(requestHeaderVersion(17, 1), 1); // SaslHandshake is never flexible
    assert.equal(requestHeaderVersion(7, 0), 0); // ControlledShutdown v0 predates clientId
    assert.equal(requestHeaderVersion(999, 0), 1);
  });

  test('response headers follow them too, except ApiVersions', () => {
    assert.equal(responseHeaderVersion(3, 8), 0);
    assert.equal(responseHeaderVersion(3, 9), 1);
    assert.equal(responseHeaderVersion(18, 3), 0);
    assert.equal(responseHeaderVersion(18, 4), 0);
  });
});

describe('request frames', () => {
  test('v2 header: int16 clientId (not compact), then an empty tag section', () => {
    const chunks = encodeRequestFrame(18, 3, 7, 'cli', { clientSoftwareName: 'a', clientSoftwareVersion: '1' });
    assert.equal(
      hexOf(chunks),
      '00000013' + '0012' + '0003' + '00000007' + '0003636c69' + '00' + '0261' + '0231' + '00',
    );
  });

  test('v1 header with a null clientId', () => {
    assert.equal(
      hexOf(encodeRequestFrame(3, 1, 1, null, { topics: null })),
      '0000000e' + '0003' + '0001' + '00000001' + 'ffff' + 'ffffffff',
    );
  });

  test('decodeRequestHeader reports where the body starts', () => {
    const frame = concatChunks(
      encodeRequestFrame(18, 3, 7, 'cli', { clientSoftwareName: 'a', clientSoftwareVersion: '1' }),
    ).subarray(4);
    assert.deepEqual(decodeRequestHeader(frame), {
      apiKey: 18,
      apiVersion: 3,
      correlationId: 7,
      clientId: 'cli',
      bodyOffset: 14,
    });
    assert.deepEqual(decodeRequestFrame(frame).body, { clientSoftwareName: 'a', clientSoftwareVersion: '1' });
  });

  test('header tagged fields are skipped', () => {
    const frame = buf('0012' + '0003' + '00000007' + 'ffff' + '01' + '0002' + 'abcd' + '0261' + '0231' + '00');
    const header = decodeRequestHeader(frame);
    assert.equal(header.clientId, null);
    assert.equal(header.bodyOffset, 15);
  });

  test('an unknown API is read with a v1 header so the caller can answer it', () => {
    const header = decodeRequestHeader(buf('03e7' + '0000' + '0000002a' + '0002' + '6869' + 'deadbeef'));
    assert.deepEqual(header, { apiKey: 999, apiVersion: 0, correlationId: 42, clientId: 'hi', bodyOffset: 12 });
  });

  test('truncated headers raise ProtocolError', () => {
    assert.throws(() => decodeRequestHeader(buf('0012000300')), ProtocolError);
    assert.throws(() => decodeRequestHeader(buf('0012' + '0002' + '00000007' + '0005' + '6869')), ProtocolError);
  });
});

describe('response frames', () => {
  const apiVersionsBody = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 };

  test('ApiVersions responses keep header v0 even when the body is flexible', () => {
    const hex = hexOf(encodeResponseFrame(18, 3, 9, apiVersionsBody));
    assert.equal(hex, '00000013' + '00000009' + '0000' + '02' + '001200000004' + '00' + '00000000' + '00');
    assert.deepEqual(decodeResponseFrame(18, 3, buf(hex.slice(8))), {
      correlationId: 9,
      body: {
        ...apiVersionsBody,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1,
        finalizedFeatures: [],
        zkMigrationReady: false,
      },
    });
  });

  test('flexible responses get header v1 (a tag section after the correlation id)', () => {
    const hex = hexOf(encodeResponseFrame(12, 4, 5, { throttleTimeMs: 0, errorCode: 27 }));
    assert.equal(hex, '0000000c' + '00000005' + '00' + '00000000' + '001b' + '00');
    assert.deepEqual(decodeResponseFrame(12, 4, buf(hex.slice(8))), {
      correlationId: 5,
      body: { throttleTimeMs: 0, errorCode: 27 },
    });
    assert.equal(
      hexOf(encodeResponseFrame(12, 3, 5, { errorCode: 27 })),
      '0000000a' + '00000005' + '00000000' + '001b',
    );
  });

  test('the size prefix covers external record chunks', () => {
    const records = Buffer.alloc(100_000, 1);
    const chunks = encodeResponseFrame(1, 11, 3, {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 0, records }] }],
    });
    assert.ok(chunks.includes(records));
    const frame = concatChunks(chunks);
    assert.equal(frame.readInt32BE(0), frame.length - 4);
    const decoded = decodeResponseFrame(1, 11, frame.subarray(4));
    assert.ok(decoded.body.responses[0].partitions[0].records.equals(records));
  });
});
