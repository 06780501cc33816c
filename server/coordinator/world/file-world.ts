// The world on one host: the coordinator's in-memory primitives over its file store (the default
// store). Each op is atomic because the coordinator is single-threaded.
import type { CoordinatorChannel as Channel } from '../../ipc/coordinator-ops.js';
import type { Directory } from '../directory/directory.js';
import type { LeaseKind, PrimitiveStats, WorldBackend } from './backend.js';
import { Durable, NS } from './durable.js';
import { LeaseTable } from './leases.js';
import { Queues } from './queues.js';
import { Subscribers } from './subscribers.js';
import { Values, type Fence } from './values.js';

export class FileWorld implements WorldBackend {
  private readonly store: Durable;
  private readonly locks: LeaseTable;
  private readonly sems: LeaseTable;
  private readonly events = new Subscribers('world.ev');
  private readonly watches = new Subscribers('world.val');
  private readonly values: Values;
  private readonly queues: Queues;

  constructor(dir: Directory) {
    this.store = new Durable(dir);
    this.locks = new LeaseTable(this.store, NS.fence);
    this.sems = new LeaseTable(this.store, NS.semFence);
    this.values = new Values(this.store, (f: Fence) => this.locks.holds(f.lock, f.token), (n, v) => {
      if (this.watches.has(n)) this.watches.send(n, v);
    });
    this.queues = new Queues(this.store);
  }

  private table(kind: LeaseKind): LeaseTable {
    return kind === 'lock' ? this.locks : this.sems;
  }

  acquire(kind: LeaseKind, name: string, limit: number, ttlMs: number, waitMs: number, ch: Channel, owner: string) {
    return this.table(kind).acquire(name, limit, ttlMs, waitMs, ch, owner);
  }
  release(kind: LeaseKind, name: string, token: number) {
    return this.table(kind).release(name, token);
  }
  extend(kind: LeaseKind, name: string, token: number, ttlMs: number) {
    return this.table(kind).extend(name, token, ttlMs);
  }
  holders(kind: LeaseKind, name: string) {
    return this.table(kind).holders(name);
  }

  publish(topic: string, value: unknown) {
    return this.events.send(topic, value);
  }
  subscribe(topics: string[], ch: Channel) {
    for (const t of topics) this.events.add(t, ch);
  }
  unsubscribe(topics: string[], ch: Channel) {
    for (const t of topics) this.events.remove(t, ch);
  }

  get(name: string) {
    return this.values.get(name);
  }
  set(name: string, value: unknown, fence?: Fence) {
    this.values.set(name, value, fence);
  }
  incr(name: string, by: number, fence?: Fence) {
    return this.values.incr(name, by, fence);
  }
  cas(name: string, expected: unknown, next: unknown, fence?: Fence) {
    return this.values.compareAndSet(name, expected, next, fence);
  }
  watch(names: string[], ch: Channel) {
    for (const n of names) this.watches.add(n, ch);
    return names.map((n) => this.values.get(n));
  }
  unwatch(names: string[], ch: Channel) {
    for (const n of names) this.watches.remove(n, ch);
  }

  push(name: string, value: unknown) {
    return this.queues.push(name, value);
  }
  pop(name: string, visibilityMs: number, waitMs: number, ch: Channel) {
    return this.queues.pop(name, visibilityMs, waitMs, ch);
  }
  ack(name: string, id: number) {
    return this.queues.ack(name, id);
  }
  length(name: string) {
    return this.queues.length(name);
  }

  stats(): PrimitiveStats {
    return {
      locks: this.locks.stats(),
      semaphores: this.sems.stats(),
      queues: this.queues.stats(),
      events: this.events.stats(),
      watches: this.watches.stats(),
    };
  }
  reported(names: string[]): unknown[] {
    return names.map((n) => this.store.get(NS.val, n));
  }
}
