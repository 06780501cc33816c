// Where rooms live and who sits in them: which worker slots are live and which are drained (take
// no new rooms), the rooms and their seats, matchmaking (fill a room of the player's game before
// opening the next), seats promised at routing, and rooms placed on a worker before they are made.
// Every room plays one game: quick-join only seats a player in a room of its game, and a join
// naming a room of another game is refused. The coordinator imports no game: a game's sizes
// (seats, capacity) come from the workers (JoinArgs, worker.hello), and so does whether a room is
// open to quick-join at all (its game says, room.open): a closed room is kept in its record and
// skipped by matchmaking, never by a join naming it. Rooms exist, durably and in /rooms, only
// while someone is seated in them; the rest here is memory only.
import type { Config } from '../../config/schema.js';
import { GAME_OF_OLD_ROOMS, type RoomRecord } from '../store/types.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import type { Ledger } from './ledger.js';
import { Reservations } from './reservations.js';
import { RoomIds } from './room-ids.js';
import { RoomsPerAddress } from './rooms-per-address.js';
import type { QuickSeatsBoard } from '../../ipc/coordinator-ops.js';

/** A room promised to connections on their way, not made: nothing durable, not in /rooms. */
interface Placed {
  slot: number;
  until: number;
  /** Made up by matchmaking (no room named), so other unnamed players of its game may be placed in it. */
  anon: boolean;
  game: string;
}

export interface RoomLine {
  id: string;
  players: number;
  capacity: number;
  slot: number;
  game: string;
}

/** A game's room sizes, as its workers declare them: quick-join fills `seats`; a join by id, `capacity`. */
export interface GameSizes {
  seats: number;
  capacity: number;
}

/** The sizes a worker gave (JoinArgs, worker.hello), made sane, or undefined when it gave none. */
export function gameSizes(a: { seats?: number; capacity?: number }): GameSizes | undefined {
  const ok = (n: number | undefined): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
  const capacity = ok(a.capacity) ? a.capacity : ok(a.seats) ? a.seats : undefined;
  if (capacity === undefined) return undefined;
  return { capacity, seats: ok(a.seats) ? Math.min(a.seats, capacity) : capacity };
}

/** A join as placement sees it (JoinArgs' placement fields). */
export interface SeatAsk {
  slot: number;
  room?: string;
  hint?: string;
  address?: string;
  game?: string;
  seats?: number;
  capacity?: number;
}

/** A room to seat a player in, or the slot of the worker that should seat them instead. */
export type SeatChoice = { redirect: number } | { room: Readonly<RoomRecord> };

/** How long a placement guides routing after the last connection routed to it. */
const PLACEMENT_MS = 15_000;
/** Kv namespace: drained slot -> { run } (the server run that drained it). */
const DRAINED_NS = 'drained';
/** How long a seat promised at routing is kept for its connection. */
const RESERVATION_MS = 10_000;

export class Placement {
  /** room -> ids of players seated there (connected or frozen) */
  private readonly seated = new Map<string, Set<string>>();
  /** Slots with a live worker channel. */
  private readonly live = new Set<number>();
  private readonly reservations = new Reservations();
  private readonly ids = new RoomIds();
  private readonly roomsMade: RoomsPerAddress;
  /** When rooms were made (not durable): a room no worker ever ran is swept (sweeper.ts). */
  private readonly madeAt = new Map<string, number>();
  /**
   * Until a room is made, a room named at routing (or made up by matchmaking) is only a
   * placement: which worker should make it, so the players on their way to it meet on one
   * worker. At most maxConnections are kept.
   */
  private readonly placed = new Map<string, Placed>();
  private readonly anonPlaced = new Set<string>();
  private readonly placedPerSlot = new Map<number, number>();
  /** `slot game` -> the room fullestOn gave last (a hint only: checked again at each use). */
  private readonly filling = new Map<string, string>();
  /** Each game's sizes, as its workers last declared them; a game not heard of yet is sized by roomCapacity. */
  private readonly sizes = new Map<string, GameSizes>();

  /**
   * `beforeAdopt(slot)` runs before a room of the (gone) worker in `slot` is handed to another
   * worker: the scores that worker journalled must be in first.
   */
  constructor(
    private readonly ledger: Ledger,
    private readonly config: Config,
    private readonly beforeAdopt: (slot: number) => void,
  ) {
    this.roomsMade = new RoomsPerAddress(config);
    for (const id of ledger.view.rooms.keys()) this.seated.set(id, new Set());
  }

  // --- worker slots ------------------------------------------------------------------------

  /** A worker's channel is up in `slot`; it reports the rooms it still runs (after a coordinator restart). */
  workerJoined(slot: number, reported: ReadonlyArray<{ id: string; players: readonly string[]; open?: boolean }> = []): void {
    this.live.add(slot);
    // The worker is the authority for the rooms it runs, so the directory follows it: where they
    // run, and whether they are open (a room.open it sent while we were away is in its report).
    const sessions = this.ledger.view.sessionsById;
    for (const r of reported) {
      const rec = this.ledger.view.rooms.get(r.id);
      if (rec && rec.slot !== slot) this.ledger.commitOrKeep([{ k: 'room', r: { ...rec, slot } }]);
      if (r.open !== undefined) this.setOpen(r.id, r.open, slot);
      const seated = this.seated.get(r.id);
      if (seated) for (const p of r.players) if (sessions.has(p)) seated.add(p);
    }
  }

  workerLeft(slot: number): void {
    this.live.delete(slot);
  }

  isLive(slot: number): boolean {
    return this.live.has(slot);
  }

  // A drained slot is given no new rooms (its rooms run on), live or not. This is the one place a
  // drain is kept: durably, in the kv namespace `drained`, tagged with the server run that made
  // it, so it outlives a restart of the worker and of the coordinator but not of the server.

  /** No new rooms go to `slot` (its rooms stay) until undrain or the end of server run `run`. */
  drain(slot: number, run: string): void {
    if (!this.isDrained(slot)) this.ledger.commitOrKeep([{ k: 'kv', ns: DRAINED_NS, key: String(slot), value: { run } }]);
  }

  undrain(slot: number): void {
    if (this.isDrained(slot)) this.ledger.commitOrKeep([{ k: 'kvDel', ns: DRAINED_NS, key: String(slot) }]);
  }

  isDrained(slot: number): boolean {
    return this.ledger.view.kv.get(DRAINED_NS)?.has(String(slot)) ?? false;
  }

  drainedSlots(): number[] {
    return [...(this.ledger.view.kv.get(DRAINED_NS)?.keys() ?? [])].map(Number).sort((a, b) => a - b);
  }

  /** At start: drains made by an earlier server run end with it. */
  forgetDrainsOtherThan(run: string): void {
    for (const [key, v] of this.ledger.view.kv.get(DRAINED_NS) ?? []) {
      if ((v as { run?: string } | null)?.run !== run) this.ledger.commitOrKeep([{ k: 'kvDel', ns: DRAINED_NS, key }]);
    }
  }

  /** Live slots that take new rooms. */
  slotsTakingRooms(): number[] {
    return [...this.live].filter((s) => !this.isDrained(s));
  }

  private takesRooms(slot: number): boolean {
    return this.live.has(slot) && !this.isDrained(slot);
  }

  // --- games ---------------------------------------------------------------------------------

  /** A worker declares a game's sizes (at each join, and at its hello). */
  learnSizes(game: string, sizes: GameSizes | undefined): void {
    if (sizes) this.sizes.set(game, sizes);
  }

  /** Players quick-join seats in a new room of `game`. */
  private seatsOfGame(game: string): number {
    return this.sizes.get(game)?.seats ?? this.config.roomCapacity;
  }

  // --- rooms and seats -----------------------------------------------------------------------

  room(id: string): Readonly<RoomRecord> | undefined {
    return this.ledger.view.rooms.get(id);
  }

  get roomCount(): number {
    return this.ledger.view.rooms.size;
  }

  roomsOfSlot(slot: number): Array<Readonly<RoomRecord>> {
    return [...this.ledger.view.rooms.values()].filter((r) => r.slot === slot);
  }

  /** Ids of the players seated in a room (connected or frozen). */
  seatedIn(room: string): ReadonlySet<string> {
    return this.seated.get(room) ?? new Set();
  }

  /** At load: seats a stored session in its room; false when that room is gone. */
  seatLoaded(room: string, id: string): boolean {
    const set = this.seated.get(room);
    if (!set) return false;
    set.add(id);
    return true;
  }

  /**
   * At load: a room exists only while someone is seated in it, so rooms nobody holds a seat in
   * (made by an older version at routing, or left empty by a crash) go.
   */
  dropEmptyLoadedRooms(): void {
    for (const [id, seated] of this.seated) {
      if (seated.size > 0) continue;
      this.seated.delete(id);
      this.ledger.commitOrKeep([{ k: 'roomGone', id }]);
    }
  }

  seat(room: string, id: string): void {
    this.seated.get(room)!.add(id);
  }

  /** Frees a player's seat; returns how many stay seated, or undefined when the room has no seats. */
  unseat(room: string, id: string): number | undefined {
    const seated = this.seated.get(room);
    if (!seated) return undefined;
    seated.delete(id);
    return seated.size;
  }

  /** The room is gone (its seats' sessions are ended by the caller first). */
  dropRoom(id: string): void {
    this.seated.delete(id);
    this.ledger.commit([{ k: 'roomGone', id }]);
  }

  /** --store redis, failover: a room taken over from a dead host, with the players seated in it there. */
  adopted(id: string, ids: Iterable<string>): void {
    this.unplace(id);
    this.seated.set(id, new Set(ids));
  }

  /** --store redis, fencing: a room another host took over is forgotten here (nothing written); returns who sat in it. */
  forget(id: string): string[] {
    const ids = [...(this.seated.get(id) ?? [])];
    this.seated.delete(id);
    this.madeAt.delete(id);
    this.reservations.release(id);
    return ids;
  }

  /** The live slot a room taken over from another host goes to (a dead host's slot numbers mean nothing here); undefined with none live. */
  slotForAdopted(): number | undefined {
    return this.slotsTakingRooms().length ? this.leastLoadedSlot() : [...this.live][0];
  }

  /** Every room sized by roomCapacity (not by its game) takes a new capacity; returns how many changed. */
  setCapacity(capacity: number): number {
    let n = 0;
    for (const r of this.ledger.view.rooms.values()) {
      if (r.capacity === capacity || r.seats !== undefined) continue;
      // The snapshot is left out of the change: the room record keeps the one it has, and the
      // log does not grow by a snapshot per room.
      this.ledger.commit([{ k: 'room', r: { id: r.id, slot: r.slot, capacity, game: r.game, ...(r.closed ? { closed: true } : {}) } }]);
      n++;
    }
    return n;
  }

  /**
   * A room's game says whether quick-join may place new players in it (RoomContext.setOpen).
   * Only the worker running it is heard (`slot`): one that lost the room to another says nothing.
   */
  setOpen(id: string, open: boolean, slot: number): void {
    const r = this.ledger.view.rooms.get(id);
    if (!r || r.slot !== slot || !r.closed === open) return;
    // Without the snapshot (the record keeps its own): a seat change does not log a snapshot.
    const next: RoomRecord = { id: r.id, slot: r.slot, capacity: r.capacity, game: r.game };
    if (r.seats !== undefined) next.seats = r.seats;
    if (!open) next.closed = true;
    // Learnt again from the worker at its next hello, so kept in memory if the store cannot write.
    this.ledger.commitOrKeep([{ k: 'room', r: next }]);
  }

  /** One page of the rooms, oldest first (a stable order, so offsets page through it), and how many there are. */
  roomsPage(offset: number, limit: number): { total: number; rooms: RoomLine[] } {
    const rooms: RoomLine[] = [];
    let i = 0;
    for (const r of this.ledger.view.rooms.values()) {
      if (i++ < offset) continue;
      if (rooms.length >= limit) break;
      rooms.push(this.line(r));
    }
    return { total: this.ledger.view.rooms.size, rooms };
  }

  rooms(): RoomLine[] {
    return [...this.ledger.view.rooms.values()].map((r) => this.line(r));
  }

  private line(r: Readonly<RoomRecord>): RoomLine {
    return { id: r.id, players: this.seated.get(r.id)?.size ?? 0, capacity: r.capacity, slot: r.slot, game: r.game };
  }

  // --- routing and joining -----------------------------------------------------------------

  /** Routing a resume: the worker running the session's room, else the least loaded one. */
  routeTo(room: string | undefined): { slot: number } {
    const r = room !== undefined ? this.ledger.view.rooms.get(room) : undefined;
    return r ? { slot: r.slot } : { slot: this.leastLoadedSlot() };
  }

  /**
   * Routing a new player: the worker of the room it names (placing it if not made yet), or a
   * room of its game matchmaking picks, with a seat promised to it for a while. `game` (the
   * hello's, when the primary could read it; else the default) also names a room matchmaking
   * makes up: its id starts with it.
   */
  route(room: string | undefined, now: number, game?: string): { slot: number; room?: string } {
    const g = game ?? GAME_OF_OLD_ROOMS;
    if (room !== undefined) {
      const r = this.ledger.view.rooms.get(room);
      return { slot: r ? r.slot : this.place(room, now, false, g) };
    }
    let m = this.matchmake(now, g);
    if (!m) {
      const id = this.newRoomId(game);
      m = { id, slot: this.place(id, now, true, g) };
    }
    this.reservations.reserve(m.id, now + RESERVATION_MS);
    return { slot: m.slot, room: m.id };
  }

  /**
   * The room a resumed session sits in again, on the worker in `slot` (made again, of `game`, if
   * it is gone). A resume keeps the room's own game whatever game the hello names.
   */
  resumeIn(room: string, slot: number, now: number, game = GAME_OF_OLD_ROOMS): SeatChoice {
    let r = this.ledger.view.rooms.get(room);
    if (!r) r = this.createRoom(room, slot, now, game);
    if (r.slot !== slot && this.live.has(r.slot)) return { redirect: r.slot };
    if (r.slot !== slot) r = this.moveRoom(r, slot); // its worker is gone: adopt the room here
    return { room: r };
  }

  /**
   * The room for a new player of game `a.game` joining on the worker in `a.slot`: the room it
   * named (WRONG_GAME, ROOM_FULL past its capacity, ROOM_LIMIT), else the seat reserved at
   * routing, else matchmaking again among the rooms of its game (up to their seats).
   */
  chooseSeat(a: SeatAsk, now: number): SeatChoice {
    const game = a.game ?? GAME_OF_OLD_ROOMS;
    this.learnSizes(game, gameSizes(a));
    let r: Readonly<RoomRecord> | undefined;
    if (a.room !== undefined) {
      r = this.ledger.view.rooms.get(a.room);
      // Refused here, before any redirect: the room's own worker would refuse it too.
      if (r && r.game !== game) {
        throw new CodedError('WRONG_GAME', `room ${r.id} plays ${r.game}, not ${game}; name another room or send no room`);
      }
      if (r && r.slot !== a.slot && this.live.has(r.slot)) return { redirect: r.slot };
      if (r && r.slot !== a.slot) r = this.moveRoom(r, a.slot);
      if (!r) {
        const p = this.placement(a.room, now);
        if (p && p.slot !== a.slot) return { redirect: p.slot };
        this.roomsMade.count(a.address ?? 'unknown', now);
        r = this.createRoom(a.room, a.slot, now, game);
      }
      if ((this.seated.get(r.id)?.size ?? 0) >= r.capacity) {
        throw new CodedError('ROOM_FULL', `room ${r.id} has no free seat`);
      }
      return { room: r };
    }
    // The seat reserved at routing, if it is still there and on this worker; else matchmake
    // again. Never ROOM_FULL (nor ROOM_LIMIT) for a player who named no room.
    const hinted = a.hint !== undefined ? this.ledger.view.rooms.get(a.hint) : undefined;
    if (hinted && hinted.game !== game) {
      // Routed without its game (a WebSocket's hello is not read by the primary): not its seat.
      this.reservations.release(hinted.id);
    } else if (hinted && hinted.closed) {
      // Its game closed it after routing promised the seat (the computer took the free one).
      this.reservations.release(hinted.id);
    } else if (hinted && hinted.slot === a.slot && (this.seated.get(hinted.id)?.size ?? 0) < seatsOf(hinted)) {
      this.reservations.release(hinted.id);
      return { room: hinted };
    }
    if (!hinted && a.hint !== undefined) {
      const p = this.placement(a.hint, now);
      if (p && p.game !== game) this.reservations.release(a.hint);
      else if (p?.slot === a.slot) {
        this.reservations.release(a.hint);
        return { room: this.createRoom(a.hint, a.slot, now, game) };
      }
    }
    if (a.hint === undefined && this.takesRooms(a.slot)) {
      // No seat promised at routing: the primary placed this quick-join on this worker itself
      // (from the QuickSeatsBoard, with no round trip), so it is seated here: in a room of its
      // game with a free seat, else a new one. Sending it to another worker's room would make it
      // a relay for as long as it plays.
      const here = this.fullestOn(a.slot, game, now);
      return { room: here ?? this.createRoom(this.newRoomId(a.game), a.slot, now, game) };
    }
    const m = this.matchmake(now, game, a.slot);
    if (m && m.slot !== a.slot) return { redirect: m.slot };
    r = m
      ? (this.ledger.view.rooms.get(m.id) ?? this.createRoom(m.id, a.slot, now, game))
      : this.createRoom(this.newRoomId(a.game), a.slot, now, game);
    return { room: r };
  }

  /**
   * Whether quick-join would seat a player of `game` (routed with `hint`) in a room that exists
   * on this host: the hinted one with a seat left, or any open room of its game with a free seat
   * on a worker taking rooms. (--store redis: only then is a local room preferred to a remote one.)
   */
  hasQuickSeat(game: string, now: number, hint?: string): boolean {
    const h = hint !== undefined ? this.ledger.view.rooms.get(hint) : undefined;
    if (h && h.game === game && !h.closed && (this.seated.get(h.id)?.size ?? 0) < seatsOf(h)) return true;
    for (const r of this.ledger.view.rooms.values()) {
      if (r.game === game && !r.closed && this.takesRooms(r.slot) && this.freeSeats(r, now) > 0) return true;
    }
    return false;
  }

  /**
   * Seats quick-join may fill in a room now (seated players only), with its game; undefined when
   * it is gone, closed, or on a worker taking no new players (drained or not live).
   */
  quickFree(id: string): { game: string; free: number } | undefined {
    const r = this.ledger.view.rooms.get(id);
    if (!r || r.closed || !this.takesRooms(r.slot)) return undefined;
    return { game: r.game, free: seatsOf(r) - (this.seated.get(id)?.size ?? 0) };
  }

  /**
   * The open room of `game` on `slot` with the fewest free seats left (but one), or undefined.
   * The room it last gave for a slot and game is given again while it has a free seat (it only
   * fills up meanwhile), so a burst of joins does not look at every room for each.
   */
  private fullestOn(slot: number, game: string, now: number): Readonly<RoomRecord> | undefined {
    const key = `${slot} ${game}`;
    const last = this.filling.get(key);
    const r0 = last !== undefined ? this.ledger.view.rooms.get(last) : undefined;
    if (r0 && r0.slot === slot && r0.game === game && !r0.closed && this.freeSeats(r0, now) > 0) return r0;
    let best: Readonly<RoomRecord> | undefined;
    let bestFree = Infinity;
    for (const r of this.ledger.view.rooms.values()) {
      if (r.slot !== slot || r.game !== game || r.closed) continue;
      const free = this.freeSeats(r, now);
      if (free > 0 && free < bestFree) {
        best = r;
        bestFree = free;
      }
    }
    if (best) this.filling.set(key, best.id);
    else this.filling.delete(key);
    return best;
  }

  /**
   * Where quick-join has free seats now, for the primary to place quick-joins itself (see
   * QuickSeatsBoard): the slots taking new rooms and, per game, the free seats of its open rooms
   * on each of them.
   */
  quickBoard(now: number): QuickSeatsBoard {
    const slots = this.slotsTakingRooms().sort((x, y) => x - y);
    const byGame = new Map<string, Map<number, number>>();
    for (const g of this.sizes.keys()) byGame.set(g, new Map());
    for (const r of this.ledger.view.rooms.values()) {
      if (r.closed || !this.takesRooms(r.slot)) continue;
      const free = this.freeSeats(r, now);
      if (free <= 0) continue;
      let m = byGame.get(r.game);
      if (!m) byGame.set(r.game, (m = new Map<number, number>()));
      m.set(r.slot, (m.get(r.slot) ?? 0) + free);
    }
    const games: QuickSeatsBoard['games'] = [];
    for (const [g, m] of byGame) games.push([g, this.seatsOfGame(g), [...m].sort((x, y) => x[0] - y[0])]);
    games.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    return { slots, seats: this.config.roomCapacity, games };
  }

  /** The connection a seat was promised to at routing goes elsewhere: the promise lapses now. */
  releaseReservation(room: string): void {
    this.reservations.release(room);
  }

  /** A fresh room id, in use neither by a room nor by a placement. */
  private newRoomId(prefix?: string): string {
    return this.ids.next((id) => this.ledger.view.rooms.has(id) || this.placed.has(id), prefix);
  }

  /**
   * Makes a room of `game`, durably: only ever for a player about to be seated in it. Sized as
   * its game's workers declare, else by roomCapacity (and then without `seats`, so that
   * `set roomCapacity` reaches it).
   */
  private createRoom(id: string, slot: number, now: number, game: string): Readonly<RoomRecord> {
    this.unplace(id);
    const sizes = this.sizes.get(game);
    const r: RoomRecord = sizes
      ? { id, slot, capacity: sizes.capacity, game, seats: sizes.seats }
      : { id, slot, capacity: this.config.roomCapacity, game };
    this.ledger.commit([{ k: 'room', r }]);
    this.seated.set(id, new Set());
    this.madeAt.set(id, now);
    return this.ledger.view.rooms.get(id)!;
  }

  private moveRoom(r: Readonly<RoomRecord>, slot: number): Readonly<RoomRecord> {
    // Its worker is gone: scores it showed while it could not reach us are in its journal.
    this.beforeAdopt(r.slot);
    this.ledger.commit([{ k: 'room', r: { ...r, slot } }]);
    return this.ledger.view.rooms.get(r.id)!;
  }

  /**
   * The live, non-draining slot with the least load, counting each room as one player too, so a
   * burst of new, still-empty rooms is spread over the workers rather than piled on the first.
   */
  private leastLoadedSlot(prefer?: number): number {
    const alive = this.slotsTakingRooms();
    if (alive.length === 0) return prefer ?? 0;
    const load = new Map<number, number>(alive.map((s) => [s, (s === prefer ? -0.5 : 0) + (this.placedPerSlot.get(s) ?? 0)]));
    for (const r of this.ledger.view.rooms.values()) {
      const l = load.get(r.slot);
      if (l !== undefined) load.set(r.slot, l + 1 + (this.seated.get(r.id)?.size ?? 0));
    }
    let best = alive[0]!;
    for (const s of alive) if (load.get(s)! < load.get(best)!) best = s;
    return best;
  }

  /** Seats quick-join may still promise in a room: up to its seats, counting those promised at routing. */
  private freeSeats(r: Readonly<RoomRecord>, now: number): number {
    return seatsOf(r) - (this.seated.get(r.id)?.size ?? 0) - this.reservations.count(r.id, now);
  }

  /**
   * Picks an open room of `game` with a free seat (fullest first, so rooms fill up), or undefined:
   * a room that exists, or one matchmaking placed for players on their way and not made yet.
   */
  private matchmake(now: number, game: string, preferSlot?: number): { id: string; slot: number } | undefined {
    let best: { id: string; slot: number } | undefined;
    let bestScore = -Infinity;
    const consider = (id: string, slot: number, free: number) => {
      if (!this.takesRooms(slot) || free <= 0) return;
      const score = -free + (slot === preferSlot ? 0.5 : 0);
      if (score > bestScore) {
        best = { id, slot };
        bestScore = score;
      }
    };
    for (const r of this.ledger.view.rooms.values()) if (r.game === game && !r.closed) consider(r.id, r.slot, this.freeSeats(r, now));
    for (const id of this.anonPlaced) {
      const p = this.placement(id, now);
      if (p && p.game === game) consider(id, p.slot, this.seatsOfGame(game) - this.reservations.count(id, now));
    }
    return best;
  }

  // --- placements (rooms not made yet) -------------------------------------------------------

  /** The live placement of a room not made yet, if any. */
  private placement(id: string, now: number): Placed | undefined {
    const p = this.placed.get(id);
    if (!p) return undefined;
    if (p.until > now && this.takesRooms(p.slot)) return p;
    this.unplace(id);
    return undefined;
  }

  /** Where a room not made yet will be made; the same worker for everyone on the way to it. */
  private place(id: string, now: number, anon: boolean, game: string): number {
    const p = this.placement(id, now);
    if (p) {
      p.until = now + PLACEMENT_MS;
      return p.slot;
    }
    const slot = this.leastLoadedSlot();
    // The oldest placement gives way: placements only guide routing (a join re-checks everything).
    if (this.placed.size >= this.config.maxConnections) this.unplace(this.placed.keys().next().value!);
    this.placed.set(id, { slot, until: now + PLACEMENT_MS, anon, game });
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

  // --- for the sweeper -----------------------------------------------------------------------

  /** Drops the placements that lapsed (or whose worker is gone or drained). */
  expirePlacements(now: number): void {
    for (const id of this.placed.keys()) this.placement(id, now);
  }

  /** Forgets last minute's counts of rooms made per address. */
  forgetOldRoomCounts(now: number): void {
    this.roomsMade.sweep(now);
  }

  /** Rooms made and not yet known to have run (no snapshot yet), with when they were made. */
  madeRooms(): IterableIterator<[string, number]> {
    return this.madeAt.entries();
  }

  /** The room ran (or is gone): the sweeper need not watch it any more. */
  forgetMade(id: string): void {
    this.madeAt.delete(id);
  }

  reservedIn(room: string, now: number): number {
    return this.reservations.count(room, now);
  }
}

/** Players quick-join fills a room with: its game's seats, or all of its capacity for a room sized by roomCapacity. */
function seatsOf(r: Readonly<RoomRecord>): number {
  return Math.min(r.seats ?? r.capacity, r.capacity);
}
