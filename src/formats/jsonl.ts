// ktool's JSON Lines record format, shared by console-consumer --output jsonl and
// console-producer --input jsonl, so that consume -> produce round-trips losslessly.
//
// A bytes field (key, value, header value) is JSON null, a JSON string when the bytes
// are valid UTF-8 (in "auto" mode), or {"base64": "..."} / {"hex": "..."}.

export type BytesEncoding = 'auto' | 'base64' | 'hex';

export type JsonBytes = string | null | { base64: string } | { hex: string };

export interface JsonlRecord {
  topic?: string;
  partition?: number;
  offset?: number;
  /** ISO 8601 on output; ISO or epoch milliseconds on input. */
  timestamp?: string | number;
  timestampType?: string;
  key?: JsonBytes;
  value?: JsonBytes;
  headers?: Array<{ key: string; value: JsonBytes }>;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeBytes(b: Buffer | null, mode: BytesEncoding): JsonBytes {
  if (b === null) return null;
  if (mode === 'hex') return { hex: b.toString('hex') };
  if (mode === 'auto') {
    try {
      return decoder.decode(b);
    } catch {
      // not UTF-8: fall through to base64
    }
  }
  return { base64: b.toString('base64') };
}

export class JsonlError extends Error {}

export function decodeBytes(v: unknown, what: string): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.base64 === 'string') return Buffer.from(o.base64, 'base64');
    if (typeof o.hex === 'string') {
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(o.hex)) throw new JsonlError(`${what}: invalid hex`);
      return Buffer.from(o.hex, 'hex');
    }
  }
  throw new JsonlError(`${what} must be a string, null, {"base64": ...} or {"hex": ...}`);
}

export interface ParsedJsonlRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
  partition?: number;
  timestamp?: number;
}

/** Parses one input line; throws JsonlError with a short reason. */
export function parseJsonlRecord(line: string): ParsedJsonlRecord {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    throw new JsonlError(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new JsonlError('expected a JSON object');
  const r = o as JsonlRecord;
  const out: ParsedJsonlRecord = { key: decodeBytes(r.key, 'key'), value: decodeBytes(r.value, 'value'), headers: [] };
  if (r.headers !== undefined) {
    if (!Array.isArray(r.headers)) throw new JsonlError('headers must be an array of {key, value}');
    for (const h of r.headers) {
      if (typeof h !== 'object' || h === null || typeof h.key !== 'string')
        throw new JsonlError('each header needs a string key');
      out.headers.push({ key: h.key, value: decodeBytes(h.value, `header ${h.key}`) });
    }
  }
  if (r.partition !== undefined) {
    if (!Number.isInteger(r.partition) || r.partition < 0)
      throw new JsonlError('partition must be a non-negative integer');
    out.partition = r.partition;
  }
  if (r.timestamp !== undefined) {
    const ts = typeof r.timestamp === 'number' ? r.timestamp : Date.parse(r.timestamp);
    if (!Number.isFinite(ts))
      throw new JsonlError(`timestamp ${JSON.stringify(r.timestamp)} is not a date or epoch milliseconds`);
    out.timestamp = ts;
  }
  return out;
}
