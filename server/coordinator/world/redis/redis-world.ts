// The world on Redis (--store redis://...): every host's coordinator serves the same world.* ops
// as with the file store, over the primitives in this folder, so the world API's guarantees hold
// between rooms on different hosts. Redis is the one authority; this host keeps only its waiters,
// its workers' subscriptions and a short cache of the games' reported values.
import type { CoordinatorChannel as Channel } from '../../../ipc/coordinator-ops.js';
import { KEYS } from '../../redis/keys.js';
import type { LeaseKind, PrimitiveStats, WorldBackend } from '../backend.js';
import type { Fence } from '../values.js';
import { WorldRedis } from './connections.js';
import { RedisEvents } from './events.js';
import { inRedis } from './failures.js';
import { RedisLeases } from './leases.js';
import { RedisQueues } from './queues.js';
import { RedisValues } from './values.js';

export class RedisWorld implements WorldBackend {
  private readonly values: RedisValues;
  private readonly leases: RedisLeases;
  private readonly queues: RedisQueues;
  private readonly ev: RedisEvents;
  private cache: { at: number; names: string; values: Promise<unknown[]> } | undefined;

  constructor(readonly r: WorldRedis) {
    this.values = new RedisValues(r);
    this.leases = new RedisLeases(r);
    this.queues = new RedisQueues(r);
    this.ev = new RedisEvents(r, this.values);
  }

  /** Runs an op once the first connection is up (later ops fail fast while Redis is away). */
  private async up<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.r.ready();
    return fn();
  }

  acquire(kind: LeaseKind, name: string, limit: number, ttlMs: number, waitMs: number, ch: Channel, owner: string) {
    return this.up(() => this.leases.acquire(kind, name, limit, ttlMs, waitMs, ch, owner));
  }
  release(kind: LeaseKind, name: string, token: number) {
    return this.up(() => this.leases.release(kind, name, token));
  }
  extend(kind: LeaseKind, name: string, token: number, ttlMs: number) {
    return this.up(() => this.leases.extend(kind, name, token, ttlMs));
  }
  holders(kind: LeaseKind, name: string) {
    return this.up(() => this.leases.holders(kind, name));
  }

  publish(topic: string, value: unknown) {
    return this.up(() => this.ev.publish(topic, value));
  }
  subscribe(topics: string[], ch: Channel) {
    return this.up(() => this.ev.subscribe(topics, ch));
  }
  unsubscribe(topics: string[], ch: Channel) {
    this.ev.unsubscribe(topics, ch);
  }

  get(name: string) {
    return this.up(() => this.values.get(name));
  }
  set(name: string, value: unknown, fence?: Fence) {
    return this.up(() => this.values.set(name, value, fence));
  }
  incr(name: string, by: number, fence?: Fence) {
    return this.up(() => this.values.incr(name, by, fence));
  }
  cas(name: string, expected: unknown, next: unknown, fence?: Fence) {
    return this.up(() => this.values.cas(name, expected, next, fence));
  }
  watch(names: string[], ch: Channel) {
    return this.up(() => this.ev.watch(names, ch));
  }
  unwatch(names: string[], ch: Channel) {
    this.ev.unwatch(names, ch);
  }

  push(name: string, value: unknown) {
    return this.up(() => this.queues.push(name, value));
  }
  pop(name: string, visibilityMs: number, waitMs: number, ch: Channel) {
    return this.up(() => this.queues.pop(name, visibilityMs, waitMs, ch));
  }
  ack(name: string, id: number) {
    return this.up(() => this.queues.ack(name, id));
  }
  length(name: string) {
    return this.up(() => this.queues.length(name));
  }

  /** World-wide counts from Redis; `waiting` and the subscriptions are this host's. */
  stats(): Promise<PrimitiveStats> {
    return this.up(() =>
      inRedis(async () => {
        const [c, counters] = await Promise.all([
          this.r.cmd.wStats(KEYS.wLeases, KEYS.wQueues, KEYS.wStats, KEYS.wLease(''), KEYS.wLine(''), KEYS.wQReady(''), KEYS.wQInflight('')),
          this.r.cmd.hgetall(KEYS.wStats),
        ]);
        const n = (k: string) => Number(counters[k] ?? 0);
        return {
          locks: { names: c[0]!, held: c[1]!, waiting: c[2]!, grants: n('lock.grants'), expiries: n('lock.expiries') },
          semaphores: { names: c[3]!, held: c[4]!, waiting: c[5]!, grants: n('sem.grants'), expiries: n('sem.expiries') },
          queues: { queues: c[6]!, ready: c[7]!, inflight: c[8]!, redeliveries: n('q.redeliveries') },
          events: this.ev.events.stats(),
          watches: this.ev.watches.stats(),
        };
      }),
    );
  }

  /** The games' reported values, read from Redis at most once per pollMs (for /health). */
  reported(names: string[]): Promise<unknown[]> {
    const key = names.join('\n');
    const now = Date.now();
    if (!this.cache || this.cache.names !== key || now - this.cache.at >= this.r.pollMs) {
      const values = this.up(() => this.values.getMany(names));
      this.cache = { at: now, names: key, values };
      // A failed read is not kept: the next asks Redis again.
      values.catch(() => {
        if (this.cache?.values === values) this.cache = undefined;
      });
    }
    return this.cache.values;
  }
}
