// Locks and semaphores in Redis, for contenders on every host. A lease id's live leases are a ZSET
// of token -> deadline on Redis's clock, granted and checked by Lua scripts (scripts.ts); tokens
// come from one INCR per lease id, so they only grow, world-wide. A waiting acquirer takes a place
// in the lease id's line in Redis (first come, first served across hosts) and is tried again when a
// lease is released or a waiter leaves (pub/sub on the lease id's wake channel), when the first
// lease's deadline passes (the grant's answer says when), and at least every pollMs (the safety
// net for a lost wake-up) — never in a loop. A coordinator that stops renewing its waiters' places
// (its host died) loses them after a few pollMs.
import type { CoordinatorChannel as Channel, LeaseGrant, LeaseHolder } from '../../../ipc/coordinator-ops.js';
import { KEYS } from '../../redis/keys.js';
import type { LeaseKind } from '../backend.js';
import type { WorldRedis } from './connections.js';
import { inRedis } from './failures.js';

interface Waiter {
  id: string;
  limit: number;
  ttlMs: number;
  owner: string;
  ch: Channel;
  resolve: (g: LeaseGrant | null) => void;
  timer: NodeJS.Timeout;
  done: boolean;
  busy: boolean;
}

interface Line {
  kind: LeaseKind;
  name: string;
  waiters: Waiter[];
  pumping: boolean;
  /** A wake-up came while pumping: pump once more. */
  again: boolean;
  /** A pump skipped a waiter whose first try was under way: pump when that try ends. */
  missed: boolean;
  timer?: NodeJS.Timeout;
  due: number;
}

/** A waiter's place in line lasts this many pollMs without renewal. */
const LIVE_POLLS = 4;
/** The shortest wait before looking again (a lease about to end). */
const MIN_RETRY_MS = 5;

export class RedisLeases {
  private readonly lines = new Map<string, Line>();
  private seq = 0;

  constructor(private readonly r: WorldRedis) {
    r.subs.on(KEYS.wLeaseWake(''), (id) => {
      const line = this.lines.get(id);
      if (line) void this.pump(line);
    });
  }

  async acquire(kind: LeaseKind, name: string, limit: number, ttlMs: number, waitMs: number, ch: Channel, owner: string): Promise<LeaseGrant | null> {
    const id = `${kind}:${name}`;
    const who = `${this.r.hostId}/${owner}`;
    // A try first: free and nobody in line is the common case, and costs no subscription.
    const [ok, v] = await inRedis(() => this.script(id, kind, limit, ttlMs, who, ''));
    if (ok === 1) return { token: v, ttlMs };
    if (waitMs <= 0) return null;
    let line = this.lines.get(id);
    if (!line) this.lines.set(id, (line = { kind, name, waiters: [], pumping: false, again: false, missed: false, due: 0 }));
    const l = line;
    return new Promise<LeaseGrant | null>((resolve, reject) => {
      const w: Waiter = {
        id: `${this.r.hostId}#${process.pid}#${++this.seq}`,
        limit, ttlMs, owner: who, ch, resolve, done: false, busy: false,
        timer: setTimeout(() => this.finish(l, w, null), waitMs),
      };
      l.waiters.push(w);
      // Listening before the first try, so a release between the try and the wait is not missed.
      inRedis(async () => {
        await this.r.subs.want(KEYS.wLeaseWake(id));
        return this.attempt(l, w);
      }).then(
        (hint) => {
          if (hint !== null) this.schedule(l, hint);
          if (l.missed) {
            l.missed = false;
            void this.pump(l);
          }
        },
        (err: Error) => {
          // The first try failed: the caller hears it (UNAVAILABLE) instead of waiting blind.
          w.resolve = () => {};
          this.finish(l, w, null);
          reject(err);
        },
      );
    });
  }

  release(kind: LeaseKind, name: string, token: number): Promise<boolean> {
    const id = `${kind}:${name}`;
    return inRedis(async () => (await this.r.cmd.wRelease(KEYS.wLease(id), KEYS.wOwner(id), KEYS.wStats, token, kind, KEYS.wLeaseWake(id))) === 1);
  }

  extend(kind: LeaseKind, name: string, token: number, ttlMs: number): Promise<boolean> {
    const id = `${kind}:${name}`;
    return inRedis(async () => (await this.r.cmd.wExtend(KEYS.wLease(id), KEYS.wOwner(id), KEYS.wStats, token, kind, ttlMs)) === 1);
  }

  holders(kind: LeaseKind, name: string): Promise<LeaseHolder[]> {
    const id = `${kind}:${name}`;
    return inRedis(async () => {
      const flat = await this.r.cmd.wHoldersBuffer(KEYS.wLease(id), KEYS.wOwner(id));
      const out: LeaseHolder[] = [];
      for (let i = 0; i < flat.length; i += 3) out.push({ token: flat[i] as number, owner: String(flat[i + 1]), expiresInMs: flat[i + 2] as number });
      return out;
    });
  }

  private script(id: string, kind: LeaseKind, limit: number, ttlMs: number, owner: string, waiter: string): Promise<[number, number]> {
    return this.r.cmd.wAcquire(
      KEYS.wLease(id), KEYS.wOwner(id), KEYS.wFence(id), KEYS.wLine(id), KEYS.wLive(id), KEYS.wLeases, KEYS.wStats, KEYS.wLineSeq,
      limit, ttlMs, owner, waiter, this.r.pollMs * LIVE_POLLS, id, kind,
    );
  }

  /** One try for a waiter: null when it was granted (or is gone), else ms until worth trying again. */
  private async attempt(l: Line, w: Waiter): Promise<number | null> {
    if (w.done) return null;
    if (w.busy) {
      l.missed = true;
      return this.r.pollMs;
    }
    if (w.ch.closed) {
      this.finish(l, w, null);
      return null;
    }
    w.busy = true;
    const id = `${l.kind}:${l.name}`;
    try {
      const [ok, v] = await this.script(id, l.kind, w.limit, w.ttlMs, w.owner, w.id);
      if (ok !== 1) return v >= 0 ? Math.max(MIN_RETRY_MS, Math.min(this.r.pollMs, v + 1)) : this.r.pollMs;
      if (w.done) {
        // Granted just after the wait ran out: given straight back.
        this.release(l.kind, l.name, v).catch(() => {});
        return null;
      }
      this.finish(l, w, { token: v, ttlMs: w.ttlMs });
      return null;
    } finally {
      w.busy = false;
    }
  }

  /** Tries this host's waiters of a line in order, until one is not granted; then sets the next look. */
  private async pump(l: Line): Promise<void> {
    if (l.pumping) {
      l.again = true;
      return;
    }
    l.pumping = true;
    let next: number | null = null;
    try {
      do {
        l.again = false;
        next = null;
        for (const w of [...l.waiters]) {
          try {
            next = await this.attempt(l, w);
          } catch {
            next = this.r.pollMs; // Redis away: the safety net looks again; the wait still ends at waitMs
          }
          if (next !== null) break;
        }
      } while (l.again);
    } finally {
      l.pumping = false;
    }
    if (next !== null) this.schedule(l, next);
  }

  /** The next look at a line: the earliest asked for wins. */
  private schedule(l: Line, ms: number): void {
    if (l.waiters.length === 0) return;
    const due = Date.now() + ms;
    if (l.timer && l.due <= due) return;
    if (l.timer) clearTimeout(l.timer);
    l.due = due;
    l.timer = setTimeout(() => {
      l.timer = undefined;
      void this.pump(l);
    }, ms);
  }

  private finish(l: Line, w: Waiter, g: LeaseGrant | null): void {
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    w.resolve(g);
    const id = `${l.kind}:${l.name}`;
    // Not granted (waited out, or its worker is gone): its place in line goes, and the next wakes.
    if (!g) this.r.cmd.wLeave(KEYS.wLine(id), KEYS.wLive(id), w.id, KEYS.wLeaseWake(id)).catch(() => {});
    const i = l.waiters.indexOf(w);
    if (i >= 0) l.waiters.splice(i, 1);
    if (l.waiters.length === 0) {
      if (l.timer) clearTimeout(l.timer);
      this.lines.delete(id);
      this.r.subs.unwant(KEYS.wLeaseWake(id), true);
    }
  }
}
