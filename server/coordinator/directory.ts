// The coordinator's shared world state: sessions and tokens, the room directory, the
// leaderboard. All changes that must survive a crash go through `commit`, which writes them to
// the store before the caller's answer leaves the process.
import crypto from 'node:crypto';
import type { Config } from '../config/schema.js';
import { applyChange, indexWorld, worldOf, type WorldIndex } from './store/apply.js';
import type { Change, PersistedWorld, RoomRecord, SessionRecord, WorldStore } from './store/types.js';
import { hashToken } from './token-hash.js';
import { journalPath, readScoreJournal } from '../worker/score-journal.js';

export class CoordError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface JoinArgs {
  slot: number;
  name: string;
  room?: string;
  token?: string;
  /** The room matchmaking picked when this connection was routed (no room named). */
  hint?: string;
}

/** `token` is the raw token, for the client's `welcome` only: the directory keeps its hash. */
export type JoinResult =
  | { redirect: number }
  | { session: SessionRecord; token: string; room: RoomRecord; resumed: boolean };


export class Directory {
  readonly ix: WorldIndex;
  /** room -> ids of players seated there (connected or frozen) */
  readonly seated = new Map<string, Set<string>>();
  /** Slots with a live worker channel and whether they take new rooms. */
  readonly slots = new Map<number, { draining: boolean }>();
  /** room -> expiry times of seats promised to connections on their way (matchmaking). */
  private readonly reservations = new Map<string, number[]>();
  private roomSeq = 0;
  /** When rooms were placed (not durable): a placement no worker ever ran is swept. */
  private readonly placedAt = new Map<string, number>();
  changesSinceCheckpoint = 0;
  /** Sessions loaded with a raw token (written by Shoal 0.1) and hashed: a checkpoint should follow. */
  readonly tokensHashedOnLoad: number = 0;

  constructor(world: PersistedWorld, private readonly store: WorldStore, private readonly config: Config) {
    this.ix = indexWorld(world);
    for (const r of this.ix.rooms.values()) this.seated.set(r.id, new Set());
    for (const s of this.ix.sessionsById.values()) {
      if (s.token !== undefined) {
        // Indexed by the same hash already (apply.ts); from here on the raw token is gone from memory.
        s.tokenHash = hashToken(s.token);
        delete s.token;
        this.tokensHashedOnLoad++;
      }
      const set = this.seated.get(s.room);
      if (set) set.add(s.id);
      else this.commitOrKeep([{ k: 'sessionEnd', id: s.id }]); // its room is gone: the session cannot resume
    }
  }

  /**
   * Written first, applied after: when the store cannot write (a full disk), the change is not in
   * memory either, so the caller's error is the whole truth and a resend is not taken for a repeat.
   */
  commit(changes: Change[]): void {
    this.store.append(changes);
    for (const c of changes) {
      applyChange(this.ix, c);
      if (c.k === 'score' || c.k === 'session') this.rankedDirty = true;
    }
    this.changesSinceCheckpoint += changes.length;
  }

  /**
   * For facts that are learnt again from live processes (which worker runs a room, a session
   * whose room is gone): kept in memory even while the store cannot write.
   */
  commitOrKeep(changes: Change[]): void {
    try {
      this.commit(changes);
    } catch {
      for (const c of changes) applyChange(this.ix, c);
    }
  }

  snapshotWorld(): PersistedWorld {
    return worldOf(this.ix);
  }

  // --- placement -------------------------------------------------------------------------

  private aliveSlots(): number[] {
    return [...this.slots.entries()].filter(([, s]) => !s.draining).map(([slot]) => slot);
  }

  /**
   * The live, non-draining slot with the least load, counting each room as one player too, so a
   * burst of new, still-empty rooms is spread over the workers rather than piled on the first.
   */
  private leastLoadedSlot(prefer?: number): number {
    const alive = this.aliveSlots();
    if (alive.length === 0) return prefer ?? 0;
    const load = new Map<number, number>(alive.map((s) => [s, s === prefer ? -0.5 : 0]));
    for (const r of this.ix.rooms.values()) {
      const l = load.get(r.slot);
      if (l !== undefined) load.set(r.slot, l + 1 + (this.seated.get(r.id)?.size ?? 0));
    }
    let best = alive[0]!;
    for (const s of alive) if (load.get(s)! < load.get(best)!) best = s;
    return best;
  }

  private reservedIn(room: string, now: number): number {
    const list = this.reservations.get(room);
    if (!list) return 0;
    // Expiry times are pushed in order, so the expired ones are at the front.
    let i = 0;
    while (i < list.length && list[i]! <= now) i++;
    if (i > 0) list.splice(0, i);
    if (list.length === 0) this.reservations.delete(room);
    return list.length;
  }

  private reserve(room: string, until: number): void {
    const list = this.reservations.get(room);
    if (list) list.push(until);
    else this.reservations.set(room, [until]);
  }

  private unreserve(room: string): void {
    const list = this.reservations.get(room);
    if (!list) return;
    list.shift();
    if (list.length === 0) this.reservations.delete(room);
  }

  private freeSeats(r: RoomRecord, now: number): number {
    return r.capacity - (this.seated.get(r.id)?.size ?? 0) - this.reservedIn(r.id, now);
  }

  private newRoomId(): string {
    let id: string;
    do id = `arena-${(++this.roomSeq).toString(36)}${crypto.randomBytes(2).toString('hex')}`;
    while (this.ix.rooms.has(id));
    return id;
  }

  private createRoom(id: string, slot: number): RoomRecord {
    const r: RoomRecord = { id, slot, capacity: this.config.roomCapacity };
    this.commit([{ k: 'room', r }]);
    this.seated.set(id, new Set());
    this.placedAt.set(id, Date.now());
    return this.ix.rooms.get(id)!;
  }

  /** Picks a room with a free seat (fullest first, so rooms fill up), or undefined. */
  private matchmake(now: number, preferSlot?: number): RoomRecord | undefined {
    let best: RoomRecord | undefined;
    let bestScore = -Infinity;
    for (const r of this.ix.rooms.values()) {
      const slot = this.slots.get(r.slot);
      if (!slot || slot.draining) continue;
      const free = this.freeSeats(r, now);
      if (free <= 0) continue;
      const score = -free + (r.slot === preferSlot ? 0.5 : 0);
      if (score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    return best;
  }

  /** Which worker slot should take a new connection, decided from its first message. */
  route(args: { room?: string; token?: string }): { slot: number; room?: string } {
    const now = Date.now();
    if (args.token) {
      const s = this.ix.sessionsByTokenHash.get(hashToken(args.token));
      const r = s && this.ix.rooms.get(s.room);
      return r ? { slot: r.slot } : { slot: this.leastLoadedSlot() };
    }
    if (args.room) {
      const r = this.ix.rooms.get(args.room) ?? this.createRoom(args.room, this.leastLoadedSlot());
      return { slot: r.slot };
    }
    const r = this.matchmake(now) ?? this.createRoom(this.newRoomId(), this.leastLoadedSlot());
    this.reserve(r.id, now + 10_000);
    return { slot: r.slot, room: r.id };
  }

  join(a: JoinArgs): JoinResult {
    const now = Date.now();
    if (a.token !== undefined) {
      const s = this.ix.sessionsByTokenHash.get(hashToken(a.token));
      if (!s) throw new CoordError('BAD_TOKEN', 'unknown or expired token');
      let r = this.ix.rooms.get(s.room);
      if (!r) r = this.createRoom(s.room, a.slot);
      if (r.slot !== a.slot && this.slots.has(r.slot)) return { redirect: r.slot };
      if (r.slot !== a.slot) this.moveRoom(r, a.slot); // its worker is gone: adopt the room here
      this.seated.get(r.id)!.add(s.id);
      return { session: { ...s }, token: a.token, room: r, resumed: true };
    }
    let r: RoomRecord | undefined;
    if (a.room !== undefined) {
      r = this.ix.rooms.get(a.room);
      if (r && r.slot !== a.slot && this.slots.has(r.slot)) return { redirect: r.slot };
      if (r && r.slot !== a.slot) this.moveRoom(r, a.slot);
      if (!r) r = this.createRoom(a.room, a.slot);
      if ((this.seated.get(r.id)?.size ?? 0) >= r.capacity) {
        throw new CoordError('ROOM_FULL', `room ${r.id} has no free seat`);
      }
    } else {
      // The seat reserved at routing, if it is still there and on this worker; else matchmake
      // again. Never ROOM_FULL for a player who named no room.
      const hinted = a.hint !== undefined ? this.ix.rooms.get(a.hint) : undefined;
      if (hinted && hinted.slot === a.slot && (this.seated.get(hinted.id)?.size ?? 0) < hinted.capacity) {
        r = hinted;
        this.unreserve(r.id);
      } else {
        r = this.matchmake(now, a.slot);
        if (r && r.slot !== a.slot) return { redirect: r.slot };
        if (!r) r = this.createRoom(this.newRoomId(), a.slot);
      }
    }
    const n = this.ix.nextPlayer;
    const token = crypto.randomBytes(24).toString('base64url');
    const session: SessionRecord = {
      id: 'p' + n.toString(36),
      tokenHash: hashToken(token),
      name: a.name,
      room: r.id,
      score: 0,
    };
    this.commit([{ k: 'nextPlayer', n: n + 1 }, { k: 'session', s: session }]);
    this.seated.get(r.id)!.add(session.id);
    return { session: { ...session }, token, room: r, resumed: false };
  }

  private moveRoom(r: RoomRecord, slot: number): void {
    // Its worker is gone: scores it showed while it could not reach us are in its journal.
    this.replayJournal(r.slot);
    this.commit([{ k: 'room', r: { ...r, slot } }]);
  }

  /**
   * Applies the score journal of the worker in `slot` (scores it showed while its link was
   * down). Called before that slot's rooms and sessions are handed to any worker; idempotent.
   */
  replayJournal(slot: number, apply: (u: Array<[string, number]>) => void = (u) => this.scores(u)): number {
    const file = journalPath(this.config.data, slot);
    let u: Array<[string, number]>;
    try {
      u = readScoreJournal(file);
    } catch (err) {
      // Unreadable: the slot still gets its rooms (refusing would strand its players too).
      this.onJournalError(file, err as Error);
      return 0;
    }
    if (u.length) apply(u);
    return u.length;
  }

  onJournalError: (file: string, err: Error) => void = () => {};

  /** A player is gone for good: its seat frees and its token stops working. */
  leave(id: string): void {
    const s = this.ix.sessionsById.get(id);
    if (!s) return;
    this.seated.get(s.room)?.delete(id);
    this.commit([{ k: 'sessionEnd', id }]);
  }

  scores(updates: Array<[string, number]>): void {
    const changes: Change[] = [];
    for (const [id, score] of updates) {
      const s = this.ix.sessionsById.get(id);
      if (s && score > s.score) changes.push({ k: 'score', id, score });
    }
    if (changes.length) this.commit(changes);
  }

  /**
   * Like scores(), for a worker's hello: while the store cannot write (a full disk) the scores are
   * still applied in memory, so the sessions handed back carry them; false tells the worker they
   * are not durable yet, so it keeps its journal and resends (a later checkpoint also saves them).
   */
  scoresOrKeep(updates: Array<[string, number]>): boolean {
    const changes: Change[] = [];
    for (const [id, score] of updates) {
      const s = this.ix.sessionsById.get(id);
      if (s && score > s.score) changes.push({ k: 'score', id, score });
    }
    if (!changes.length) return true;
    try {
      this.commit(changes);
      return true;
    } catch {
      for (const c of changes) applyChange(this.ix, c);
      this.rankedDirty = true;
      return false;
    }
  }

  roomGone(id: string): void {
    const r = this.ix.rooms.get(id);
    if (!r) return;
    for (const pid of this.seated.get(id) ?? []) this.commit([{ k: 'sessionEnd', id: pid }]);
    this.seated.delete(id);
    this.commit([{ k: 'roomGone', id }]);
  }

  /** Latest room snapshots; kept in memory, written at each checkpoint. */
  snapshot(rooms: Array<[string, unknown]>): void {
    for (const [id, snap] of rooms) {
      const r = this.ix.rooms.get(id);
      if (r) r.snapshot = snap;
    }
  }

  /**
   * Rooms placed for a connection that never joined (it closed first) would stay in the directory
   * forever: drop those with no seat, no reservation and no snapshot after `olderThanMs`.
   */
  sweepUnused(olderThanMs: number): number {
    const now = Date.now();
    let n = 0;
    for (const [id, at] of this.placedAt) {
      const r = this.ix.rooms.get(id);
      if (!r || r.snapshot !== undefined || (this.seated.get(id)?.size ?? 0) > 0) {
        if (!r || r.snapshot !== undefined) this.placedAt.delete(id);
        continue;
      }
      if (now - at < olderThanMs || this.reservedIn(id, now) > 0) continue;
      this.placedAt.delete(id);
      this.roomGone(id);
      n++;
    }
    return n;
  }

  roomsOfSlot(slot: number): RoomRecord[] {
    return [...this.ix.rooms.values()].filter((r) => r.slot === slot);
  }

  sessionsOfRoom(room: string): SessionRecord[] {
    return [...(this.seated.get(room) ?? [])].map((id) => this.ix.sessionsById.get(id)).filter((s): s is SessionRecord => !!s);
  }

  /** The leaderboard sorted best first; re-sorted after scores change, at most every 50 ms. */
  private ranked: Array<[string, number]> = [];
  private rankedDirty = true;
  private rankedAt = 0;

  top(n: number): Array<[string, number]> {
    const now = Date.now();
    // Under a stream of score changes, a leaderboard up to 50 ms old is served rather than
    // sorting every name for every request.
    if (this.rankedDirty && now - this.rankedAt >= 50) {
      this.ranked = [...this.ix.leaderboard].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      this.rankedDirty = false;
      this.rankedAt = now;
    }
    return this.ranked.slice(0, n);
  }

  rooms(): Array<{ id: string; players: number; capacity: number; slot: number }> {
    return [...this.ix.rooms.values()].map((r) => ({
      id: r.id, players: this.seated.get(r.id)?.size ?? 0, capacity: r.capacity, slot: r.slot,
    }));
  }
}
