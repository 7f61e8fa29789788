// Request/response headers and whole frames (size prefix + header + body).
//
// Request header v0: apiKey, apiVersion, correlationId; v1 adds clientId (an
// int16-length string even in flexible versions); v2 adds a tagged-field section.
// Response header v0: correlationId; v1 adds a tagged-field section.
// Flexible API versions use request v2 / response v1, except that ApiVersions
// responses always use v0 so a client can read them before it knows what the
// broker supports.

import { apiSpec, compiledMessage } from './codec.js';
import { Reader } from './reader.js';
import type { MessageBody } from './types.js';
import { Writer } from './writer.js';

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Offset in the buffer where the request body starts. */
  bodyOffset: number;
}

/**
 * Like Kafka, a known API picks header v2 from the version alone (>= its first
 * flexible version), even above the versions we support, so newer clients' frames
 * still parse far enough to answer UNSUPPORTED_VERSION. Unknown APIs read as v1.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 | 2 {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  const flexible = apiSpec(apiKey)?.request.flexibleVersions;
  return flexible && apiVersion >= flexible[0] ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === API_VERSIONS_KEY) return 0;
  const flexible = apiSpec(apiKey)?.response.flexibleVersions;
  return flexible && apiVersion >= flexible[0] ? 1 : 0;
}

/** Parses a request header from a frame without its size prefix. */
export function decodeRequestHeader(buf: Buffer, offset = 0): RequestHeader {
  const r = new Reader(buf, offset);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const clientId = headerVersion >= 1 ? r.nullableString() : null;
  if (headerVersion >= 2) r.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.pos };
}

/** Header and body of a request frame without its size prefix. */
export function decodeRequestFrame(buf: Buffer, offset = 0): { header: RequestHeader; body: MessageBody } {
  const header = decodeRequestHeader(buf, offset);
  const body = compiledMessage(header.apiKey, header.apiVersion, 'request').read(new Reader(buf, header.bodyOffset));
  return { header, body };
}

/** A whole request frame, size prefix included (in the first chunk). */
export function encodeRequestFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: object,
): Buffer[] {
  const codec = compiledMessage(apiKey, apiVersion, 'request');
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const w = new Writer();
  w.int32(0).int16(apiKey).int16(apiVersion).int32(correlationId);
  if (headerVersion >= 1) w.nullableString(clientId);
  if (headerVersion >= 2) w.uvarint(0);
  codec.write(w, body);
  return withSizePrefix(w);
}

/** A whole response frame, size prefix included (in the first chunk). */
export function encodeResponseFrame(apiKey: number, apiVersion: number, correlationId: number, body: object): Buffer[] {
  const codec = compiledMessage(apiKey, apiVersion, 'response');
  const w = new Writer();
  w.int32(0).int32(correlationId);
  if (responseHeaderVersion(apiKey, apiVersion) >= 1) w.uvarint(0);
  codec.write(w, body);
  return withSizePrefix(w);
}

/** Parses a response frame (without its size prefix) for a request of the given API and version. */
export function decodeResponseFrame(
  apiKey: number,
  apiVersion: number,
  buf: Buffer,
  offset = 0,
): { correlationId: number; body: MessageBody } {
  const codec = compiledMessage(apiKey, apiVersion, 'response');
  const r = new Reader(buf, offset);
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, apiVersion) >= 1) r.taggedFields();
  return { correlationId, body: codec.read(r) };
}

function withSizePrefix(w: Writer): Buffer[] {
  const size = w.length - 4;
  const chunks = w.finish();
  // The first chunk always holds the 4 placeholder bytes: nothing is sealed before them.
  chunks[0]!.writeInt32BE(size, 0);
  return chunks;
}
