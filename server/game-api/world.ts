// The world API as room code sees it (`ctx.world`): locks, semaphores, events, queues and values
// shared by every room of the server, whichever worker process runs it. Everything lives in the
// coordinator (one authority); calls are async and fail with an error carrying a `code`:
//   FENCED        a fenced write whose lease is no longer the lock's live one
//   ROOM_CLOSED   the room has ended; its world handle takes no more calls
//   UNAVAILABLE, CHANNEL_TIMEOUT, CHANNEL_CLOSED  the coordinator could not be reached in time
//   BAD_ARGS      a name, duration or count out of range
//   NOT_A_NUMBER  incr on a value that is not a number
//   WAIT_TIMEOUT  waitFor's predicate did not hold in time
// The guarantees of each primitive, and what a crash can lose, are in docs/WORLD.md.

/** A lock's name and lease token: pass it with a write to have stale holders refused. */
export interface Fence {
  lock: string;
  token: number;
}

export interface LeaseOptions {
  /** The lease: the coordinator frees the permit this long after the grant unless extended. Default 10000. */
  ttlMs?: number;
  /** How long to wait in line for a permit; 0 (the default) only tries. */
  waitMs?: number;
}

export interface Lease {
  readonly name: string;
  /** Fencing token: unique per name, larger for every later grant, also across coordinator restarts. */
  readonly token: number;
  /** When the lease runs out by this process's clock (the coordinator's view may be slightly earlier). */
  readonly expiresAt: number;
  /** False once released, or past expiresAt. */
  readonly held: boolean;
  /** Frees the permit; false when the lease had already run out (someone else may hold it now). */
  release(): Promise<boolean>;
  /** Renews the lease for ttlMs from now; false when it had already run out. */
  extend(ttlMs?: number): Promise<boolean>;
}

export interface LockLease extends Lease {
  /** `{lock, token}` for fenced writes: `world.set(name, v, { fence: lease.fence })`. */
  readonly fence: Fence;
}

export interface WriteOptions {
  /** Refuse the write (code FENCED) unless this lock lease is still the live one. */
  fence?: Fence;
}

export interface QueueItem<T = unknown> {
  readonly id: number;
  readonly value: T;
  /** 1 on first delivery; more when it came back after a visibility timeout. */
  readonly attempt: number;
  /** Done: the item is deleted for good. False when it was already acked. */
  ack(): Promise<boolean>;
}

export interface PopOptions {
  /** How long the item stays hidden from other poppers before it comes back unless acked. Default 30000. */
  visibilityMs?: number;
  /** How long to wait for an item when the queue is empty; 0 (the default) answers null at once. */
  waitMs?: number;
}

/** World values are plain data (what MessagePack carries: numbers, strings, booleans, arrays, maps). */
export type WorldValue = unknown;

export interface World {
  readonly lock: {
    /** One holder at a time. Null when not granted (busy, and waitMs passed). */
    acquire(name: string, opts?: LeaseOptions): Promise<LockLease | null>;
  };
  readonly semaphore: {
    /** At most `permits` holders of `name` at a time. Null when not granted within waitMs. */
    acquire(name: string, permits: number, opts?: LeaseOptions): Promise<Lease | null>;
  };
  /** Sends value to every room subscribed to topic (in any worker); resolves to how many workers it reached. */
  publish(topic: string, value: WorldValue): Promise<number>;
  /** Calls handler for every value published on topic until the returned function is called or the room ends. */
  subscribe(topic: string, handler: (value: WorldValue, topic: string) => void): () => void;
  readonly queue: {
    /** Adds an item (durable before this resolves); resolves to its id. */
    push(name: string, value: WorldValue): Promise<number>;
    /** Takes the oldest ready item, hidden from others for visibilityMs; null when none. */
    pop<T = unknown>(name: string, opts?: PopOptions): Promise<QueueItem<T> | null>;
    length(name: string): Promise<{ ready: number; inflight: number }>;
  };
  /** The value of name, or null. */
  get<T = WorldValue>(name: string): Promise<T | null>;
  /** Sets (null deletes). Durable before this resolves. */
  set(name: string, value: WorldValue, opts?: WriteOptions): Promise<void>;
  /** Adds `by` (default 1) to a number (absent counts as 0); resolves to the new value. */
  incr(name: string, by?: number, opts?: WriteOptions): Promise<number>;
  /** Sets next only if the value equals expected (deep equality; null: absent). True when it did. */
  compareAndSet(name: string, expected: WorldValue, next: WorldValue, opts?: WriteOptions): Promise<boolean>;
  /** Resolves with the value once predicate(value) holds (checked now and on every change). */
  waitFor<T = WorldValue>(name: string, predicate: (value: T | null) => boolean, opts?: { timeoutMs?: number }): Promise<T | null>;
}
