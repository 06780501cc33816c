// The coordinator's shared world state: sessions and tokens, the room directory, the
// leaderboard. All changes that must survive a crash go through `commit`, which writes them to
// the store before the caller's answer leaves the process.
import crypto from 'node:crypto';
import type { Config } from '../../config/schema.js';
import { applyChange, indexWorld, worldOf, type WorldIndex } from '../store/apply.js';
import type { Change, PersistedWorld, RoomRecord, SessionRecord, WorldStore } from '../store/types.js';
import { hashToken } from '../store/token-hash.js';
import { accountOfKey } from '../store/leaderboard-key.js';
import { foldName } from '../../../shared/protocol/text-rules.js';
import { journalPath, readScoreJournal } from '../../scores/score-journal.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

export interface JoinArgs {
  slot: number;
  name: string;
  room?: string;
  token?: string;
  /** The room matchmaking picked when this connection was routed (no room named). */
  hint?: string;
  /** The client's address: rooms it makes are counted against it. */
  address?: string;
  /** --auth jwt: the verified account (token sub), or guest: true. Neither with --auth none. */
  account?: string;
  guest?: boolean;
}

/** A room promised to connections on their way, not made: nothing durable, not in /rooms. */
interface Placement {
  slot: number;
  until: number;
  /** Made up by matchmaking (no room named), so other unnamed players may be placed in it. */
  anon: boolean;
}

/** How long a placement guides routing after the last connection routed to it. */
const PLACEMENT_MS = 15_000;
/** World kv namespace: account (token sub) -> the name it last played under. */
const ACCOUNTS_NS = 'accounts';
const MINUTE_MS = 60_000;

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
  /** When rooms were made (not durable): a room no worker ever ran is swept. */
  private readonly placedAt = new Map<string, number>();
  /**
   * Rooms exist, durably and in /rooms, only once a player is seated in them. Until then a room
   * named at routing (or made up by matchmaking) is only a placement: which worker should make
   * it, so the players on their way to it meet on one worker. At most maxConnections are kept.
   */
  private readonly placed = new Map<string, Placement>();
  private readonly anonPlaced = new Set<string>();
  private readonly placedPerSlot = new Map<number, number>();
  /** address -> rooms it made in the current minute */
  private readonly madeBy = new Map<string, { since: number; n: number }>();
  /** Folded names accounts play under -> the account: a guest may not take one. */
  private readonly accountNames = new Map<string, string>();
  changesSinceCheckpoint = 0;
  /** Sessions loaded with a raw token (written by Shoal 0.1) and hashed: a checkpoint should follow. */
  readonly tokensHashedOnLoad: number = 0;

  constructor(world: PersistedWorld, private readonly store: WorldStore, private readonly config: Config) {
    this.ix = indexWorld(world);
    for (const [sub, name] of this.ix.kv.get(ACCOUNTS_NS) ?? []) if (typeof name === 'string') this.accountNames.set(foldName(name), sub);
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
    // A room exists only while someone is seated in it: rooms nobody holds a seat in (made by an
    // older version at routing, or left empty by a crash) go.
    for (const [id, seated] of this.seated) {
      if (seated.size > 0) continue;
      this.seated.delete(id);
      this.commitOrKeep([{ k: 'roomGone', id }]);
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
    const load = new Map<number, number>(alive.map((s) => [s, (s === prefer ? -0.5 : 0) + (this.placedPerSlot.get(s) ?? 0)]));
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
    while (this.ix.rooms.has(id) || this.placed.has(id));
    return id;
  }

  /** Makes a room, durably: only ever for a player about to be seated in it. */
  private createRoom(id: string, slot: number): RoomRecord {
    this.unplace(id);
    const r: RoomRecord = { id, slot, capacity: this.config.roomCapacity };
    this.commit([{ k: 'room', r }]);
    this.seated.set(id, new Set());
    this.placedAt.set(id, Date.now());
    return this.ix.rooms.get(id)!;
  }

  /** The live placement of a room not made yet, if any. */
  private placement(id: string, now: number): Placement | undefined {
    const p = this.placed.get(id);
    if (!p) return undefined;
    const slot = this.slots.get(p.slot);
    if (p.until > now && slot && !slot.draining) return p;
    this.unplace(id);
    return undefined;
  }

  /** Where a room not made yet will be made; the same worker for everyone on the way to it. */
  private place(id: string, now: number, anon: boolean): number {
    const p = this.placement(id, now);
    if (p) {
      p.until = now + PLACEMENT_MS;
      return p.slot;
    }
    const slot = this.leastLoadedSlot();
    // The oldest placement gives way: placements only guide routing (a join re-checks everything).
    if (this.placed.size >= this.config.maxConnections) this.unplace(this.placed.keys().next().value!);
    this.placed.set(id, { slot, until: now + PLACEMENT_MS, anon });
    if (anon) this.anonPlaced.add(id);
    this.placedPerSlot.set(slot, (this.placedPerSlot.get(slot) ?? 0) + 1);
    return slot;
  }

  private unplace(id: string): void {
    const p = this.placed.get(id);
    if (!p) return;
    this.placed.delete(id);
    this.anonPlaced.delete(id);
    const n = (this.placedPerSlot.get(p.slot) ?? 1) - 1;
    if (n > 0) this.placedPerSlot.set(p.slot, n);
    else this.placedPerSlot.delete(p.slot);
  }

  /** Counts a room an address makes; refuses past roomsPerAddressPerMinute. */
  private countRoomMade(address: string, now: number): void {
    let m = this.madeBy.get(address);
    if (!m || now - m.since >= MINUTE_MS) {
      m = { since: now, n: 0 };
      this.madeBy.set(address, m);
    }
    const limit = this.config.roomsPerAddressPerMinute;
    if (m.n >= limit) {
      throw new CodedError('ROOM_LIMIT', `no more than ${limit} new rooms a minute from one address; join an existing room`);
    }
    m.n++;
  }

  /**
   * Picks a room with a free seat (fullest first, so rooms fill up), or undefined: a room that
   * exists, or one matchmaking placed for players on their way and not made yet.
   */
  private matchmake(now: number, preferSlot?: number): { id: string; slot: number } | undefined {
    let best: { id: string; slot: number } | undefined;
    let bestScore = -Infinity;
    const consider = (id: string, slotNo: number, free: number) => {
      const slot = this.slots.get(slotNo);
      if (!slot || slot.draining || free <= 0) return;
      const score = -free + (slotNo === preferSlot ? 0.5 : 0);
      if (score > bestScore) {
        best = { id, slot: slotNo };
        bestScore = score;
      }
    };
    for (const r of this.ix.rooms.values()) consider(r.id, r.slot, this.freeSeats(r, now));
    for (const id of this.anonPlaced) {
      const p = this.placement(id, now);
      if (p) consider(id, p.slot, this.config.roomCapacity - this.reservedIn(id, now));
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
      const r = this.ix.rooms.get(args.room);
      return { slot: r ? r.slot : this.place(args.room, now, false) };
    }
    let r = this.matchmake(now);
    if (!r) {
      const id = this.newRoomId();
      r = { id, slot: this.place(id, now, true) };
    }
    this.reserve(r.id, now + 10_000);
    return { slot: r.slot, room: r.id };
  }

  join(a: JoinArgs): JoinResult {
    const now = Date.now();
    if (a.token !== undefined) {
      const s = this.ix.sessionsByTokenHash.get(hashToken(a.token));
      if (!s) throw new CodedError('BAD_TOKEN', 'unknown or expired token');
      // A session resumes only as the account it was made for (a guest's only as a guest).
      if (s.account !== a.account) throw new CodedError('BAD_TOKEN', 'this token belongs to another account');
      let r = this.ix.rooms.get(s.room);
      if (!r) r = this.createRoom(s.room, a.slot);
      if (r.slot !== a.slot && this.slots.has(r.slot)) return { redirect: r.slot };
      if (r.slot !== a.slot) this.moveRoom(r, a.slot); // its worker is gone: adopt the room here
      this.seated.get(r.id)!.add(s.id);
      return { session: { ...s }, token: a.token, room: r, resumed: true };
    }
    if (a.guest && this.accountNames.has(foldName(a.name))) {
      throw new CodedError('NAME_TAKEN', `the name ${JSON.stringify(a.name)} belongs to an account; sign in or choose another`);
    }
    let r: RoomRecord | undefined;
    if (a.room !== undefined) {
      r = this.ix.rooms.get(a.room);
      if (r && r.slot !== a.slot && this.slots.has(r.slot)) return { redirect: r.slot };
      if (r && r.slot !== a.slot) this.moveRoom(r, a.slot);
      if (!r) {
        const p = this.placement(a.room, now);
        if (p && p.slot !== a.slot) return { redirect: p.slot };
        this.countRoomMade(a.address ?? 'unknown', now);
        r = this.createRoom(a.room, a.slot);
      }
      if ((this.seated.get(r.id)?.size ?? 0) >= r.capacity) {
        throw new CodedError('ROOM_FULL', `room ${r.id} has no free seat`);
      }
    } else {
      // The seat reserved at routing, if it is still there and on this worker; else matchmake
      // again. Never ROOM_FULL (nor ROOM_LIMIT) for a player who named no room.
      const hinted = a.hint !== undefined ? this.ix.rooms.get(a.hint) : undefined;
      if (hinted && hinted.slot === a.slot && (this.seated.get(hinted.id)?.size ?? 0) < hinted.capacity) {
        r = hinted;
        this.unreserve(r.id);
      } else if (!hinted && a.hint !== undefined && this.placement(a.hint, now)?.slot === a.slot) {
        this.unreserve(a.hint);
        r = this.createRoom(a.hint, a.slot);
      } else {
        const m = this.matchmake(now, a.slot);
        if (m && m.slot !== a.slot) return { redirect: m.slot };
        r = m ? (this.ix.rooms.get(m.id) ?? this.createRoom(m.id, a.slot)) : this.createRoom(this.newRoomId(), a.slot);
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
    const changes: Change[] = [{ k: 'nextPlayer', n: n + 1 }];
    if (a.account !== undefined) {
      session.account = a.account;
      if (this.ix.kv.get(ACCOUNTS_NS)?.get(a.account) !== a.name) changes.push({ k: 'kv', ns: ACCOUNTS_NS, key: a.account, value: a.name });
    } else if (a.guest) {
      session.guest = true;
    }
    changes.push({ k: 'session', s: session });
    this.commit(changes);
    if (a.account !== undefined) this.nameAccount(a.account, a.name);
    this.seated.get(r.id)!.add(session.id);
    return { session: { ...session }, token, room: r, resumed: false };
  }

  /** The account now plays under `name`; its old name is free for guests again. */
  private nameAccount(account: string, name: string): void {
    for (const [folded, owner] of this.accountNames) if (owner === account) this.accountNames.delete(folded);
    this.accountNames.set(foldName(name), account);
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

  /**
   * A player is gone for good: its seat frees and its token stops working. A room exists only
   * while someone is seated in it, so the last one out takes it along (also when its connection
   * closed between the room being made for it and its welcome).
   */
  leave(id: string): void {
    const s = this.ix.sessionsById.get(id);
    if (!s) return;
    const seated = this.seated.get(s.room);
    seated?.delete(id);
    this.commit([{ k: 'sessionEnd', id }]);
    if (seated && seated.size === 0) this.roomGone(s.room);
  }

  scores(updates: Array<[string, number]>): void {
    const changes: Change[] = [];
    for (const [id, score] of updates) {
      const s = this.ix.sessionsById.get(id);
      if (s && (score > s.score || (score === s.score && this.notDurable.has(id)))) changes.push({ k: 'score', id, score });
    }
    if (changes.length) {
      this.commit(changes);
      for (const c of changes) if (c.k === 'score') this.notDurable.delete(c.id);
    }
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
      for (const c of changes) {
        applyChange(this.ix, c);
        if (c.k === 'score') this.notDurable.add(c.id);
      }
      this.rankedDirty = true;
      return false;
    }
  }

  /**
   * Players whose score is in memory but not yet in the store (kept by scoresOrKeep while it could
   * not write). A resend of the same score is written, not taken for a repeat, and persistKept()
   * writes them all once the store can write again.
   */
  private readonly notDurable = new Set<string>();

  /** The store writes again: the scores kept only in memory meanwhile are written now. */
  persistKept(): void {
    if (this.notDurable.size === 0) return;
    const changes: Change[] = [];
    for (const id of this.notDurable) {
      const s = this.ix.sessionsById.get(id);
      if (s) changes.push({ k: 'score', id, score: s.score });
    }
    if (changes.length) this.commit(changes);
    this.notDurable.clear();
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
    for (const id of this.placed.keys()) this.placement(id, now);
    for (const [addr, m] of this.madeBy) if (now - m.since >= MINUTE_MS) this.madeBy.delete(addr);
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

  /**
   * The leaderboard with names to show: an account's line shows the name it last played under.
   * With --auth jwt, name-keyed lines are guests' (or from before accounts), marked as such.
   */
  leaderboard(n: number): Array<{ name: string; score: number; account?: string; guest?: true }> {
    const names = this.ix.kv.get(ACCOUNTS_NS);
    return this.top(n).map(([key, score]) => {
      const account = accountOfKey(key);
      if (account !== undefined) return { name: String(names?.get(account) ?? account), score, account };
      return this.config.auth === 'jwt' ? { name: key, score, guest: true } : { name: key, score };
    });
  }

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

  /** One page of the rooms, oldest first (a stable order, so offsets page through it), and how many there are. */
  roomsPage(offset: number, limit: number): { total: number; rooms: Array<{ id: string; players: number; capacity: number; slot: number }> } {
    const rooms: Array<{ id: string; players: number; capacity: number; slot: number }> = [];
    let i = 0;
    for (const r of this.ix.rooms.values()) {
      if (i++ < offset) continue;
      if (rooms.length >= limit) break;
      rooms.push({ id: r.id, players: this.seated.get(r.id)?.size ?? 0, capacity: r.capacity, slot: r.slot });
    }
    return { total: this.ix.rooms.size, rooms };
  }

  rooms(): Array<{ id: string; players: number; capacity: number; slot: number }> {
    return [...this.ix.rooms.values()].map((r) => ({
      id: r.id, players: this.seated.get(r.id)?.size ?? 0, capacity: r.capacity, slot: r.slot,
    }));
  }
}
