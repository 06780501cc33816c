// Locks and semaphores with leases. A lock is a semaphore of one permit; both hand out fencing
// tokens from a per-name durable counter, so a token is never handed out twice, not even across a
// coordinator restart. Leases themselves live in memory only: a coordinator restart frees every
// lock (the documented price), and a holder that vanishes keeps its lease until it expires.
// Waiting acquires wait in a FIFO queue here (no polling) and are served when a permit frees up.
import type { CoordinatorChannel as Channel } from '../../ipc/coordinator-ops.js';
import type { Durable } from './durable.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

export interface Grant {
  token: number;
  ttlMs: number;
}

interface Lease {
  token: number;
  owner: string;
  expires: number;
  timer: NodeJS.Timeout;
}

interface Waiter {
  ch: Channel;
  owner: string;
  limit: number;
  ttlMs: number;
  resolve: (g: Grant | null) => void;
  timer: NodeJS.Timeout;
}

interface Entry {
  holders: Map<number, Lease>;
  waiters: Waiter[];
}

export const MAX_TTL_MS = 24 * 3600_000;
export const MAX_WAIT_MS = 300_000;

export function checkMs(what: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new CodedError('BAD_ARGS', `${what} must be a whole number of ms in [${min}, ${max}]`);
  }
  return v;
}

export class LeaseTable {
  private readonly entries = new Map<string, Entry>();
  grants = 0;
  expiries = 0;

  constructor(private readonly store: Durable, private readonly fenceNs: string) {}

  /** A grant now, null when busy and not waiting, or a promise settled by a grant or null at waitMs. */
  acquire(name: string, limit: number, ttlMs: number, waitMs: number, ch: Channel, owner: string): Grant | null | Promise<Grant | null> {
    const e = this.entry(name);
    // FIFO: a newcomer does not overtake anyone already waiting.
    if (e.waiters.length === 0 && e.holders.size < limit) return this.grant(name, e, ttlMs, owner);
    if (waitMs <= 0) {
      this.gc(name, e);
      return null;
    }
    return new Promise((resolve) => {
      const w: Waiter = {
        ch, owner, limit, ttlMs, resolve,
        timer: setTimeout(() => {
          const i = e.waiters.indexOf(w);
          if (i >= 0) e.waiters.splice(i, 1);
          resolve(null);
          this.pump(name, e);
        }, waitMs),
      };
      e.waiters.push(w);
    });
  }

  release(name: string, token: number): boolean {
    const e = this.entries.get(name);
    const l = e?.holders.get(token);
    if (!e || !l) return false;
    clearTimeout(l.timer);
    e.holders.delete(token);
    this.pump(name, e);
    return true;
  }

  /** Pushes a live lease's expiry to now + ttlMs; false when it is already gone. */
  extend(name: string, token: number, ttlMs: number): boolean {
    const l = this.entries.get(name)?.holders.get(token);
    if (!l) return false;
    clearTimeout(l.timer);
    l.expires = Date.now() + ttlMs;
    l.timer = this.expiryTimer(name, token, ttlMs);
    return true;
  }

  holds(name: string, token: number): boolean {
    return this.entries.get(name)?.holders.has(token) ?? false;
  }

  holders(name: string): Array<{ token: number; owner: string; expiresInMs: number }> {
    const now = Date.now();
    return [...(this.entries.get(name)?.holders.values() ?? [])].map((l) => ({ token: l.token, owner: l.owner, expiresInMs: l.expires - now }));
  }

  stats(): { names: number; held: number; waiting: number; grants: number; expiries: number } {
    let held = 0;
    let waiting = 0;
    for (const e of this.entries.values()) {
      held += e.holders.size;
      waiting += e.waiters.length;
    }
    return { names: this.entries.size, held, waiting, grants: this.grants, expiries: this.expiries };
  }

  private entry(name: string): Entry {
    let e = this.entries.get(name);
    if (!e) this.entries.set(name, (e = { holders: new Map(), waiters: [] }));
    return e;
  }

  private grant(name: string, e: Entry, ttlMs: number, owner: string): Grant {
    // The counter is durable before the token leaves the process: tokens only grow.
    const token = ((this.store.get(this.fenceNs, name) as number | undefined) ?? 0) + 1;
    this.store.put(this.fenceNs, name, token);
    e.holders.set(token, { token, owner, expires: Date.now() + ttlMs, timer: this.expiryTimer(name, token, ttlMs) });
    this.grants++;
    return { token, ttlMs };
  }

  private expiryTimer(name: string, token: number, ttlMs: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      const e = this.entries.get(name);
      if (!e?.holders.delete(token)) return;
      this.expiries++;
      this.pump(name, e);
    }, ttlMs);
    t.unref();
    return t;
  }

  /** Serves waiters in order while permits are free; drops waiters whose worker is gone. */
  private pump(name: string, e: Entry): void {
    while (e.waiters.length) {
      const w = e.waiters[0]!;
      if (w.ch.closed) {
        e.waiters.shift();
        clearTimeout(w.timer);
        continue;
      }
      if (e.holders.size >= w.limit) break;
      e.waiters.shift();
      clearTimeout(w.timer);
      w.resolve(this.grant(name, e, w.ttlMs, w.owner));
    }
    this.gc(name, e);
  }

  private gc(name: string, e: Entry): void {
    if (e.holders.size === 0 && e.waiters.length === 0) this.entries.delete(name);
  }
}
