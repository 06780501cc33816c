// When each new connection's time to say hello runs out, for every connection of this worker with
// one timer per timeout value: every deadline is "now + helloTimeoutMs", so deadlines of one value
// fall due in the order they were set and a queue with a timer for its head serves them all (a
// timer per connection would cost an object, a closure and a timer-list entry for every idle
// connection held). helloTimeoutMs can change at run time (console `set`): each value gets its own
// queue, so a shorter timeout never waits behind deadlines set under a longer one.
// The queue holds a small entry per deadline, never the session itself once it is done with: a
// session that says hello or closes cancels its entry, which lets go of the session at once (a
// closed connection must not be kept alive, buffers and all, until its old deadline passes).

export interface HelloWaiter {
  /** Its deadline passed with no hello. */
  helloTimedOut(): void;
}

/** One armed deadline; `cancel` (hello said, closed, or re-armed) drops the waiter. */
export class HelloDeadline {
  constructor(
    public waiter: HelloWaiter | null,
    readonly at: number,
  ) {}

  cancel(): void {
    this.waiter = null;
  }
}

class DeadlineQueue {
  /** Deadlines in the order they were set (so by `at`); `head` is the next one due. */
  private entries: Array<HelloDeadline | null> = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly now: () => number) {}

  /** Arms w's deadline, ms from now; every call on one queue passes the same ms. */
  arm(w: HelloWaiter, ms: number): HelloDeadline {
    const d = new HelloDeadline(w, this.now() + ms);
    this.entries.push(d);
    if (!this.timer) this.schedule(d.at);
    return d;
  }

  private schedule(at: number): void {
    this.timer = setTimeout(() => this.due(), Math.max(0, at - this.now()));
    this.timer.unref();
  }

  private due(): void {
    this.timer = null;
    const now = this.now();
    while (this.head < this.entries.length && this.entries[this.head]!.at <= now) {
      const d = this.entries[this.head]!;
      this.entries[this.head++] = null;
      const w = d.waiter;
      d.waiter = null;
      w?.helloTimedOut();
    }
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.schedule(this.entries[this.head]!.at);
  }
}

export class HelloDeadlines {
  private readonly queues = new Map<number, DeadlineQueue>();

  // Date.now looked up at each call, not captured: a clock swapped in later (fake timers) is the one read.
  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Arms w's deadline, ms from now; the caller cancels it on hello, close or a new arm. */
  arm(w: HelloWaiter, ms: number): HelloDeadline {
    let q = this.queues.get(ms);
    if (!q) this.queues.set(ms, (q = new DeadlineQueue(this.now)));
    return q.arm(w, ms);
  }
}
