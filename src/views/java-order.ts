/**
 * Java's HashMap iteration order, for output that Kafka's tools print
 * straight out of a HashMap (the configs in `kafka-topics.sh --describe`,
 * the order of described topics). Reproducing it is what makes ktool's text
 * identical to Kafka's instead of merely equivalent.
 *
 * A HashMap iterates bucket by bucket (bucket = spread(hashCode) & (capacity - 1))
 * and, within a bucket, in insertion order; capacity starts at 16 (or at the
 * power of two >= the initial capacity given) and doubles whenever the size
 * exceeds 3/4 of it. Resizing keeps the relative order inside a bucket.
 * (Tree bins, used from 8 collisions in one bucket of a 64+ table, are not
 * modelled: the handful of keys these tools print never get there.)
 */

/** Java's String.hashCode (UTF-16 code units, 32-bit wrap-around). */
export function javaStringHash(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}

function spread(h: number): number {
  return h ^ (h >>> 16)
}

function tableSizeFor(capacity: number): number {
  let n = 1
  while (n < capacity) n *= 2
  return n
}

const LOAD_FACTOR = 0.75
const TREEIFY_THRESHOLD = 8
const MIN_TREEIFY_CAPACITY = 64

/**
 * The order in which `new HashMap<>(initialCapacity)` (or `new HashMap<>()`
 * when undefined) iterates after putting the keys in the given order.
 * Duplicate keys keep their first position, as a put of an existing key does.
 */
export function javaHashMapOrder<T>(items: readonly T[], keyOf: (item: T) => string, initialCapacity?: number): T[] {
  type Entry = { hash: number; key: string; item: T }
  let table: Entry[][] | null = null
  let threshold = initialCapacity === undefined ? 0 : tableSizeFor(Math.max(0, initialCapacity))
  let size = 0

  const resize = (): void => {
    const oldCap = table === null ? 0 : table.length
    const oldThr = threshold
    let newCap: number
    let newThr = 0
    if (oldCap > 0) {
      newCap = oldCap * 2
      if (oldCap >= 16) newThr = oldThr * 2
    } else if (oldThr > 0) {
      newCap = oldThr
    } else {
      newCap = 16
      newThr = 12
    }
    if (newThr === 0) newThr = Math.floor(newCap * LOAD_FACTOR)
    threshold = newThr
    const next: Entry[][] = Array.from({ length: newCap }, () => [])
    if (table !== null) for (const bucket of table) for (const e of bucket) next[e.hash & (newCap - 1)]!.push(e)
    table = next
  }

  for (const item of items) {
    const key = keyOf(item)
    const hash = spread(javaStringHash(key))
    if (table === null) resize()
    const bucket = table![hash & (table!.length - 1)]!
    if (bucket.some((e) => e.key === key)) continue
    bucket.push({ hash, key, item })
    if (bucket.length > TREEIFY_THRESHOLD && table!.length < MIN_TREEIFY_CAPACITY) resize()
    if (++size > threshold) resize()
  }
  const out: T[] = []
  if (table !== null) for (const bucket of table as Entry[][]) for (const e of bucket) out.push(e.item)
  return out
}

/** Iteration order of a HashMap<String, V>(n) filled from another HashMap(n) filled in the given order (Kafka's admin result maps). */
export function javaResultMapOrder<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const first = javaHashMapOrder(items, keyOf, items.length)
  return javaHashMapOrder(first, keyOf, items.length)
}
