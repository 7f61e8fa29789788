/**
 * Java semantics that Kafka's behaviour and output depend on, written once:
 *
 * - String.hashCode, which places a group or transactional id on a partition of
 *   __consumer_offsets or __transaction_state;
 * - HashMap iteration order: Kafka's tools print many results straight out of a
 *   HashMap (configs, topics, groups, partitions, brokers), so reproducing the order
 *   is what makes ktool's text identical to Kafka's instead of merely equivalent;
 * - String.split with a literal separator, and Integer.parseInt / Long.parseLong,
 *   which decide what Kafka's tools accept as arguments.
 *
 * It lives in protocol/ because every room needs it, the broker included.
 */

/** Java's String.hashCode (UTF-16 code units, 32-bit wrap-around). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's TopicPartition.hashCode: 31 * (31 + partition) + topic.hashCode(). */
export function topicPartitionHash(topic: string, partition: number): number {
  return (Math.imul(31, (31 + partition) | 0) + javaStringHash(topic)) | 0;
}

/** Kafka's Node.hashCode (host, id, port, rack). */
export function nodeHash(node: { id: number; host: string; port: number; rack: string | null }): number {
  let h = (31 + javaStringHash(node.host)) | 0;
  h = (Math.imul(31, h) + node.id) | 0;
  h = (Math.imul(31, h) + node.port) | 0;
  h = (Math.imul(31, h) + (node.rack === null ? 0 : javaStringHash(node.rack))) | 0;
  return h;
}

function tableSizeFor(capacity: number): number {
  let n = 1;
  while (n < capacity) n *= 2;
  return n;
}

const LOAD_FACTOR = 0.75;
const TREEIFY_THRESHOLD = 8;
const MIN_TREEIFY_CAPACITY = 64;

/**
 * The order in which `new HashMap<>(initialCapacity)` (or `new HashMap<>()` when
 * undefined) iterates after putting the items in the given order, each hashed by
 * `hashOf` (its key's hashCode). With `keyOf`, a repeated key keeps its first
 * position, as a put of an existing key does; without it the keys are taken as distinct.
 *
 * A HashMap iterates bucket by bucket (bucket = spread(hashCode) & (capacity - 1))
 * and, within a bucket, in insertion order; capacity starts at 16 (or at the power
 * of two >= the initial capacity given) and doubles whenever the size exceeds 3/4
 * of it, or when one bucket of a table under 64 reaches 9 entries. Resizing keeps
 * the relative order inside a bucket. (Tree bins themselves, from 9 collisions in
 * one bucket of a 64+ table, are not modelled: the keys these tools print never get there.)
 */
export function javaHashOrder<T>(
  items: readonly T[],
  hashOf: (item: T) => number,
  initialCapacity?: number,
  keyOf?: (item: T) => string,
): T[] {
  type Entry = { hash: number; key: string | undefined; item: T };
  let table: Entry[][] | null = null;
  let threshold = initialCapacity === undefined ? 0 : tableSizeFor(Math.max(0, initialCapacity));
  let size = 0;

  const resize = (): void => {
    const oldCap = table === null ? 0 : table.length;
    const oldThr = threshold;
    let newCap: number;
    let newThr = 0;
    if (oldCap > 0) {
      newCap = oldCap * 2;
      if (oldCap >= 16) newThr = oldThr * 2;
    } else if (oldThr > 0) {
      newCap = oldThr;
    } else {
      newCap = 16;
      newThr = 12;
    }
    if (newThr === 0) newThr = Math.floor(newCap * LOAD_FACTOR);
    threshold = newThr;
    const next: Entry[][] = Array.from({ length: newCap }, () => []);
    if (table !== null) for (const bucket of table) for (const e of bucket) next[e.hash & (newCap - 1)]!.push(e);
    table = next;
  };

  for (const item of items) {
    const key = keyOf?.(item);
    const h = hashOf(item) | 0;
    const hash = h ^ (h >>> 16);
    if (table === null) resize();
    const bucket = table![hash & (table!.length - 1)]!;
    if (key !== undefined && bucket.some((e) => e.key === key)) continue;
    bucket.push({ hash, key, item });
    if (bucket.length > TREEIFY_THRESHOLD && table!.length < MIN_TREEIFY_CAPACITY) resize();
    if (++size > threshold) resize();
  }
  const out: T[] = [];
  if (table !== null) for (const bucket of table as Entry[][]) for (const e of bucket) out.push(e.item);
  return out;
}

/** The iteration order of a HashMap<String, V>, keys given by `keyOf` (see javaHashOrder). */
export function javaHashMapOrder<T>(items: readonly T[], keyOf: (item: T) => string, initialCapacity?: number): T[] {
  return javaHashOrder(items, (item) => javaStringHash(keyOf(item)), initialCapacity, keyOf);
}

/** Iteration order of a HashMap<String, V>(n) filled from another HashMap(n) filled in the given order (Kafka's admin result maps). */
export function javaResultMapOrder<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const first = javaHashMapOrder(items, keyOf, items.length);
  return javaHashMapOrder(first, keyOf, items.length);
}

/** The iteration order of a HashMap<TopicPartition, V> (repeated partitions keep their first position). */
export function topicPartitionMapOrder<T extends { topic: string; partition: number }>(items: readonly T[]): T[] {
  return javaHashOrder(
    items,
    (t) => topicPartitionHash(t.topic, t.partition),
    undefined,
    (t) => `${t.topic}\u0000${t.partition}`,
  );
}

/** Iteration order of a HashSet<Integer> filled with the given ids. */
export function javaIntSetOrder(ids: Iterable<number>): number[] {
  return javaHashOrder([...new Set(ids)], (id) => id);
}

/**
 * Java's String.split: trailing empty strings are dropped, so a text of separators
 * only gives no parts at all, while the empty text gives ['']. A RegExp separator must
 * not match the empty string nor hold capturing groups (JavaScript would return them).
 */
export function javaSplit(text: string, sep: string | RegExp): string[] {
  const parts = text.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 0 && text.length === 0 ? [''] : parts;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Java's Integer.parseInt (decimal, optional sign, int32); undefined where Java throws NumberFormatException. */
export function parseJavaInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n > INT_MAX || n < INT_MIN ? undefined : n;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Java's Long.parseLong (decimal, optional sign, -2^63..2^63-1); undefined where Java throws. */
export function parseJavaLong(text: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n < LONG_MIN || n > LONG_MAX ? undefined : n;
}
