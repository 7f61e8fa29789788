// The broker role's membership in a KRaft cluster (Kafka's BrokerLifecycleManager): register with the
// active controller over the controller listener, then heartbeat every broker.heartbeat.interval.ms.
// The active controller is found by asking the voters in turn; NOT_CONTROLLER moves on to the next.
// A STALE_BROKER_EPOCH or BROKER_ID_NOT_REGISTERED answer means the registration is gone: register again.
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { MessageBody } from '../../protocol/types.js';
import { API_BROKER_HEARTBEAT, API_BROKER_REGISTRATION, newIncarnationId } from './broker-registry.js';
import { systemClock, type RaftClock, type RaftTransport } from './raft-node.js';

export interface BrokerListenerInfo {
  name: string;
  host: string;
  port: number;
  /** SecurityProtocol id: PLAINTEXT 0, SSL 1, SASL_PLAINTEXT 2, SASL_SSL 3. */
  securityProtocol: number;
}

export const SECURITY_PROTOCOL_IDS: Readonly<Record<string, number>> = {
  PLAINTEXT: 0,
  SSL: 1,
  SASL_PLAINTEXT: 2,
  SASL_SSL: 3,
};

export interface BrokerLifecycleOptions {
  brokerId: number;
  clusterId: string;
  controllers: readonly number[];
  transport: RaftTransport;
  listeners: BrokerListenerInfo[];
  rack?: string | null;
  /** The offset of the last metadata record this broker has applied. */
  metadataOffset: () => number;
  heartbeatIntervalMs?: number;
  /** The active controller this node already knows of (a combined node's own quorum member), or -1. */
  controllerHint?: () => number;
  clock?: RaftClock;
  log?: (line: string) => void;
}

export class BrokerLifecycle {
  readonly incarnationId = newIncarnationId();
  brokerEpoch = -1;
  fenced = true;
  private controllerIndex = 0;
  private timer: unknown;
  private stopped = false;
  private readonly clock: RaftClock;
  private readonly interval: number;
  private readonly log: (line: string) => void;
  private lastError = '';

  constructor(private readonly opts: BrokerLifecycleOptions) {
    this.clock = opts.clock ?? systemClock;
    this.interval = opts.heartbeatIntervalMs ?? 2000;
    this.log = opts.log ?? (() => {});
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  /**
   * Controlled shutdown (SIGTERM): tells the active controller this broker is leaving, so it is fenced
   * now rather than after broker.session.timeout.ms. Best effort: gives up after `timeoutMs`.
   */
  async shutdown(timeoutMs = 2000): Promise<void> {
    this.stop();
    if (this.brokerEpoch < 0) return;
    const request = this.opts.transport
      .send(this.controller, API_BROKER_HEARTBEAT, {
        brokerId: this.opts.brokerId,
        brokerEpoch: this.brokerEpoch,
        currentMetadataOffset: this.opts.metadataOffset(),
        wantFence: true,
        wantShutDown: true,
      })
      .then(
        (res) => {
          if (res.errorCode === ErrorCode.NONE)
            this.log(`Broker ${this.opts.brokerId}: controlled shutdown acknowledged by controller ${this.controller}`);
        },
        () => {},
      );
    await Promise.race([request, new Promise<void>((r) => this.clock.setTimeout(r, timeoutMs))]);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.tick(), ms);
  }

  private get controller(): number {
    const hint = this.opts.controllerHint?.() ?? -1;
    if (hint >= 0 && this.opts.controllers.includes(hint)) return hint;
    return this.opts.controllers[this.controllerIndex % this.opts.controllers.length]!;
  }

  private nextController(why: string): void {
    if (why !== this.lastError)
      this.log(`Broker ${this.opts.brokerId}: controller ${this.controller} ${why}; trying the next voter`);
    this.lastError = why;
    this.controllerIndex++;
  }

  private async send(apiKey: number, body: object): Promise<MessageBody | null> {
    try {
      return await this.opts.transport.send(this.controller, apiKey, body);
    } catch (err) {
      this.nextController(`is unreachable (${(err as Error).message})`);
      return null;
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.brokerEpoch < 0) await this.register();
    else await this.heartbeat();
    this.schedule(this.brokerEpoch < 0 ? Math.min(this.interval, 500) : this.interval);
  }

  private async register(): Promise<void> {
    const res = await this.send(API_BROKER_REGISTRATION, {
      brokerId: this.opts.brokerId,
      clusterId: this.opts.clusterId,
      incarnationId: this.incarnationId,
      listeners: this.opts.listeners,
      features: [],
      rack: this.opts.rack ?? null,
      isMigratingZkBroker: false,
      logDirs: [],
      previousBrokerEpoch: -1,
    });
    if (!res || this.stopped) return;
    if (res.errorCode === ErrorCode.NONE) {
      this.brokerEpoch = res.brokerEpoch;
      this.lastError = '';
      this.log(
        `Broker ${this.opts.brokerId}: registered with controller ${this.controller}, broker epoch ${this.brokerEpoch}`,
      );
    } else if (res.errorCode === ErrorCode.NOT_CONTROLLER) {
      this.nextController('is not the active controller');
    } else {
      const why = `registration refused: ${errorName(res.errorCode)}`;
      if (why !== this.lastError) this.log(`Broker ${this.opts.brokerId}: ${why}`);
      this.lastError = why;
    }
  }

  private async heartbeat(): Promise<void> {
    const res = await this.send(API_BROKER_HEARTBEAT, {
      brokerId: this.opts.brokerId,
      brokerEpoch: this.brokerEpoch,
      currentMetadataOffset: this.opts.metadataOffset(),
      wantFence: false,
      wantShutDown: false,
    });
    if (!res || this.stopped) return;
    switch (res.errorCode) {
      case ErrorCode.NONE:
        if (this.fenced && !res.isFenced)
          this.log(`Broker ${this.opts.brokerId}: unfenced by controller ${this.controller}`);
        this.fenced = res.isFenced;
        this.lastError = '';
        break;
      case ErrorCode.NOT_CONTROLLER:
        this.nextController('is not the active controller');
        break;
      case ErrorCode.STALE_BROKER_EPOCH:
      case ErrorCode.BROKER_ID_NOT_REGISTERED:
        this.log(`Broker ${this.opts.brokerId}: heartbeat refused (${errorName(res.errorCode)}); registering again`);
        this.brokerEpoch = -1;
        this.fenced = true;
        break;
      default:
        this.lastError = `heartbeat failed: ${errorName(res.errorCode)}`;
    }
  }
}
