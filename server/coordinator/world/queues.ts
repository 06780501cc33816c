// Durable work queues with at-least-once delivery. An item is written to the store when pushed and
// deleted when acked; popping only hides it for `visibilityMs` (in memory), after which it is
// offered again. So a worker that dies before `ack` loses nothing, and after a coordinator restart
// every un-acked item is ready again. An acked item is gone from the store and never comes back.
import type { CoordinatorChannel as Channel } from '../../ipc/coordinator-ops.js';
import { NS, type Durable } from './durable.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

export interface Delivery {
  id: number;
  value: unknown;
  /** 1 on the first delivery, more when the item came back after a visibility timeout. */
  attempt: number;
}

interface Waiter {
  ch: Channel;
  visibilityMs: number;
  resolve: (d: Delivery | null) => void;
  timer: NodeJS.Timeout;
}

interface Q {
  /** Ids ready for delivery, oldest first. */
  ready: number[];
  values: Map<number, unknown>;
  attempts: Map<number, number>;
  /** id -> visibility timer of an item out for delivery */
  inflight: Map<number, NodeJS.Timeout>;
  waiters: Waiter[];
}

const itemKey = (name: string, id: number) => `${name}#${id}`;

export class Queues {
  private readonly qs = new Map<string, Q>();
  redeliveries = 0;

  constructor(private readonly store: Durable) {
    // Rebuild from the store: every item still there was not acked, so it is ready.
    const byQueue = new Map<string, Array<[number, unknown]>>();
    for (const [key, value] of store.entries(NS.queue)) {
      const i = key.lastIndexOf('#');
      const name = key.slice(0, i);
      const id = Number(key.slice(i + 1));
      let list = byQueue.get(name);
      if (!list) byQueue.set(name, (list = []));
      list.push([id, value]);
    }
    for (const [name, list] of byQueue) {
      list.sort((a, b) => a[0] - b[0]);
      const q = this.q(name);
      for (const [id, value] of list) {
        q.values.set(id, value);
        q.ready.push(id);
      }
    }
  }

  push(name: string, value: unknown): number {
    if (value === undefined || value === null) throw new CodedError('BAD_ARGS', 'queue items must not be null');
    const id = ((this.store.get(NS.queueSeq, name) as number | undefined) ?? 0) + 1;
    this.store.put(NS.queueSeq, name, id);
    this.store.put(NS.queue, itemKey(name, id), value);
    const q = this.q(name);
    q.values.set(id, value);
    q.ready.push(id);
    this.serve(name, q);
    return id;
  }

  /** The oldest ready item (hidden for visibilityMs), null when empty and not waiting. */
  pop(name: string, visibilityMs: number, waitMs: number, ch: Channel): Delivery | null | Promise<Delivery | null> {
    const q = this.q(name);
    if (q.waiters.length === 0 && q.ready.length) return this.deliver(name, q, visibilityMs);
    if (waitMs <= 0) return null;
    return new Promise((resolve) => {
      const w: Waiter = {
        ch, visibilityMs, resolve,
        timer: setTimeout(() => {
          const i = q.waiters.indexOf(w);
          if (i >= 0) q.waiters.splice(i, 1);
          resolve(null);
        }, waitMs),
      };
      q.waiters.push(w);
    });
  }

  /** Done with an item: deleted for good. False when it was already acked. */
  ack(name: string, id: number): boolean {
    const q = this.qs.get(name);
    if (!q || !q.values.has(id)) return false;
    const t = q.inflight.get(id);
    if (t) {
      clearTimeout(t);
      q.inflight.delete(id);
    } else {
      // Acked after it came back, before anyone took it again.
      const r = q.ready.indexOf(id);
      if (r >= 0) q.ready.splice(r, 1);
    }
    q.values.delete(id);
    q.attempts.delete(id);
    this.store.del(NS.queue, itemKey(name, id));
    return true;
  }

  length(name: string): { ready: number; inflight: number } {
    const q = this.qs.get(name);
    return { ready: q?.ready.length ?? 0, inflight: q?.inflight.size ?? 0 };
  }

  stats(): { queues: number; ready: number; inflight: number; redeliveries: number } {
    let ready = 0;
    let inflight = 0;
    for (const q of this.qs.values()) {
      ready += q.ready.length;
      inflight += q.inflight.size;
    }
    return { queues: this.qs.size, ready, inflight, redeliveries: this.redeliveries };
  }

  private q(name: string): Q {
    let q = this.qs.get(name);
    if (!q) this.qs.set(name, (q = { ready: [], values: new Map(), attempts: new Map(), inflight: new Map(), waiters: [] }));
    return q;
  }

  private deliver(name: string, q: Q, visibilityMs: number): Delivery {
    const id = q.ready.shift()!;
    const attempt = (q.attempts.get(id) ?? 0) + 1;
    q.attempts.set(id, attempt);
    const timer = setTimeout(() => {
      if (!q.inflight.delete(id)) return;
      // Not acked in time: it goes back to the front, ahead of newer items.
      this.redeliveries++;
      q.ready.unshift(id);
      this.serve(name, q);
    }, visibilityMs);
    timer.unref();
    q.inflight.set(id, timer);
    return { id, value: q.values.get(id), attempt };
  }

  private serve(name: string, q: Q): void {
    while (q.ready.length && q.waiters.length) {
      const w = q.waiters.shift()!;
      clearTimeout(w.timer);
      if (w.ch.closed) continue;
      w.resolve(this.deliver(name, q, w.visibilityMs));
    }
  }
}
