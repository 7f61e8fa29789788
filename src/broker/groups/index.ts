// The classic group coordinator and the helpers its request handlers share.
import type { RequestContext } from '../handlers/handler.js';
import type { GroupCoordinator } from './coordinator.js';

export {
  GroupCoordinator,
  OFFSETS_STATE_DIR,
  NEW_MEMBER_JOIN_TIMEOUT_MS,
  MAX_OFFSET_METADATA_LENGTH,
} from './coordinator.js';
export type {
  CoordinatorDeps,
  JoinGroupRequest,
  SyncGroupRequest,
  HeartbeatRequest,
  LeavingMember,
  LeaveResult,
  CommitRequest,
  CommitPartition,
  TopicPartitionErrors,
  FetchResult,
  FetchedPartition,
  DescribedGroup,
  DescribedMember,
  ListedGroup,
  OffsetDeleteResult,
} from './coordinator.js';
export { Group, Member, GROUP_STATES, joinError, syncError } from './group.js';
export type { GroupState, JoinResult, SyncResult, MemberProtocol } from './group.js';
export { systemClock, ManualClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { OffsetStore } from './offset-store.js';
export type { CommittedOffset } from './offset-store.js';

/** The broker's group coordinator, as the handlers reach it. */
export function coordinatorOf(ctx: RequestContext): GroupCoordinator {
  return ctx.broker.groups;
}

/**
 * The client's address the way Kafka shows it in DescribeGroups: "/" and the IP, with
 * IPv4-mapped IPv6 shown as IPv4 and other IPv6 written out in full ("/0:0:0:0:0:0:0:1").
 * `remoteAddress` is "ip:port".
 */
export function clientHostOf(remoteAddress: string): string {
  let ip = remoteAddress;
  const bracketed = /^\[(.*)\]:\d+$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  else ip = ip.replace(/:\d+$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `/${mapped[1]}`;
  if (!ip.includes(':')) return `/${ip}`;
  return `/${expandIpv6(ip)}`;
}

function expandIpv6(ip: string): string {
  const zone = ip.indexOf('%');
  const bare = zone >= 0 ? ip.slice(0, zone) : ip;
  const toGroups = (part: string): string[] => {
    if (part === '') return [];
    const out: string[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const b = g.split('.').map(Number);
        out.push(((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16));
      } else {
        out.push(g);
      }
    }
    return out;
  };
  const [head, tail] = bare.split('::') as [string, string | undefined];
  const left = toGroups(head);
  const right = tail === undefined ? [] : toGroups(tail);
  const fill = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  const groups = [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16));
  if (groups.length !== 8 || groups.some((g) => g === 'NaN')) return ip;
  return groups.join(':');
}
