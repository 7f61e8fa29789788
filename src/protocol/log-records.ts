// Records that Kafka keeps in its own logs rather than sends as requests: the KRaft
// metadata log (__cluster_metadata) and the coordinator logs (__consumer_offsets,
// __transaction_state). Their bodies use the message grammar, so they go through the
// same schema interpreter; only the framing around the body differs.
import { compiledSpec } from './codec.js';
import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import { RECORD_SPECS, type RecordSpec } from './record-schema.js';
import type { MessageBody } from './types.js';
import { Writer, concatChunks } from './writer.js';

const METADATA_BY_KEY = new Map<number, RecordSpec>();
const METADATA_BY_NAME = new Map<string, RecordSpec>();
const COORDINATOR_BY_NAME = new Map<string, RecordSpec>();
for (const spec of RECORD_SPECS) {
  if (spec.kind === 'metadata' && spec.apiKey !== null) {
    METADATA_BY_KEY.set(spec.apiKey, spec);
    METADATA_BY_NAME.set(spec.name, spec);
  } else if (spec.kind === 'coordinator') {
    COORDINATOR_BY_NAME.set(spec.name, spec);
  }
}

/** The frame version Kafka writes before every metadata record. */
const METADATA_FRAME_VERSION = 0;

export interface MetadataRecord {
  /** TopicRecord, PartitionRecord, RegisterBrokerRecord, ... */
  name: string;
  apiKey: number;
  version: number;
  body: MessageBody;
}

export function metadataRecordSpec(nameOrKey: string | number): RecordSpec {
  const spec = typeof nameOrKey === 'number' ? METADATA_BY_KEY.get(nameOrKey) : METADATA_BY_NAME.get(nameOrKey);
  if (spec === undefined) throw new ProtocolError(`unknown metadata record ${nameOrKey}`);
  return spec;
}

/** A metadata record as Kafka frames it: frame version, type, version (unsigned varints), then the body. */
export function encodeMetadataRecord(name: string, version: number, body: object): Buffer {
  const spec = metadataRecordSpec(name);
  const w = new Writer(64);
  w.uvarint(METADATA_FRAME_VERSION).uvarint(spec.apiKey!).uvarint(version);
  compiledSpec(spec, version).write(w, body);
  return concatChunks(w.finish());
}

export function decodeMetadataRecord(buf: Buffer): MetadataRecord {
  const r = new Reader(buf);
  const frameVersion = r.uvarint();
  if (frameVersion !== METADATA_FRAME_VERSION)
    throw new ProtocolError(`unknown metadata frame version ${frameVersion}`);
  const apiKey = r.uvarint();
  const version = r.uvarint();
  const spec = metadataRecordSpec(apiKey);
  return { name: spec.name, apiKey, version, body: compiledSpec(spec, version).read(r) };
}

function coordinatorSpec(name: string): RecordSpec {
  const spec = COORDINATOR_BY_NAME.get(name);
  if (spec === undefined) throw new ProtocolError(`unknown coordinator record ${name}`);
  return spec;
}

/** A coordinator record key or value: an int16 version, then the body. */
export function encodeCoordinatorRecord(name: string, version: number, body: object): Buffer {
  const w = new Writer(64);
  w.int16(version);
  compiledSpec(coordinatorSpec(name), version).write(w, body);
  return concatChunks(w.finish());
}

/** Reads a key or value written by encodeCoordinatorRecord; `name` is what the caller expects there. */
export function decodeCoordinatorRecord(name: string, buf: Buffer): { version: number; body: MessageBody } {
  const r = new Reader(buf);
  const version = r.int16();
  const spec = coordinatorSpec(name);
  // Newer writers only append fields, so read a newer version as the newest we know.
  const readAs = Math.min(version, spec.validVersions[1]);
  return { version, body: compiledSpec(spec, readAs).read(r) };
}
