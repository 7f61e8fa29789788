/**
 * Java HashMap iteration order for keys that are not strings (see
 * java-order.ts for the string case and the reasoning): Kafka's tools print
 * maps keyed by TopicPartition, Node or Integer straight out of a HashMap.
 *
 * A HashMap iterates bucket by bucket; entries of one bucket stay in
 * insertion order, through every resize. So the final order is the
 * insertion order stably sorted by the bucket index in the final table.
 */
import { javaStringHash } from './java-order.js'

function tableSizeFor(capacity: number): number {
  let n = 1
  while (n < capacity) n *= 2
  return n
}

/**
 * The iteration order of `new HashMap<>(initialCapacity)` (or `new HashMap<>()`)
 * after putting distinct keys in the given order, keys hashed by `hashOf`.
 */
export function javaHashOrder<T>(items: readonly T[], hashOf: (item: T) => number, initialCapacity?: number): T[] {
  let capacity = initialCapacity === undefined ? 16 : tableSizeFor(Math.max(1, initialCapacity))
  for (let size = 1; size <= items.length; size++) if (size > Math.floor(capacity * 0.75)) capacity *= 2
  const mask = capacity - 1
  const bucket = (item: T): number => {
    const h = hashOf(item) | 0
    return (h ^ (h >>> 16)) & mask
  }
  return items
    .map((item, index) => ({ item, index, bucket: bucket(item) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.item)
}

/** TopicPartition.hashCode. */
export function topicPartitionHash(topic: string, partition: number): number {
  return (Math.imul(31, 31 + partition) + javaStringHash(topic)) | 0
}

/** Node.hashCode (host, id, port, rack). */
export function nodeHash(node: { id: number; host: string; port: number; rack: string | null }): number {
  let h = (31 + javaStringHash(node.host)) | 0
  h = (Math.imul(31, h) + node.id) | 0
  h = (Math.imul(31, h) + node.port) | 0
  h = (Math.imul(31, h) + (node.rack === null ? 0 : javaStringHash(node.rack))) | 0
  return h
}

/** Iteration order of a HashSet<Integer> filled with the given ids. */
export function javaIntSetOrder(ids: Iterable<number>): number[] {
  return javaHashOrder([...new Set(ids)], (id) => id)
}
