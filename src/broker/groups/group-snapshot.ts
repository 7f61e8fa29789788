// A stable group as the coordinator stores it (Kafka's GroupMetadataValue): generation,
// protocol, leader and every member with its subscription and assignment. On a cluster a
// broker that takes over the group's __consumer_offsets partition restores the group from it,
// so members go on heartbeating with their generation instead of rejoining.
import type { Group } from './group.js';
import { Member } from './group.js';

/** JSON-friendly (it also rides in the single broker's offsets file): bytes as base64. */
export interface StoredMember {
  id: string;
  gi: string | null;
  ci: string;
  ch: string;
  rt: number;
  st: number;
  /** The member's metadata for the group's protocol (its subscription). */
  md: string;
  as: string;
}

export interface GroupSnapshot {
  gen: number;
  pr: string | null;
  ld: string | null;
  ms: StoredMember[];
}

/** The snapshot of a Stable group with members; null otherwise (nothing to restore). */
export function snapshotOf(group: Group): GroupSnapshot | null {
  if (!group.is('Stable') || group.size === 0 || group.protocolName === null) return null;
  const protocol = group.protocolName;
  return {
    gen: group.generationId,
    pr: protocol,
    ld: group.leaderId,
    ms: [...group.members.values()].map((m) => ({
      id: m.memberId,
      gi: m.groupInstanceId,
      ci: m.clientId,
      ch: m.clientHost,
      rt: m.rebalanceTimeoutMs,
      st: m.sessionTimeoutMs,
      md: m.metadata(protocol).toString('base64'),
      as: m.assignment.toString('base64'),
    })),
  };
}

export function sameSnapshot(a: GroupSnapshot | null | undefined, b: GroupSnapshot | null | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Puts a group back as it was stored: Stable, its generation, protocol, leader and members. */
export function restoreGroup(group: Group, snap: GroupSnapshot, protocolType: string | null, now: number): void {
  for (const s of snap.ms) {
    const member = new Member({
      memberId: s.id,
      groupInstanceId: s.gi,
      clientId: s.ci,
      clientHost: s.ch,
      rebalanceTimeoutMs: s.rt,
      sessionTimeoutMs: s.st,
      protocolType: protocolType ?? '',
      protocols: [{ name: snap.pr ?? '', metadata: Buffer.from(s.md, 'base64') }],
    });
    member.assignment = Buffer.from(s.as, 'base64');
    group.add(member, null);
  }
  group.restoreStable(snap.gen, snap.pr, snap.ld, protocolType, now);
}
