// directory/ owns who plays where: sessions, rooms and their slots, placement, scores and the
// leaderboard, kept in the store. This file is the one object ops and main talk to. It puts the
// parts together (ledger.ts: the one write path to the store; sessions.ts; placement.ts: slots, rooms, seats,
// matchmaking; scores.ts and leaderboard.ts; sweeper.ts) and runs the flows that span them
// (route, join, leave, a room going). All changes that must survive a crash go through the
// ledger's `commit`, which writes them to the store before the caller's answer leaves the process.
import type { Config } from '../../config/schema.js';
import type { Change, SavedState, RoomRecord, SessionRecord, StateStore } from '../store/types.js';
import { Ledger, type WorldView } from './ledger.js';
import { Sessions } from './sessions.js';
import { Placement, gameSizes, type RoomLine } from './placement.js';
import { Scores, type ScoreUpdates } from './scores.js';
import { Leaderboard, type LeaderboardLine } from './leaderboard.js';
import { Sweeper } from './sweeper.js';

import type { JoinArgs, JoinResult } from '../../ipc/coordinator-ops.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

// The join op's arguments and result are declared once, at the coordinator's boundary.
export type { JoinArgs, JoinResult };

/**
 * Hears each change to a room that quick-join cares about (--store redis: the gate publishes rooms
 * with free seats to other hosts, and gives up a room that ended here). Called after the change.
 */
export interface RoomWatcher {
  /** A seat was taken or freed, or the room was made, opened or closed. */
  changed(id: string): void;
  /** The room is gone from this host. */
  gone(id: string): void;
}

export interface DirectoryHooks {
  /** A worker's score journal cannot be read (its slot still gets its rooms). */
  onJournalError?: (file: string, err: Error) => void;
}

export class Directory {
  private readonly ledger: Ledger;
  readonly sessions: Sessions;
  readonly placement: Placement;
  private readonly scoreIntake: Scores;
  private readonly board: Leaderboard;
  readonly sweeper: Sweeper;
  /**
   * --store redis: this host could not renew its heartbeat (failover/fencing.ts): other hosts may
   * take its rooms over, so it seats nobody until it can again.
   */
  private selfFenced = false;
  private watcher: RoomWatcher | undefined;

  constructor(world: SavedState, store: StateStore, config: Config, hooks: DirectoryHooks = {}) {
    this.ledger = new Ledger(world, store);
    this.scoreIntake = new Scores(this.ledger, config.data, hooks.onJournalError ?? (() => {}));
    this.sessions = new Sessions(this.ledger);
    this.placement = new Placement(this.ledger, config, (slot) => this.scoreIntake.replayJournal(slot));
    this.board = new Leaderboard(this.ledger, config);
    this.sweeper = new Sweeper(this.placement, (id) => this.roomGone(id));
    for (const s of this.sessions.all()) {
      // Its room is gone: the session cannot resume.
      if (!this.placement.seatLoaded(s.room, s.id)) this.sessions.endOrKeep(s.id);
    }
    this.placement.dropEmptyLoadedRooms();
  }

  /** One watcher of room changes (the gate, with --store redis). */
  watchRooms(w: RoomWatcher): void {
    this.watcher = w;
  }

  /** The durable world, read-only. */
  get ix(): WorldView {
    return this.ledger.view;
  }

  get tokensHashedOnLoad(): number {
    return this.sessions.tokensHashedOnLoad;
  }

  // --- the store path (ledger.ts) -----------------------------------------------------------

  commit(changes: Change[]): void {
    this.ledger.commit(changes);
  }

  commitOrKeep(changes: Change[]): void {
    this.ledger.commitOrKeep(changes);
  }

  snapshotState(): SavedState {
    return this.ledger.snapshotState();
  }

  get changesSinceCheckpoint(): number {
    return this.ledger.changesSinceCheckpoint;
  }

  /** A checkpoint of everything so far is being taken: returns how many changes it covers. */
  checkpointTaken(): number {
    return this.ledger.checkpointTaken();
  }

  /** That checkpoint failed: its changes wait for the next one. */
  checkpointFailed(n: number): void {
    this.ledger.checkpointFailed(n);
  }

  // --- flows across sessions and placement ------------------------------------------------

  /** A worker's channel is up in `slot`, running `reported` rooms (after a coordinator restart). */
  workerJoined(slot: number, reported?: ReadonlyArray<{ id: string; players: readonly string[]; open?: boolean }>): void {
    this.placement.workerJoined(slot, reported);
    if (this.watcher) for (const r of reported ?? []) this.watcher.changed(r.id);
  }

  workerLeft(slot: number): void {
    this.placement.workerLeft(slot);
    // Its rooms take no quick-join player until it is back (workerJoined reports them again).
    if (this.watcher) for (const r of this.placement.roomsOfSlot(slot)) this.watcher.changed(r.id);
  }

  /** Which worker slot should take a new connection, decided from its first message. */
  route(args: { room?: string; token?: string; game?: string }): { slot: number; room?: string } {
    if (args.token) return this.placement.routeTo(this.sessions.byToken(args.token)?.room);
    return this.placement.route(args.room, Date.now(), args.game);
  }

  join(a: JoinArgs): JoinResult {
    if (this.selfFenced) throw new CodedError('UNAVAILABLE', 'this host is cut off from the shared world; try again');
    const now = Date.now();
    if (a.token !== undefined) {
      const s = this.sessions.resumable(a.token, a.account);
      if (a.game !== undefined) this.placement.learnSizes(a.game, gameSizes(a));
      const seat = this.placement.resumeIn(s.room, a.slot, now, a.game);
      if ('redirect' in seat) return seat;
      this.placement.seat(seat.room.id, s.id);
      this.watcher?.changed(seat.room.id);
      return { session: { ...s }, token: a.token, room: seat.room, resumed: true };
    }
    this.sessions.checkGuestName(a.name, a.guest);
    const seat = this.placement.chooseSeat(a, now);
    if ('redirect' in seat) return seat;
    const { session, token } = this.sessions.create({ name: a.name, room: seat.room.id, account: a.account, guest: a.guest });
    this.placement.seat(seat.room.id, session.id);
    this.watcher?.changed(seat.room.id);
    return { session: { ...session }, token, room: seat.room, resumed: false };
  }

  /**
   * A player is gone for good: its seat frees and its token stops working. A room exists only
   * while someone is seated in it, so the last one out takes it along (also when its connection
   * closed between the room being made for it and its welcome).
   */
  leave(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    const left = this.placement.unseat(s.room, id);
    this.sessions.end(id);
    if (left === 0) this.roomGone(s.room);
    else if (left !== undefined) this.watcher?.changed(s.room);
  }

  roomGone(id: string): void {
    if (!this.placement.room(id)) return;
    for (const pid of this.placement.seatedIn(id)) this.sessions.end(pid);
    this.placement.dropRoom(id);
    this.watcher?.gone(id);
  }

  // --- many hosts (--store redis): failover and fencing (failover/redis-adopter.ts, failover/fencing.ts) ---

  /**
   * A room taken over from a host that died, with its sessions as the shared store holds them:
   * it becomes this host's, on `room.slot` (a live worker here), so a resume brings it back there.
   */
  adoptRoom(room: RoomRecord, sessions: readonly SessionRecord[]): void {
    if (this.placement.room(room.id)) return;
    this.ledger.adopt(room, sessions);
    this.placement.adopted(room.id, sessions.map((s) => s.id));
    this.watcher?.changed(room.id);
  }

  /** Another host runs this room now: forgotten here with its sessions, nothing written. */
  forgetRoom(id: string): void {
    if (!this.placement.room(id)) return;
    this.ledger.forget(id, this.placement.forget(id));
    // The gate lets go of its claim (a no-op in Redis: the owner key is another's now) and its quick-join offer.
    this.watcher?.gone(id);
  }


  /** While set, every join is refused (UNAVAILABLE): this host may no longer own what it holds. */
  setSelfFenced(on: boolean): void {
    this.selfFenced = on;
  }

  get isSelfFenced(): boolean {
    return this.selfFenced;
  }

  /** A room's game says whether quick-join may place players in it; heard only from the worker in `slot` running it. */
  setRoomOpen(id: string, open: boolean, slot: number): void {
    this.placement.setOpen(id, open, slot);
    this.watcher?.changed(id);
  }

  /** Latest room snapshots; kept in memory, written at each checkpoint. */
  snapshot(rooms: Array<[string, unknown]>): void {
    for (const [id, snap] of rooms) this.ledger.setRoomSnapshot(id, snap);
  }

  roomsOfSlot(slot: number): Array<Readonly<RoomRecord>> {
    return this.placement.roomsOfSlot(slot);
  }

  sessionsOfRoom(room: string): SessionRecord[] {
    const out: SessionRecord[] = [];
    for (const id of this.placement.seatedIn(room)) {
      const s = this.sessions.get(id);
      if (s) out.push({ ...s });
    }
    return out;
  }

  roomsPage(offset: number, limit: number): { total: number; rooms: RoomLine[] } {
    return this.placement.roomsPage(offset, limit);
  }

  rooms(): RoomLine[] {
    return this.placement.rooms();
  }

  /** Rooms made for a connection that never joined: see sweeper.ts. */
  sweepUnused(olderThanMs: number): number {
    return this.sweeper.sweep(olderThanMs);
  }

  // --- scores (scores.ts, leaderboard.ts) -----------------------------------------------------

  scores(updates: ScoreUpdates): void {
    this.scoreIntake.scores(updates);
  }

  scoresOrKeep(updates: ScoreUpdates): boolean {
    return this.scoreIntake.scoresOrKeep(updates);
  }

  persistKept(): void {
    this.scoreIntake.persistKept();
  }

  replayJournal(slot: number, apply?: (u: ScoreUpdates) => void): number {
    return this.scoreIntake.replayJournal(slot, apply);
  }

  /**
   * The leaderboard with names to show: an account's line shows the name it last played under.
   * With --auth jwt, name-keyed lines are guests' (or from before accounts), marked as such.
   */
  leaderboard(n: number): LeaderboardLine[] {
    return this.board.lines(n);
  }

  top(n: number): Array<[string, number]> {
    return this.board.top(n);
  }
}
