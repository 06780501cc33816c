// One room's `world`: the World API over the coordinator link, scoped to the room so that what
// it holds (leases, subscriptions, waits) is given back when the room ends.
import type {
  Fence, Lease, LeaseOptions, LockLease, PopOptions, QueueItem, World, WorldValue, WriteOptions,
} from '../../game-api/world.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import type { CoordinatorLink } from '../../ipc/coordinator-link.js';
import type { CoordinatorArgs, CoordinatorResult, WorldOp } from '../../ipc/coordinator-ops.js';

/** What the world needs of the coordinator link: typed requests. */
export type WorldLink = Pick<CoordinatorLink, 'request'>;

/** A local listener for a world topic or watched value. */
export type WorldHandler = (value: unknown, name: string) => void;

/**
 * What a room's world needs of its worker's world client (world-client.ts): the link, and the
 * subscriptions and watches every room of the worker shares at the coordinator. Declared here so
 * the client depends on the room world and not both ways.
 */
export interface WorkerWorldLink {
  readonly link: WorldLink;
  subscribe(topic: string, h: WorldHandler): void;
  unsubscribe(topic: string, h: WorldHandler): void;
  watch(name: string, h: WorldHandler): Promise<unknown>;
  unwatch(name: string, h: WorldHandler): void;
}

const DEFAULT_TTL_MS = 10_000;
const DEFAULT_VISIBILITY_MS = 30_000;
/** Slack on top of a wait for the answer to travel back. */
const REPLY_MS = 5_000;

class LeaseHandle implements LockLease {
  private released = false;
  expiresAt: number;

  constructor(
    private readonly room: RoomWorld,
    private readonly kind: 'lock' | 'sem',
    readonly name: string,
    readonly token: number,
    ttlMs: number,
    sentAt: number,
  ) {
    // Counted from when the request left, so the local view never outlives the coordinator's.
    this.expiresAt = sentAt + ttlMs;
  }

  get held(): boolean {
    return !this.released && Date.now() < this.expiresAt;
  }

  get fence(): Fence {
    return { lock: this.name, token: this.token };
  }

  async release(): Promise<boolean> {
    if (this.released) return false;
    this.released = true;
    this.room.forget(this);
    return this.room.call(`world.${this.kind}.release`, { name: this.name, token: this.token }, undefined, true);
  }

  async extend(ttlMs = DEFAULT_TTL_MS): Promise<boolean> {
    if (this.released) return false;
    const sentAt = Date.now();
    const ok = await this.room.call(`world.${this.kind}.extend`, { name: this.name, token: this.token, ttlMs });
    if (ok) this.expiresAt = sentAt + ttlMs;
    else this.released = true;
    return ok;
  }
}

export class RoomWorld implements World {
  private closed = false;
  private readonly leases = new Set<LeaseHandle>();
  private readonly subs = new Set<() => void>();
  private readonly waits = new Set<(err: Error) => void>();

  constructor(private readonly client: WorkerWorldLink, readonly roomId: string) {}

  /** Requests go through here: a closed room's world refuses new calls. */
  call<K extends WorldOp>(op: K, args: CoordinatorArgs<K>, timeoutMs?: number, evenIfClosed = false): Promise<CoordinatorResult<K>> {
    if (this.closed && !evenIfClosed) return Promise.reject(new CodedError('ROOM_CLOSED', `room ${this.roomId} has ended`));
    return this.client.link.request(op, args, timeoutMs);
  }

  forget(h: LeaseHandle): void {
    this.leases.delete(h);
  }

  private async lease(kind: 'lock' | 'sem', name: string, permits: number, o: LeaseOptions): Promise<LeaseHandle | null> {
    const ttlMs = o.ttlMs ?? DEFAULT_TTL_MS;
    const waitMs = o.waitMs ?? 0;
    const sentAt = Date.now();
    const g = await this.call(`world.${kind}.acquire`, { name, permits, ttlMs, waitMs, owner: this.roomId }, waitMs + REPLY_MS);
    if (!g) return null;
    const h = new LeaseHandle(this, kind, name, g.token, g.ttlMs, sentAt);
    if (this.closed) {
      // Granted while the room was ending: give it straight back.
      void h.release().catch(() => {});
      throw new CodedError('ROOM_CLOSED', `room ${this.roomId} has ended`);
    }
    this.leases.add(h);
    return h;
  }

  readonly lock = {
    acquire: (name: string, opts: LeaseOptions = {}): Promise<LockLease | null> => this.lease('lock', name, 1, opts),
  };

  readonly semaphore = {
    acquire: (name: string, permits: number, opts: LeaseOptions = {}): Promise<Lease | null> => this.lease('sem', name, permits, opts),
  };

  publish(topic: string, value: WorldValue): Promise<number> {
    return this.call('world.pub', { topic, value });
  }

  subscribe(topic: string, handler: (value: WorldValue, topic: string) => void): () => void {
    if (this.closed) throw new CodedError('ROOM_CLOSED', `room ${this.roomId} has ended`);
    // A wrapper per call, so the same handler subscribed twice is two subscriptions.
    const h = (v: unknown, t: string) => handler(v, t);
    this.client.subscribe(topic, h);
    const off = () => {
      if (!this.subs.delete(off)) return;
      this.client.unsubscribe(topic, h);
    };
    this.subs.add(off);
    return off;
  }

  readonly queue = {
    push: (name: string, value: WorldValue): Promise<number> => this.call('world.q.push', { name, value }),
    pop: async <T = unknown>(name: string, o: PopOptions = {}): Promise<QueueItem<T> | null> => {
      const waitMs = o.waitMs ?? 0;
      const d = await this.call(
        'world.q.pop', { name, visibilityMs: o.visibilityMs ?? DEFAULT_VISIBILITY_MS, waitMs }, waitMs + REPLY_MS,
      );
      if (!d) return null;
      // An ack may still go out after the room ended: the work it confirms was done.
      return { id: d.id, value: d.value as T, attempt: d.attempt, ack: () => this.call('world.q.ack', { name, id: d.id }, undefined, true) };
    },
    length: (name: string) => this.call('world.q.len', { name }),
  };

  get<T = WorldValue>(name: string): Promise<T | null> {
    return this.call('world.get', { name }) as Promise<T | null>;
  }

  async set(name: string, value: WorldValue, o: WriteOptions = {}): Promise<void> {
    await this.call('world.set', { name, value, fence: o.fence });
  }

  incr(name: string, by = 1, o: WriteOptions = {}): Promise<number> {
    return this.call('world.incr', { name, by, fence: o.fence });
  }

  compareAndSet(name: string, expected: WorldValue, next: WorldValue, o: WriteOptions = {}): Promise<boolean> {
    return this.call('world.cas', { name, expected, next, fence: o.fence });
  }

  waitFor<T = WorldValue>(name: string, predicate: (value: T | null) => boolean, o: { timeoutMs?: number } = {}): Promise<T | null> {
    if (this.closed) return Promise.reject(new CodedError('ROOM_CLOSED', `room ${this.roomId} has ended`));
    return new Promise<T | null>((resolve, reject) => {
      let done = false;
      const finish = (err: Error | null, v?: T | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.waits.delete(fail);
        this.client.unwatch(name, check);
        if (err) reject(err);
        else resolve(v ?? null);
      };
      const fail = (err: Error) => finish(err);
      const check = (v: unknown) => {
        let ok: boolean;
        try {
          ok = predicate(v as T | null);
        } catch (err) {
          return finish(err as Error);
        }
        if (ok) finish(null, v as T | null);
      };
      const timeoutMs = o.timeoutMs ?? 10_000;
      const timer = setTimeout(() => finish(new CodedError('WAIT_TIMEOUT', `${name} did not reach the condition within ${timeoutMs} ms`)), timeoutMs);
      this.waits.add(fail);
      this.client.watch(name, check).then((v) => check(v), fail);
    });
  }

  /** The room has ended: release its leases, drop its subscriptions, end its waits. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of [...this.leases]) void h.release().catch(() => {});
    for (const off of [...this.subs]) off();
    const err = new CodedError('ROOM_CLOSED', `room ${this.roomId} has ended`);
    for (const fail of [...this.waits]) fail(err);
  }

  /** What the room holds now (for tests and the console). */
  holding(): { leases: number; subscriptions: number; waits: number } {
    return { leases: this.leases.size, subscriptions: this.subs.size, waits: this.waits.size };
  }
}
