// When each new connection's time to say hello runs out, for every connection of this worker with
// one timer per timeout value: every deadline is "now + helloTimeoutMs", so deadlines of one value
// fall due in the order they were set and a queue with a timer for its head serves them all (a
// timer per connection would cost an object, a closure and a timer-list entry for every idle
// connection held). helloTimeoutMs can change at run time (console `set`): each value gets its own
// queue, so a shorter timeout never waits behind deadlines set under a longer one.

export interface HelloWaiter {
  /** When this waiter's current hello deadline falls (ms); 0 once it has said hello. */
  helloBy: number;
  /** Its deadline passed with no hello. */
  helloTimedOut(): void;
}

class DeadlineQueue {
  /** Waiters in the order their deadlines were set, with the deadline each entry was set for. */
  private waiters: HelloWaiter[] = [];
  private ats: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly now: () => number) {}

  /** Starts (or restarts) w's deadline, ms from now; every call on one queue passes the same ms. */
  arm(w: HelloWaiter, ms: number): void {
    w.helloBy = this.now() + ms;
    this.waiters.push(w);
    this.ats.push(w.helloBy);
    if (!this.timer) this.schedule(w.helloBy);
  }

  private schedule(at: number): void {
    this.timer = setTimeout(() => this.due(), Math.max(0, at - this.now()));
    this.timer.unref();
  }

  private due(): void {
    this.timer = null;
    const now = this.now();
    while (this.head < this.waiters.length && this.ats[this.head]! <= now) {
      const w = this.waiters[this.head]!;
      const at = this.ats[this.head]!;
      this.head++;
      // An entry whose waiter said hello (0) or was re-armed since (a later deadline) is stale.
      if (w.helloBy === at) {
        w.helloBy = 0;
        w.helloTimedOut();
      }
    }
    if (this.head === this.waiters.length) {
      this.waiters = [];
      this.ats = [];
      this.head = 0;
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.ats = this.ats.slice(this.head);
      this.head = 0;
    }
    this.schedule(this.ats[this.head]!);
  }
}

export class HelloDeadlines {
  private readonly queues = new Map<number, DeadlineQueue>();

  // Date.now looked up at each call, not captured: a clock swapped in later (fake timers) is the one read.
  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Starts (or restarts) w's deadline, ms from now. */
  arm(w: HelloWaiter, ms: number): void {
    let q = this.queues.get(ms);
    if (!q) this.queues.set(ms, (q = new DeadlineQueue(this.now)));
    q.arm(w, ms);
  }
}
