// When each new connection's time to say hello runs out, for every connection of this worker with
// one timer: every deadline is "now + helloTimeoutMs", so they fall due in the order they were set
// and a queue with a timer for its head serves them all (a timer per connection would cost an
// object, a closure and a timer-list entry for every idle connection held).

export interface HelloWaiter {
  /** When this waiter's current hello deadline falls (ms); 0 once it has said hello. */
  helloBy: number;
  /** Its deadline passed with no hello. */
  helloTimedOut(): void;
}

export class HelloDeadlines {
  /** Waiters in the order their deadlines were set, with the deadline each entry was set for. */
  private waiters: HelloWaiter[] = [];
  private ats: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts (or restarts) w's deadline, ms from now. Every call must pass the same ms for the order to hold. */
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
