// The one interface the `world.*` ops call, so their validation (ops/world-ops.ts) is shared by both
// places the world can live: this coordinator's memory and file store (file-world.ts, one host),
// or Redis (redis/redis-world.ts, every host at once). Arguments arrive already checked.
import type { CoordinatorChannel as Channel, LeaseGrant, LeaseHolder, QueueDelivery, WorldStats } from '../../ipc/coordinator-ops.js';
import type { Fence } from './values.js';

export type Maybe<T> = T | Promise<T>;

/** A lock is a lease of one permit; a semaphore's caller states its permits. */
export type LeaseKind = 'lock' | 'sem';

/** world.stats without the games' reported values. */
export type PrimitiveStats = Pick<WorldStats, 'locks' | 'semaphores' | 'queues' | 'events' | 'watches'>;

export interface WorldBackend {
  acquire(kind: LeaseKind, name: string, limit: number, ttlMs: number, waitMs: number, ch: Channel, owner: string): Maybe<LeaseGrant | null>;
  release(kind: LeaseKind, name: string, token: number): Maybe<boolean>;
  extend(kind: LeaseKind, name: string, token: number, ttlMs: number): Maybe<boolean>;
  holders(kind: LeaseKind, name: string): Maybe<LeaseHolder[]>;

  publish(topic: string, value: unknown): Maybe<number>;
  subscribe(topics: string[], ch: Channel): Maybe<void>;
  unsubscribe(topics: string[], ch: Channel): Maybe<void>;

  get(name: string): Maybe<unknown>;
  set(name: string, value: unknown, fence?: Fence): Maybe<void>;
  incr(name: string, by: number, fence?: Fence): Maybe<number>;
  cas(name: string, expected: unknown, next: unknown, fence?: Fence): Maybe<boolean>;
  /** Watches and answers the current values (after watching, so no change is missed). */
  watch(names: string[], ch: Channel): Maybe<unknown[]>;
  unwatch(names: string[], ch: Channel): Maybe<void>;

  push(name: string, value: unknown): Maybe<number>;
  pop(name: string, visibilityMs: number, waitMs: number, ch: Channel): Maybe<QueueDelivery | null>;
  ack(name: string, id: number): Maybe<boolean>;
  length(name: string): Maybe<{ ready: number; inflight: number }>;

  stats(): Maybe<PrimitiveStats>;
  /** Values for the games' reports (/health, world.stats); Redis answers from a short cache. */
  reported(names: string[]): Maybe<unknown[]>;
}
