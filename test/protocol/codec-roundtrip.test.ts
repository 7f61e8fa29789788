// Every message of every API, at every valid version, request and response:
// a populated body encodes, decodes to the same content (fields the version lacks
// come back as defaults), and re-encodes to the same bytes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ProtocolError,
  allApiSpecs,
  concatChunks,
  decodeData,
  decodeRequest,
  decodeResponse,
  encodeData,
  encodeRequest,
  encodeResponse,
} from '../../src/protocol/index.js';
import type { MessageBody, MessageKind, MessageSpec } from '../../src/protocol/index.js';
import { DATA_SPECS } from '../../src/protocol/schema.js';
import { SampleBuilder, expectedAt, rng } from './sample-body.js';

type Codec = {
  encode: (version: number, body: MessageBody) => Buffer[];
  decode: (version: number, buf: Buffer) => MessageBody;
};

function checkVersion(spec: MessageSpec, version: number, codec: Codec, seed: number): void {
  const samples = new SampleBuilder(rng(seed));
  for (let round = 0; round < 3; round++) {
    const body = samples.struct(spec.fields, version);
    const bytes = concatChunks(codec.encode(version, body));
    const decoded = codec.decode(version, bytes);
    assert.deepStrictEqual(decoded, expectedAt(spec.fields, version, body));
    assert.ok(
      concatChunks(codec.encode(version, decoded)).equals(bytes),
      're-encoding the decoded body gives the same bytes',
    );

    // Every strict prefix of a valid message is a truncated frame.
    for (let cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length >> 5)) {
      assert.throws(() => codec.decode(version, bytes.subarray(0, cut)), ProtocolError, `prefix of ${cut} bytes`);
    }
  }
}

function versionsOf(spec: MessageSpec): number[] {
  const out: number[] = [];
  for (let v = spec.validVersions[0]; v <= spec.validVersions[1]; v++) out.push(v);
  return out;
}

const codecFor = (apiKey: number, kind: MessageKind): Codec =>
  kind === 'request'
    ? { encode: (v, b) => encodeRequest(apiKey, v, b), decode: (v, buf) => decodeRequest(apiKey, v, buf) }
    : { encode: (v, b) => encodeResponse(apiKey, v, b), decode: (v, buf) => decodeResponse(apiKey, v, buf) };

for (const api of allApiSpecs()) {
  describe(`${api.apiKey} ${api.name}`, () => {
    for (const kind of ['request', 'response'] as const) {
      const spec = api[kind];
      test(`${kind} v${spec.validVersions[0]}-${spec.validVersions[1]}`, () => {
        for (const version of versionsOf(spec)) {
          try {
            checkVersion(
              spec,
              version,
              codecFor(api.apiKey, kind),
              api.apiKey * 1000 + version * 2 + (kind === 'request' ? 0 : 1),
            );
          } catch (err) {
            (err as Error).message = `${api.name} ${kind} v${version}: ${(err as Error).message}`;
            throw err;
          }
        }
      });
    }
  });
}

describe('group protocol data structures', () => {
  for (const spec of Object.values(DATA_SPECS)) {
    test(`${spec.name} v${spec.validVersions[0]}-${spec.validVersions[1]}`, () => {
      for (const version of versionsOf(spec)) {
        checkVersion(
          spec,
          version,
          {
            encode: (v, b) => encodeData(spec.name, v, b),
            decode: (v, buf) => decodeData(spec.name, v, buf),
          },
          version + 7,
        );
      }
    });
  }
});
