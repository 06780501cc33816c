// The world's durable records on Redis (--store redis://...), for many hosts sharing one world.
// Records live in global hashes (sessions, tokens, rooms, snapshots, the leaderboard ZSET, kv), so
// any host can read them: a host that died has its players resumed elsewhere from them. A host
// loads only its own part at start (its rooms, the sessions seated there, the global kv and its
// own host-scoped kv), and the leaderboard is one ZSET all hosts add to.
//
// Write-behind: `append` only queues (it must stay synchronous for the ledger), and everything
// queued in one event-loop turn goes out as one MULTI. `durable()` resolves once Redis answered
// the EXEC of everything appended before it (with appendfsync always, that is on its disk). While
// Redis is unreachable `append` throws STORE_UNAVAILABLE at once, as FileStore does on a full
// disk, so a join is refused and scores stay with the workers. A MULTI that failed on its way is
// kept, in order, and sent again once Redis answers (every change is idempotent); until then the
// store counts as failing.
import type { ChainableCommander, Redis } from 'ioredis';
import { pack } from 'msgpackr';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { KEYS } from '../redis/keys.js';
import { leaderboardKey } from './leaderboard-key.js';
import { PlayerNumbers } from './player-numbers.js';
import { OWNER_PREFIX } from './fenced-writes.js';
import { SCRIPTS, type ScriptName } from './redis-scripts.js';
import { readRoomsFromRedis } from './redis-rooms.js';
import { storeHealthy, storeWriteFailures } from './store-metrics.js';
import type { AckedWrites, Change, RoomRecord, SavedState, SessionRecord, StateStore } from './types.js';

/** Kv namespaces that belong to one host (worker slots are per host); every other one is world-wide. */
export const HOST_SCOPED_NS: ReadonlySet<string> = new Set(['drained']);

/** A session's records are forgotten this long after its host last vouched for it (on top of the grace). */
export const SESSION_DUE_MARGIN_MS = 60_000;

/** How often a failed MULTI is tried again while Redis is connected (it is also tried at each reconnect). */
const RETRY_MS = 500;

/** A room read from Redis (readRooms). */
export interface StoredRoom {
  room: RoomRecord;
  /** The host that wrote its record last (absent in a record written without one). */
  host?: string;
  sessions: SessionRecord[];
}

interface Batch {
  /** The append count this batch makes. */
  n: number;
  changes?: Change[];
  snaps?: Array<[string, Buffer]>;
}

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export interface RedisStoreOptions {
  hostId: string;
  /** --grace-ms: a session's records outlive its host's last word by this plus SESSION_DUE_MARGIN_MS. */
  graceMs: number;
  /** Hears each change between writable and not, as FileStore's does. */
  onHealth?: (h: { ok: boolean; reason?: string }) => void;
  onError?: (err: Error, what: string) => void;
}

export class RedisStore implements StateStore, AckedWrites {
  private appended = 0;
  private synced = 0;
  /** Appended and not yet acknowledged by Redis, oldest first; the first `inFlight` are on their way. */
  private pending: Batch[] = [];
  private inFlight = 0;
  private flushQueued = false;
  private waiters: Waiter[] = [];
  private shas: Partial<Record<ScriptName, string>> = {};
  private scriptsLoading: Promise<void> | null = null;
  private problem: string | undefined;
  private opened = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The snapshot object last written per room: a checkpoint writes only the ones that changed. */
  private readonly written = new Map<string, unknown>();
  readonly numbers: PlayerNumbers;

  constructor(private readonly redis: Redis, private readonly o: RedisStoreOptions) {
    this.numbers = new PlayerNumbers(redis, (err) => o.onError?.(err, 'reserving session numbers'));
  }

  get appends(): number {
    return this.appended;
  }

  get syncedAppends(): number {
    return this.synced;
  }

  health(): { ok: boolean; reason?: string } {
    return this.problem ? { ok: false, reason: this.problem } : { ok: true };
  }

  takePlayerNumber(): number {
    return this.numbers.take();
  }

  /** The connection came up or went down (openRedis's onHealth). */
  connectionChanged(ok: boolean): void {
    if (!this.opened || this.closed) return;
    if (!ok) {
      this.shas = {};
      this.failed('redis: not connected');
      return;
    }
    // A restarted Redis has forgotten the scripts: load them before anything is sent.
    void this.loadScripts().then(
      () => this.retry(),
      (err: Error) => this.failed(`redis: ${err.message}`),
    );
  }

  async open(): Promise<SavedState> {
    const r = this.redis;
    const me = this.o.hostId;
    await this.loadScripts();
    await this.numbers.fill();
    const rooms: RoomRecord[] = [];
    const sessions: SessionRecord[] = [];
    for (const stored of await this.readRooms(await r.smembers(KEYS.hostRooms(me)))) {
      // Taken over by another host since: not ours to run.
      if (stored.host !== undefined && stored.host !== me) continue;
      if (stored.room.snapshot !== undefined) this.written.set(stored.room.id, stored.room.snapshot);
      rooms.push(stored.room);
      sessions.push(...stored.sessions);
    }
    const flat = await r.zrange(KEYS.lb, 0, -1, 'WITHSCORES');
    const leaderboard: Array<[string, number]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) leaderboard.push([flat[i]!, Number(flat[i + 1])]);
    const kv: SavedState['kv'] = {};
    await this.loadKv(`${KEYS.kv('')}*`, KEYS.kv(''), kv, (ns) => !HOST_SCOPED_NS.has(ns));
    await this.loadKv(`${globEscape(KEYS.hostKv(me, ''))}*`, KEYS.hostKv(me, ''), kv, (ns) => HOST_SCOPED_NS.has(ns));
    this.opened = true;
    storeHealthy.set(1);
    return { nextPlayer: this.numbers.peek(), sessions, leaderboard, rooms, kv };
  }

  /**
   * Rooms as Redis holds them: each record (snapshot included) with the host that wrote it last
   * and the sessions seated in it. What a host loads at start, and what another host reads to
   * take over a dead host's room (its directory then commits them, which writes them as its own).
   */
  async readRooms(ids: readonly string[]): Promise<StoredRoom[]> {
    const found: StoredRoom[] = [];
    for (const r of await readRoomsFromRedis(this.redis, ids)) {
      if (!r.record) continue;
      const { host, ...room } = r.record;
      if (r.snapshot !== undefined) room.snapshot = r.snapshot;
      found.push({ room, host, sessions: r.sessions });
    }
    return found;
  }


  append(changes: Change[]): void {
    if (changes.length === 0) return;
    if (!this.opened || this.closed) throw new CodedError('STORE_CLOSED', 'store is not open');
    this.mustBeWritable();
    for (const c of changes) if (c.k === 'roomGone') this.written.delete(c.id);
    this.pending.push({ n: ++this.appended, changes });
    this.queueFlush();
  }

  /** Resolves once every append made so far is acknowledged by Redis; rejects at once while it is unreachable. */
  durable(): Promise<void> {
    if (this.synced === this.appended) return Promise.resolve();
    if (this.problem) return Promise.reject(new CodedError('STORE_UNAVAILABLE', this.problem));
    const upTo = this.appended;
    return new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
  }

  async sync(): Promise<void> {
    await this.durable();
  }

  /**
   * Writes the rooms' snapshots that changed since the last time, so another host can bring a
   * room back from it (called every --snapshot-ms, and at stop). The rest of the world is written
   * as it changes; there is nothing to compact.
   */
  async checkpoint(world: SavedState): Promise<void> {
    await this.writeSnapshots(world.rooms);
  }

  /** The snapshots of these rooms that changed since they were last written (checkpoint's work, without a whole SavedState). */
  async writeSnapshots(rooms: Iterable<Readonly<RoomRecord>>): Promise<void> {
    const snaps: Array<[string, Buffer]> = [];
    const taken: Array<[string, unknown]> = [];
    for (const r of rooms) {
      if (r.snapshot === undefined || this.written.get(r.id) === r.snapshot) continue;
      snaps.push([r.id, pack(r.snapshot)]);
      taken.push([r.id, r.snapshot]);
    }
    if (!snaps.length) return;
    this.mustBeWritable();
    this.pending.push({ n: ++this.appended, snaps });
    this.queueFlush();
    // Marked written now (a roomGone appended later removes the mark); unmarked if this fails.
    for (const [id, s] of taken) this.written.set(id, s);
    try {
      await this.durable();
    } catch (err) {
      for (const [id, s] of taken) if (this.written.get(id) === s) this.written.delete(id);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.pending.length && !this.problem) await this.durable().catch(() => {});
    this.closed = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Vouches for these live sessions (its own): their records outlive this host by the grace plus a margin. */
  async refreshSessions(ids: readonly string[], now = Date.now()): Promise<void> {
    if (!ids.length || this.problem) return;
    const due = now + this.o.graceMs + SESSION_DUE_MARGIN_MS;
    const args: Array<string | number> = [];
    for (const id of ids) args.push(due, id);
    await this.redis.zadd(KEYS.sessionDue, ...args);
  }

  /** Forgets up to `limit` sessions no host vouched for in time (their host died); returns how many. */
  async expireSessions(now = Date.now(), limit = 500): Promise<number> {
    if (this.problem) return 0;
    const sha = this.sha('expireSessions');
    return (await this.redis.evalsha(sha, 3, KEYS.sessionDue, KEYS.session, KEYS.token, now, limit, KEYS.roomSessions(''))) as number;
  }

  // --- writing -------------------------------------------------------------------------------

  private mustBeWritable(): void {
    if (this.problem) throw new CodedError('STORE_UNAVAILABLE', this.problem);
    if (this.redis.status !== 'ready' || !this.scriptsReady()) {
      this.failed('redis: not connected');
      throw new CodedError('STORE_UNAVAILABLE', 'redis: not connected');
    }
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // After this turn: every append of the turn rides in the same MULTI.
    setImmediate(() => {
      this.flushQueued = false;
      this.flushNow();
    });
  }

  private flushNow(): void {
    if (this.inFlight || !this.pending.length || this.redis.status !== 'ready' || !this.scriptsReady()) return;
    const batches = this.pending.slice();
    this.inFlight = batches.length;
    const m = this.redis.multi();
    const now = Date.now();
    for (const b of batches) {
      if (b.changes) for (const c of b.changes) this.write(m, c, now);
      if (b.snaps) for (const [id, buf] of b.snaps) m.evalsha(this.sha('snapshot'), 2, KEYS.snapshot, KEYS.owner(id), id, this.o.hostId, buf);
    }
    const upTo = batches[batches.length - 1]!.n;
    m.exec().then(
      (res) => {
        const err = res === null ? new Error('transaction aborted') : res.find(([e]) => e)?.[0];
        if (err) throw err;
        this.acknowledged(batches.length, upTo);
      },
    ).catch((err: Error) => this.sendFailed(err, upTo));
  }

  private acknowledged(count: number, upTo: number): void {
    this.pending.splice(0, count);
    this.inFlight = 0;
    this.synced = Math.max(this.synced, upTo);
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.upTo <= upTo) w.resolve();
      else keep.push(w);
    }
    this.waiters = keep;
    if (this.problem && !this.pending.length) this.recovered();
    if (this.pending.length) this.flushNow();
  }

  private sendFailed(err: Error, upTo: number): void {
    // Kept, in order, for the next try: nothing appended is dropped while this process lives.
    this.inFlight = 0;
    this.o.onError?.(err, 'writing');
    this.failed(`redis: ${err.message}`);
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.upTo <= upTo) w.reject(new CodedError('STORE_UNAVAILABLE', `redis: ${err.message}`));
      else keep.push(w);
    }
    this.waiters = keep;
    if (err.message.includes('NOSCRIPT')) {
      this.shas = {};
      void this.loadScripts().catch(() => {});
    }
  }

  /** The commands of one change, added to the MULTI. */
  private write(m: ChainableCommander, c: Change, now: number): void {
    const me = this.o.hostId;
    switch (c.k) {
      case 'session': {
        const s = c.s;
        const due = now + this.o.graceMs + SESSION_DUE_MARGIN_MS;
        m.evalsha(this.sha('sessionPut'), 5, KEYS.session, KEYS.token, KEYS.roomSessions(s.room), KEYS.lb, KEYS.sessionDue,
          s.id, JSON.stringify(s), s.tokenHash, leaderboardKey(s), s.score, due);
        return;
      }
      case 'sessionEnd':
        m.evalsha(this.sha('sessionEnd'), 3, KEYS.session, KEYS.token, KEYS.sessionDue, c.id, KEYS.roomSessions(''));
        return;
      case 'score':
        m.evalsha(this.sha('score'), 2, KEYS.session, KEYS.lb, c.id, c.score, OWNER_PREFIX, me);
        return;
      case 'room': {
        // The snapshot goes to shoal:snapshot at checkpoints, not into the record.
        const { snapshot: _snapshot, ...rec } = c.r;
        m.hset(KEYS.room, rec.id, JSON.stringify({ ...rec, host: me }));
        m.sadd(KEYS.hostRooms(me), rec.id);
        return;
      }
      case 'roomGone':
        m.evalsha(this.sha('roomGone'), 4, KEYS.room, KEYS.snapshot, KEYS.roomSessions(c.id), KEYS.hostRooms(me), c.id, me);
        return;
      case 'nextPlayer':
        // Session numbers come from shoal:next in blocks (player-numbers.ts): nothing to write.
        return;
      case 'kv':
        m.hset(this.kvKey(c.ns), c.key, JSON.stringify(c.value ?? null));
        return;
      case 'kvDel':
        m.hdel(this.kvKey(c.ns), c.key);
        return;
    }
  }

  private kvKey(ns: string): string {
    return HOST_SCOPED_NS.has(ns) ? KEYS.hostKv(this.o.hostId, ns) : KEYS.kv(ns);
  }

  // --- health ----------------------------------------------------------------------------------

  private failed(reason: string): void {
    storeHealthy.set(0);
    if (this.problem === undefined) storeWriteFailures.inc({ code: 'REDIS' });
    const was = this.problem;
    this.problem = reason;
    if (was === undefined) this.o.onHealth?.({ ok: false, reason });
    // Whoever waits cannot be told "durable" now: their answers fail (a worker keeps its scores
    // and sends them again); the writes themselves stay queued and go out once Redis is back.
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(new CodedError('STORE_UNAVAILABLE', reason));
    // While something waits to be written, try again now and then (a reconnect also tries).
    if (!this.retryTimer && !this.closed) {
      this.retryTimer = setInterval(() => this.retry(), RETRY_MS);
      this.retryTimer.unref();
    }
  }

  private retry(): void {
    if (this.redis.status !== 'ready') return;
    if (!this.scriptsReady()) {
      void this.loadScripts().then(() => this.retry(), () => {});
      return;
    }
    if (this.pending.length) this.flushNow();
    else this.recovered();
  }

  private recovered(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
    if (this.problem === undefined) return;
    this.problem = undefined;
    storeHealthy.set(1);
    this.o.onHealth?.({ ok: true });
  }

  // --- scripts and loading -----------------------------------------------------------------------

  private scriptsReady(): boolean {
    return Object.keys(this.shas).length === Object.keys(SCRIPTS).length;
  }

  private sha(name: ScriptName): string {
    const sha = this.shas[name];
    if (!sha) throw new CodedError('STORE_UNAVAILABLE', 'redis: scripts not loaded');
    return sha;
  }

  private loadScripts(): Promise<void> {
    this.scriptsLoading ??= (async () => {
      const shas: Partial<Record<ScriptName, string>> = {};
      for (const [name, lua] of Object.entries(SCRIPTS) as Array<[ScriptName, string]>) {
        shas[name] = (await this.redis.script('LOAD', lua)) as string;
      }
      this.shas = shas;
    })().finally(() => (this.scriptsLoading = null));
    return this.scriptsLoading;
  }

  /** Every namespace under `prefix` whose name `want`s, into `kv`. */
  private async loadKv(match: string, prefix: string, kv: SavedState['kv'], want: (ns: string) => boolean): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 200);
      cursor = next;
      for (const key of keys) {
        const ns = key.slice(prefix.length);
        if (!want(ns)) continue;
        const m = (kv[ns] ??= {});
        for (const [k, v] of Object.entries(await this.redis.hgetall(key))) m[k] = JSON.parse(v) as unknown;
      }
    } while (cursor !== '0');
  }
}

/** The replies of a pipeline, throwing the first error. */

/** A literal for a SCAN MATCH pattern (a host id may hold [ ] * ? \). */
function globEscape(s: string): string {
  return s.replace(/[[\]*?\\]/g, '\\$&');
}
