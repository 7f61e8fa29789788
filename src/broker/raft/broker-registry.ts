// The active controller's side of broker membership (Kafka's ClusterControlManager and heartbeat
// manager): BrokerRegistration writes a fenced RegisterBrokerRecord whose offset becomes the broker
// epoch, a heartbeat from a caught-up broker unfences it (UnfenceBrokerRecord), and a broker silent
// for broker.session.timeout.ms is fenced (FenceBrokerRecord). Every change is a metadata record
// committed through the quorum first, so only a controller with a majority can make it.
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeMetadataRecord } from '../../protocol/log-records.js';
import type { MessageBody } from '../../protocol/types.js';
import type { MetadataImage } from './metadata-image.js';
import { changesForFencing, changesForUnfencing } from './partition-changes.js';
import { RaftError, systemClock, type RaftClock, type RaftNode } from './raft-node.js';
import { metadataWriteError } from './raft-types.js';

export const API_BROKER_REGISTRATION = 62;
export const API_BROKER_HEARTBEAT = 63;

export interface BrokerRegistryOptions {
  raft: RaftNode;
  image: MetadataImage;
  clusterId: string;
  sessionTimeoutMs?: number;
  /** How long a write may wait for the quorum before the request gives up. */
  writeTimeoutMs?: number;
  clock?: RaftClock;
  log?: (line: string) => void;
}

export class BrokerRegistry {
  private readonly raft: RaftNode;
  private readonly image: MetadataImage;
  private readonly clusterId: string;
  private readonly sessionTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly clock: RaftClock;
  private readonly log: (line: string) => void;
  /** Last heartbeat per broker, as seen by this controller while active. */
  private readonly lastContact = new Map<number, number>();
  /** Brokers with a fence or unfence on its way through the quorum. */
  private readonly changing = new Set<number>();
  private activeEpoch = -1;
  private timer: unknown;
  private stopped = false;

  constructor(opts: BrokerRegistryOptions) {
    this.raft = opts.raft;
    this.image = opts.image;
    this.clusterId = opts.clusterId;
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 9000;
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 5000;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? (() => {});
    this.scheduleSessionCheck();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  /**
   * On becoming active, every unfenced broker gets a full session before it can be fenced. A
   * fenced one has none, so its next incarnation registers at once (as after a controlled shutdown).
   */
  private isActive(): boolean {
    if (this.raft.role !== 'leader') return false;
    if (this.activeEpoch !== this.raft.epoch) {
      this.activeEpoch = this.raft.epoch;
      const now = this.clock.now();
      for (const b of this.image.brokers.values()) {
        if (b.fenced) this.lastContact.delete(b.id);
        else this.lastContact.set(b.id, now);
      }
    }
    return true;
  }

  private scheduleSessionCheck(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.fenceExpiredSessions();
        this.scheduleSessionCheck();
      },
      Math.max(100, Math.floor(this.sessionTimeoutMs / 4)),
    );
  }

  private fenceExpiredSessions(): void {
    if (!this.isActive()) return;
    const now = this.clock.now();
    for (const b of this.image.brokers.values()) {
      if (b.fenced || this.changing.has(b.id)) continue;
      const last = this.lastContact.get(b.id) ?? now;
      if (now - last <= this.sessionTimeoutMs) continue;
      this.log(
        `Controller: fencing broker ${b.id} (epoch ${b.epoch}): no heartbeat for ${now - last} ms (broker.session.timeout.ms=${this.sessionTimeoutMs})`,
      );
      this.changing.add(b.id);
      this.write([
        encodeMetadataRecord('FenceBrokerRecord', 0, { id: b.id, epoch: b.epoch }),
        ...changesForFencing(this.image, b.id),
      ])
        .catch(() => {})
        .finally(() => this.changing.delete(b.id));
    }
  }

  /** Appends through the quorum; rejects when the write cannot commit in time. */
  private write(records: Buffer[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => reject(new RaftError('REQUEST_TIMED_OUT', 'the metadata write did not reach a majority in time')),
        this.writeTimeoutMs,
      );
      this.raft.append(records).then(
        (offset) => {
          this.clock.clearTimeout(timer);
          resolve(offset);
        },
        (err) => {
          this.clock.clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  private static errorFor(err: unknown): number {
    return metadataWriteError(err);
  }

  async handleRegistration(req: MessageBody): Promise<object> {
    const reply = (errorCode: number, brokerEpoch = -1) => ({ throttleTimeMs: 0, errorCode, brokerEpoch });
    if (!this.isActive()) return reply(ErrorCode.NOT_CONTROLLER);
    if (req.clusterId !== this.clusterId) return reply(ErrorCode.INCONSISTENT_CLUSTER_ID);
    const id: number = req.brokerId;
    const existing = this.image.brokers.get(id);
    const now = this.clock.now();
    if (
      existing &&
      existing.incarnationId !== req.incarnationId &&
      now - (this.lastContact.get(id) ?? 0) <= this.sessionTimeoutMs
    ) {
      return reply(ErrorCode.DUPLICATE_BROKER_REGISTRATION);
    }
    if (existing && existing.incarnationId === req.incarnationId) {
      // The same process asking again (its answer was lost): the registration it already has.
      this.lastContact.set(id, now);
      return reply(ErrorCode.NONE, existing.epoch);
    }
    const brokerEpoch = this.raft.logEndOffset;
    const record = encodeMetadataRecord('RegisterBrokerRecord', 0, {
      brokerId: id,
      incarnationId: req.incarnationId,
      brokerEpoch,
      endPoints: (req.listeners ?? []).map((l: MessageBody) => ({
        name: l.name,
        host: l.host,
        port: l.port,
        securityProtocol: l.securityProtocol,
      })),
      features: (req.features ?? []).map((f: MessageBody) => ({
        name: f.name,
        minSupportedVersion: f.minSupportedVersion,
        maxSupportedVersion: f.maxSupportedVersion,
      })),
      rack: req.rack ?? null,
      fenced: true,
    });
    try {
      // A new incarnation replaces a live one: its old leaderships move away first.
      const moves = existing && !existing.fenced ? changesForFencing(this.image, id) : [];
      await this.write([record, ...moves]);
      this.lastContact.set(id, this.clock.now());
      this.log(`Controller: registered broker ${id} with epoch ${brokerEpoch}`);
      // The record is first in its batch, so its offset, the broker epoch, is the batch's base offset.
      return reply(ErrorCode.NONE, brokerEpoch);
    } catch (err) {
      return reply(BrokerRegistry.errorFor(err));
    }
  }

  async handleHeartbeat(req: MessageBody): Promise<object> {
    const reply = (errorCode: number, fenced = true, caughtUp = false) => ({
      throttleTimeMs: 0,
      errorCode,
      isCaughtUp: caughtUp,
      isFenced: fenced,
      shouldShutDown: false,
    });
    if (!this.isActive()) return reply(ErrorCode.NOT_CONTROLLER);
    const b = this.image.brokers.get(req.brokerId);
    if (!b) return reply(ErrorCode.BROKER_ID_NOT_REGISTERED);
    if (b.epoch !== req.brokerEpoch) return reply(ErrorCode.STALE_BROKER_EPOCH);
    this.lastContact.set(b.id, this.clock.now());
    const caughtUp = req.currentMetadataOffset >= b.epoch;
    const wantFenced = req.wantFence || req.wantShutDown || !caughtUp;
    if (b.fenced === wantFenced || this.changing.has(b.id)) {
      // A broker done with its controlled shutdown ends its session: its next incarnation may register at once.
      if (req.wantShutDown && b.fenced) this.lastContact.delete(b.id);
      return { ...reply(ErrorCode.NONE, b.fenced, caughtUp), shouldShutDown: !!req.wantShutDown };
    }
    this.changing.add(b.id);
    try {
      // Leaderships move in the same batch as the fence, so no reader sees a fenced leader.
      const record = encodeMetadataRecord(wantFenced ? 'FenceBrokerRecord' : 'UnfenceBrokerRecord', 0, {
        id: b.id,
        epoch: b.epoch,
      });
      await this.write([
        record,
        ...(wantFenced ? changesForFencing(this.image, b.id) : changesForUnfencing(this.image, b.id)),
      ]);
      if (!wantFenced) this.log(`Controller: unfenced broker ${b.id} (epoch ${b.epoch})`);
      if (req.wantShutDown) this.lastContact.delete(b.id);
      return { ...reply(ErrorCode.NONE, wantFenced, caughtUp), shouldShutDown: !!req.wantShutDown };
    } catch (err) {
      return reply(BrokerRegistry.errorFor(err));
    } finally {
      this.changing.delete(b.id);
    }
  }
}

/** A fresh incarnation id: one per broker process, as Kafka's Uuid.randomUuid. */
export function newIncarnationId(): string {
  return randomBytes(16).toString('base64url');
}
