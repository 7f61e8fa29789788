// Time and timers for the group coordinator, behind an interface so tests can drive
// session timeouts, rebalance delays and offset retention without sleeping.

/** Returned by `setTimer`; cancelling a timer that already fired does nothing. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once, `ms` milliseconds from now. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

// setTimeout takes at most a signed 32-bit delay; longer ones would fire at once.
const MAX_TIMEOUT = 2 ** 31 - 1;

/** Wall-clock time and Node timers. Timers never keep the process alive on their own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const deadline = Date.now() + Math.max(0, ms);
    const arm = (delay: number) => {
      timer = setTimeout(() => {
        const left = deadline - Date.now();
        if (left > 0 && delay === MAX_TIMEOUT) arm(Math.min(left, MAX_TIMEOUT));
        else if (!cancelled) fn();
      }, delay);
      timer.unref();
    };
    arm(Math.min(Math.max(0, ms), MAX_TIMEOUT));
    return {
      cancel() {
        cancelled = true;
        if (timer) clearTimeout(timer);
      },
    };
  },
};

interface ManualTimer {
  id: number;
  due: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. `advance(ms)` runs every timer that falls due,
 * in deadline order (ties in creation order), with `now()` set to each timer's deadline
 * while it runs; timers set by those callbacks run too if they fall inside the window.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 0;
  private timers: ManualTimer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t: ManualTimer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn, cancelled: false };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }

  /** Moves time forward by `ms`, firing due timers on the way. */
  advance(ms: number): void {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: ManualTimer | undefined;
      for (const t of this.timers) {
        if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      }
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      if (next.due > this.current) this.current = next.due;
      next.fn();
    }
    this.current = target;
  }

  /** Timers still waiting to fire. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
