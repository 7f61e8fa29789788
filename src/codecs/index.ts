// Kafka record batch compression codecs (attributes bits 0-2 of a v2 batch):
// 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. The compressed payload of a batch
// is the concatenation of its records. Each codec lives in its own module
// (gzip.js, snappy.js, lz4.js, zstd.js) so callers can import only one.

import { CodecError, DEFAULT_MAX_OUTPUT_BYTES, outputLimit } from './errors.js';
import { gzipCompress, gzipDecompress } from './gzip.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompress, snappyDecompress } from './snappy.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

export { CodecError, DEFAULT_MAX_OUTPUT_BYTES };
export { xxh32, xxh64 } from './xxhash.js';

export type CompressionCodec = 0 | 1 | 2 | 3 | 4;

export const CODEC_NAMES: readonly ['none', 'gzip', 'snappy', 'lz4', 'zstd'] = [
  'none',
  'gzip',
  'snappy',
  'lz4',
  'zstd',
];

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function checkCodec(codec: number): asserts codec is CompressionCodec {
  if (!Number.isInteger(codec) || codec < 0 || codec > 4) {
    throw new CodecError(`unknown compression codec ${codec}`);
  }
}

/** Compress `data` with `codec` (0 returns the input unchanged). */
export function compress(codec: CompressionCodec, data: Buffer): Buffer {
  checkCodec(codec);
  switch (codec) {
    case 0:
      return toBuffer(data);
    case 1:
      return gzipCompress(data);
    case 2:
      return snappyCompress(data);
    case 3:
      return lz4Compress(data);
    case 4:
      return zstdCompress(data);
  }
}

/**
 * Decompress `data` written with `codec`. Throws CodecError on malformed or
 * truncated input and when the result would exceed `maxOutputBytes`
 * (default 256 MiB).
 */
export function decompress(codec: CompressionCodec, data: Buffer, maxOutputBytes?: number): Buffer {
  checkCodec(codec);
  const max = outputLimit(maxOutputBytes);
  switch (codec) {
    case 0:
      if (data.length > max) throw new CodecError(`none: ${data.length} bytes exceed the limit of ${max} bytes`);
      return toBuffer(data);
    case 1:
      return gzipDecompress(data, max);
    case 2:
      return snappyDecompress(data, max);
    case 3:
      return lz4Decompress(data, max);
    case 4:
      return zstdDecompress(data, max);
  }
}

/** 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' (any case) to the codec id. */
export function codecByName(name: string): CompressionCodec {
  const i = CODEC_NAMES.indexOf(String(name).trim().toLowerCase() as (typeof CODEC_NAMES)[number]);
  if (i < 0) throw new CodecError(`unknown compression codec '${name}' (expected one of ${CODEC_NAMES.join(', ')})`);
  return i as CompressionCodec;
}

/** The name of a codec id ('none', 'gzip', ...). */
export function codecName(codec: number): string {
  checkCodec(codec);
  return CODEC_NAMES[codec];
}
