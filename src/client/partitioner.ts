// Kafka's default partitioning, so keyed records land where the Java client puts them:
// murmur2 of the key bytes, made positive, modulo the partition count.

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/** Kafka's murmur2 variant (Utils.murmur2) of data[start, end), as a signed 32-bit int. */
export function murmur2(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start;
  let h = (SEED ^ length) | 0;
  const blocks = length >> 2;
  for (let i = 0; i < blocks; i++) {
    const o = start + (i << 2);
    let k =
      (data[o] & 0xff) | ((data[o + 1] & 0xff) << 8) | ((data[o + 2] & 0xff) << 16) | ((data[o + 3] & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = start + (blocks << 2);
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionForKey(key: Uint8Array, partitions: number, start = 0, end = key.length): number {
  if (partitions === 1) return 0;
  return (murmur2(key, start, end) & 0x7fffffff) % partitions;
}
