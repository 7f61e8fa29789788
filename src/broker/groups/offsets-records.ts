// The committed-offsets store's changes as the records Kafka keeps in __consumer_offsets:
// OffsetCommitKey/OffsetCommitValue per committed partition, GroupMetadataKey/
// GroupMetadataValue per group, and a null value (a tombstone) for a deletion. A cluster
// replicates these, so a broker that takes over a group's partition rebuilds the group
// from them.
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from '../../protocol/log-records.js';
import { committedOf, type CommittedOffset, type OffsetStore, type StoreOp } from './offset-store.js';

/** Key versions name the record type, as in Kafka: 0-1 an offset, 2 a group. */
const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
/** v1 carries an explicit expiry (OffsetCommit v2-4 retention); v3 carries the leader epoch. */
const OFFSET_VALUE_EXPIRING = 1;
const OFFSET_VALUE_VERSION = 3;
const GROUP_VALUE_VERSION = 3;

export interface OffsetsRecord {
  /** The group the record belongs to: it decides the partition. */
  group: string;
  key: Buffer;
  /** Null is a tombstone. */
  value: Buffer | null;
}

function offsetKey(group: string, topic: string, partition: number): Buffer {
  return encodeCoordinatorRecord('OffsetCommitKey', OFFSET_KEY_VERSION, { group, topic, partition });
}

function groupKey(group: string): Buffer {
  return encodeCoordinatorRecord('GroupMetadataKey', GROUP_KEY_VERSION, { group });
}

function offsetValue(c: CommittedOffset): Buffer {
  const expiring = c.expireTimestamp !== -1;
  return encodeCoordinatorRecord('OffsetCommitValue', expiring ? OFFSET_VALUE_EXPIRING : OFFSET_VALUE_VERSION, {
    offset: c.offset,
    leaderEpoch: c.leaderEpoch,
    metadata: c.metadata,
    commitTimestamp: c.commitTimestamp,
    expireTimestamp: c.expireTimestamp,
  });
}

/**
 * The records for a change to `store` (before it is applied). A deleted group or topic
 * becomes one tombstone per offset it had, since compaction works key by key.
 */
export function recordsOf(ops: readonly StoreOp[], store: OffsetStore): OffsetsRecord[] {
  const out: OffsetsRecord[] = [];
  for (const op of ops) {
    switch (op.t) {
      case 'o':
        out.push({
          group: op.g,
          key: offsetKey(op.g, op.tp, op.p),
          value: offsetValue(committedOf(op)),
        });
        break;
      case 'od':
        out.push({ group: op.g, key: offsetKey(op.g, op.tp, op.p), value: null });
        break;
      case 'g':
        out.push({
          group: op.g,
          key: groupKey(op.g),
          value: encodeCoordinatorRecord('GroupMetadataValue', GROUP_VALUE_VERSION, {
            // Offsets-only groups have no protocol type; Kafka writes them with an empty one.
            protocolType: op.pt ?? '',
            generation: op.m?.gen ?? 0,
            protocol: op.m?.pr ?? null,
            leader: op.m?.ld ?? null,
            currentStateTimestamp: op.es ?? -1,
            members: (op.m?.ms ?? []).map((m) => ({
              memberId: m.id,
              groupInstanceId: m.gi,
              clientId: m.ci,
              clientHost: m.ch,
              rebalanceTimeout: m.rt,
              sessionTimeout: m.st,
              subscription: Buffer.from(m.md, 'base64'),
              assignment: Buffer.from(m.as, 'base64'),
            })),
          }),
        });
        break;
      case 'gd':
        for (const [tp, parts] of store.offsets(op.g))
          for (const p of parts.keys()) out.push({ group: op.g, key: offsetKey(op.g, tp, p), value: null });
        out.push({ group: op.g, key: groupKey(op.g), value: null });
        break;
      case 'td':
        for (const g of store.groupIds()) {
          const parts = store.offsets(g).get(op.tp);
          if (parts) for (const p of parts.keys()) out.push({ group: g, key: offsetKey(g, op.tp, p), value: null });
        }
        break;
    }
  }
  return out;
}

/** The store change one __consumer_offsets record stands for; null for records of other kinds. */
export function opOf(key: Buffer, value: Buffer | null): StoreOp | null {
  if (key.length < 2) return null;
  const version = key.readInt16BE(0);
  if (version === 0 || version === OFFSET_KEY_VERSION) {
    const k = decodeCoordinatorRecord('OffsetCommitKey', key).body as {
      group: string;
      topic: string;
      partition: number;
    };
    if (value === null) return { t: 'od', g: k.group, tp: k.topic, p: k.partition };
    const v = decodeCoordinatorRecord('OffsetCommitValue', value);
    const body = v.body as {
      offset: bigint | number;
      leaderEpoch?: number;
      metadata: string;
      commitTimestamp: bigint | number;
      expireTimestamp?: bigint | number;
    };
    return {
      t: 'o',
      g: k.group,
      tp: k.topic,
      p: k.partition,
      o: Number(body.offset),
      e: body.leaderEpoch ?? -1,
      m: body.metadata,
      c: Number(body.commitTimestamp),
      x: v.version === OFFSET_VALUE_EXPIRING ? Number(body.expireTimestamp ?? -1) : -1,
    };
  }
  if (version === GROUP_KEY_VERSION) {
    const k = decodeCoordinatorRecord('GroupMetadataKey', key).body as { group: string };
    if (value === null) return { t: 'gd', g: k.group };
    const body = decodeCoordinatorRecord('GroupMetadataValue', value).body as {
      protocolType: string;
      generation: number;
      protocol: string | null;
      leader: string | null;
      currentStateTimestamp?: bigint | number;
      members: Array<{
        memberId: string;
        groupInstanceId?: string | null;
        clientId: string;
        clientHost: string;
        rebalanceTimeout?: number;
        sessionTimeout: number;
        subscription: Buffer;
        assignment: Buffer;
      }>;
    };
    const es = Number(body.currentStateTimestamp ?? -1);
    const op: StoreOp = {
      t: 'g',
      g: k.group,
      pt: body.protocolType === '' ? null : body.protocolType,
      es: es < 0 ? null : es,
    };
    if (body.members.length > 0)
      op.m = {
        gen: body.generation,
        pr: body.protocol,
        ld: body.leader,
        ms: body.members.map((m) => ({
          id: m.memberId,
          gi: m.groupInstanceId ?? null,
          ci: m.clientId,
          ch: m.clientHost,
          rt: m.rebalanceTimeout ?? -1,
          st: m.sessionTimeout,
          md: Buffer.from(m.subscription).toString('base64'),
          as: Buffer.from(m.assignment).toString('base64'),
        })),
      };
    return op;
  }
  return null;
}
