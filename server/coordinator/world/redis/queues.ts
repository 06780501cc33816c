// Work queues in Redis, at-least-once for consumers on every host. Lists, not Streams: a pop states
// its own visibility timeout, and Streams' XAUTOCLAIM takes one idle time per claimer, not per
// delivery; here each queue is a LIST of ready ids, a HASH of items, and a ZSET of ids out for
// delivery by visibility deadline (Redis's clock), moved by Lua scripts: an item not acked by its
// deadline goes back to the front of the line at the next pop (or length), with attempt + 1; ack
// deletes it for good. Waiting pops on this host are woken by a push's publish on the queue's wake
// channel, at the first deadline of an item out (the pop's answer says when), and at least every
// pollMs (the safety net) — never in a loop.
import type { CoordinatorChannel as Channel, QueueDelivery } from '../../../ipc/coordinator-ops.js';
import { KEYS } from '../../redis/keys.js';
import type { WorldRedis } from './connections.js';
import { packValue, unpackValue } from './codec.js';
import { inRedis } from './failures.js';

interface Waiter {
  visibilityMs: number;
  ch: Channel;
  resolve: (d: QueueDelivery | null) => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

interface Pops {
  name: string;
  waiters: Waiter[];
  pumping: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
  due: number;
}

const MIN_RETRY_MS = 5;

export class RedisQueues {
  private readonly pops = new Map<string, Pops>();

  constructor(private readonly r: WorldRedis) {
    r.subs.on(KEYS.wQueueWake(''), (name) => {
      const p = this.pops.get(name);
      if (p) void this.pump(p);
    });
  }

  push(name: string, value: unknown): Promise<number> {
    return inRedis(() => this.r.cmd.wPush(KEYS.wQSeq(name), KEYS.wQItems(name), KEYS.wQReady(name), KEYS.wQueues, packValue(value), name, KEYS.wQueueWake(name)));
  }

  async pop(name: string, visibilityMs: number, waitMs: number, ch: Channel): Promise<QueueDelivery | null> {
    if (waitMs <= 0) {
      const [d] = await inRedis(() => this.take(name, visibilityMs));
      return d;
    }
    const wake = KEYS.wQueueWake(name);
    // Listening first, so a push between the try and the wait is not missed.
    await inRedis(() => this.r.subs.want(wake));
    let hint = -1;
    if (!this.pops.has(name)) {
      const [d, back] = await inRedis(() => this.take(name, visibilityMs));
      if (d) {
        if (!this.pops.has(name)) this.r.subs.unwant(wake, true);
        return d;
      }
      hint = back;
    }
    let p = this.pops.get(name);
    if (!p) this.pops.set(name, (p = { name, waiters: [], pumping: false, again: false, due: 0 }));
    const q = p;
    void this.r.subs.want(wake).catch(() => {}); // still wanted, even if the last waiter left meanwhile
    return new Promise<QueueDelivery | null>((resolve) => {
      const w: Waiter = { visibilityMs, ch, resolve, done: false, timer: setTimeout(() => this.finish(q, w, null), waitMs) };
      q.waiters.push(w);
      // Alone: it just looked, so the next look is when an item out comes back, or the safety net.
      if (q.waiters.length === 1) this.schedule(q, hint >= 0 ? Math.max(MIN_RETRY_MS, Math.min(this.r.pollMs, hint + 1)) : this.r.pollMs);
      else void this.pump(q);
    });
  }

  ack(name: string, id: number): Promise<boolean> {
    return inRedis(async () => (await this.r.cmd.wAck(KEYS.wQItems(name), KEYS.wQReady(name), KEYS.wQInflight(name), KEYS.wQAttempts(name), id)) === 1);
  }

  length(name: string): Promise<{ ready: number; inflight: number }> {
    return inRedis(async () => {
      const [ready, inflight] = await this.r.cmd.wLength(KEYS.wQReady(name), KEYS.wQInflight(name), KEYS.wStats);
      return { ready, inflight };
    });
  }

  /** One pop: the delivery, or null and ms until an item out comes back (-1: none out). */
  private async take(name: string, visibilityMs: number): Promise<[QueueDelivery | null, number]> {
    const r = await this.r.cmd.wPopBuffer(KEYS.wQItems(name), KEYS.wQReady(name), KEYS.wQInflight(name), KEYS.wQAttempts(name), KEYS.wStats, visibilityMs);
    if (r[0] !== 1) return [null, r[1]];
    return [{ id: r[1], attempt: r[2]!, value: unpackValue(r[3]) }, -1];
  }

  /** Serves this host's waiting pops in order while items come; then sets the next look. */
  private async pump(q: Pops): Promise<void> {
    if (q.pumping) {
      q.again = true;
      return;
    }
    q.pumping = true;
    let next = this.r.pollMs;
    try {
      do {
        q.again = false;
        while (q.waiters.length) {
          const w = q.waiters[0]!;
          if (w.ch.closed) {
            this.finish(q, w, null);
            continue;
          }
          let d: QueueDelivery | null;
          let back: number;
          try {
            [d, back] = await this.take(q.name, w.visibilityMs);
          } catch {
            break; // Redis away: the safety net looks again; the wait still ends at waitMs
          }
          if (!d) {
            next = back >= 0 ? Math.max(MIN_RETRY_MS, Math.min(this.r.pollMs, back + 1)) : this.r.pollMs;
            break;
          }
          if (w.done) {
            // Its wait ran out while the pop was under way: the next waiter takes the item, or
            // nobody does and it comes back after its visibility timeout like any unacked item.
            const other = q.waiters.find((x) => !x.done);
            if (other) this.finish(q, other, d);
            continue;
          }
          this.finish(q, w, d);
        }
      } while (q.again);
    } finally {
      q.pumping = false;
    }
    this.schedule(q, next);
  }

  private schedule(q: Pops, ms: number): void {
    if (q.waiters.length === 0) return;
    const due = Date.now() + ms;
    if (q.timer && q.due <= due) return;
    if (q.timer) clearTimeout(q.timer);
    q.due = due;
    q.timer = setTimeout(() => {
      q.timer = undefined;
      void this.pump(q);
    }, ms);
  }

  private finish(q: Pops, w: Waiter, d: QueueDelivery | null): void {
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    w.resolve(d);
    const i = q.waiters.indexOf(w);
    if (i >= 0) q.waiters.splice(i, 1);
    this.idle(q);
  }

  private idle(q: Pops): void {
    if (q.waiters.length > 0) return;
    if (q.timer) clearTimeout(q.timer);
    q.timer = undefined;
    if (this.pops.get(q.name) === q) this.pops.delete(q.name);
    this.r.subs.unwant(KEYS.wQueueWake(q.name), true);
  }
}
