// gzip (Kafka codec id 1) on top of node:zlib. Decompression accepts several
// concatenated gzip members (zlib continues into the next member).

import { constants, gunzip, gunzipSync, gzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { CodecError, outputLimit } from './errors.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Compression level used by `gzipCompress` (zlib's default, like Kafka's). */
export const GZIP_DEFAULT_LEVEL = constants.Z_DEFAULT_COMPRESSION;

export function gzipCompress(data: Uint8Array, level: number = GZIP_DEFAULT_LEVEL): Buffer {
  return gzipSync(data, { level });
}

export async function gzipCompressAsync(data: Uint8Array, level: number = GZIP_DEFAULT_LEVEL): Promise<Buffer> {
  return gzipAsync(data, { level });
}

function wrapError(err: unknown, max: number): CodecError {
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === 'ERR_BUFFER_TOO_LARGE') {
    return new CodecError(`gzip: decompressed size exceeds the limit of ${max} bytes`);
  }
  return new CodecError(`gzip: ${e && e.message ? e.message : String(err)}`);
}

export function gzipDecompress(data: Uint8Array, maxOutputBytes?: number): Buffer {
  const max = outputLimit(maxOutputBytes);
  if (data.length === 0) throw new CodecError('gzip: empty input');
  try {
    return gunzipSync(data, { maxOutputLength: Math.max(1, max) });
  } catch (err) {
    throw wrapError(err, max);
  }
}

export async function gzipDecompressAsync(data: Uint8Array, maxOutputBytes?: number): Promise<Buffer> {
  const max = outputLimit(maxOutputBytes);
  if (data.length === 0) throw new CodecError('gzip: empty input');
  try {
    return await gunzipAsync(data, { maxOutputLength: Math.max(1, max) });
  } catch (err) {
    throw wrapError(err, max);
  }
}
