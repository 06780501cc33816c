// Hosts one room in this worker: its seats, the connections behind them, frozen players' grace
// timers, and the RoomContext through which the game speaks. It knows no game: what is played,
// and the field a welcome describes, come from the HostedGame it is given.
import { encodeFramed } from '../../../shared/protocol/framing.js';
import type { WelcomeMsg } from '../../../shared/protocol/messages.js';
import type { Config } from '../../config/schema.js';
import type { Field, GameServerMessage, HostedGame, Room, RoomContext, SeatInfo, SeatRefusal, TaskPool } from '../../game-api/index.js';
import { gameErrors, messagesOut, roomEncodes, tickDuration } from '../../metrics/registry.js';
import { Outbound } from './outbound.js';
import { RoomTimerSet } from './room-timers.js';
import { ScoreHold } from './score-hold.js';
import type { RoomSnapshot } from './room-snapshot.js';
import type { SeatConn } from './seat-conn.js';
import type { RoomWorld } from '../world/world-room.js';

export interface Member {
  id: string;
  name: string;
  identity?: SeatInfo['identity'];
  conn: SeatConn | null;
  score: number;
  grace: NodeJS.Timeout | null;
  /** Its connection's hello asked for changes only: an `unchanged` broadcast skips it. */
  changesOnly: boolean;
}

export interface HostEvents {
  /**
   * Score changes to send to the coordinator before the state that shows them. A promise returned
   * (--store redis) holds what the room sends until it settles: the scores are in Redis first.
   */
  flushScores(scores: Array<[string, number]>): unknown;
  /** A player is gone for good (left, or its grace period ran out). */
  playerGone(host: RoomHost, id: string): void;
  /** The game asked for its snapshot to reach the coordinator now. */
  saveSnapshot(host: RoomHost): void;
  /** The game opened or closed its room to quick-join (only when that changed). */
  openChanged(host: RoomHost): void;
  /** A hook of the game threw (a bug in the game): logged, at most once a second per room. */
  gameFailed(host: RoomHost, hook: string, err: unknown, suppressed: number): void;
}

export class RoomHost implements RoomContext {
  readonly members = new Map<string, Member>();
  readonly room: Room;
  tickNo = 0;
  /** Recent tick durations (ms) for the console's p99. */
  readonly tickTimes = new Float64Array(128);
  private tickIdx = 0;
  private pendingScores: Array<[string, number]> = [];
  /** What the room sends while a score flush awaits its acknowledgement (score-hold.ts). */
  private readonly hold = new ScoreHold();
  /** The game's field, for every welcome (the wire calls it `world`); undefined: the game has none. */
  private readonly field: Field | undefined;
  readonly game: string;
  readonly hz: number;
  readonly timers = new RoomTimerSet();
  /** Whether quick-join may place players here (RoomContext.setOpen), as the coordinator last heard it. */
  private isOpen: boolean;
  /** This game's series of the encode counter, looked up once rather than per message. */
  private readonly encodes: { inc(): void };

  /**
   * `snapshot`: the game's own state, already in the hosted game's version (room-snapshot.ts).
   * `open`: as the room's record says (a room rebuilt keeps it unless its game sets it again).
   */
  constructor(
    readonly id: string,
    private readonly config: Config,
    private readonly hosted: HostedGame,
    private readonly events: HostEvents,
    readonly world: RoomWorld,
    readonly pool: TaskPool,
    snapshot?: { state: unknown; tick: number },
    open = true,
  ) {
    this.isOpen = open;
    this.game = hosted.name;
    this.encodes = roomEncodes.labels(hosted.name);
    this.hz = hosted.hz;
    this.field = hosted.field;
    // A timer's throw is the game's bug like a hook's: counted, logged at most once a second.
    this.timers.onError = (err) => this.failed('timer', err);
    if (snapshot) this.tickNo = snapshot.tick;
    this.room = hosted.create(this, snapshot?.state);
  }

  get size(): number {
    return this.members.size;
  }

  get connected(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.conn) n++;
    return n;
  }

  // --- RoomContext -----------------------------------------------------------------------

  broadcast(msg: GameServerMessage, skip?: ReadonlySet<string>, unchanged = false): void {
    this.flushScores();
    let out: Outbound | null = null;
    let n = 0;
    for (const m of this.members.values()) {
      if (m.conn && !(unchanged && m.changesOnly) && !(skip && skip.has(m.id))) {
        out ??= this.encode(msg);
        if (this.hold.holding) this.hold.push(m.conn, out);
        else m.conn.sendOut(out);
        n++;
      }
    }
    messagesOut.inc(n);
  }

  send(playerId: string, msg: GameServerMessage): void {
    this.flushScores();
    const conn = this.members.get(playerId)?.conn;
    if (!conn) return;
    if (this.hold.holding) {
      this.hold.push(conn, this.encode(msg));
      return;
    }
    this.encodes.inc();
    conn.send(msg);
  }

  sendMany(playerIds: Iterable<string>, msg: GameServerMessage, unchanged = false): void {
    this.flushScores();
    let out: Outbound | null = null;
    let n = 0;
    for (const id of playerIds) {
      const m = this.members.get(id);
      const conn = m?.conn;
      if (!conn || (unchanged && m.changesOnly)) continue;
      out ??= this.encode(msg);
      if (this.hold.holding) this.hold.push(conn, out);
      else conn.sendOut(out);
      n++;
    }
    messagesOut.inc(n);
  }

  /** The one encode of a message going to many players, counted (shoal_room_encodes_total). */
  private encode(msg: GameServerMessage): Outbound {
    this.encodes.inc();
    return new Outbound(encodeFramed(msg));
  }

  error(playerId: string, code: string, message: string): void {
    this.send(playerId, { t: 'error', code, message, fatal: false });
  }

  saveSnapshot(): void {
    this.events.saveSnapshot(this);
  }

  setOpen(open: boolean): void {
    if (open === this.isOpen) return;
    this.isOpen = open;
    this.events.openChanged(this);
  }

  /** Whether quick-join may place players in this room (its game's last setOpen; open by default). */
  get open(): boolean {
    return this.isOpen;
  }

  /** The room's state as the coordinator keeps it: its game and version beside the game's own data. */
  snapshotRecord(): RoomSnapshot {
    return { game: this.game, v: this.hosted.version, tick: this.tickNo, state: this.room.snapshot() };
  }

  scoreChanged(playerId: string, score: number): void {
    const m = this.members.get(playerId);
    if (m) m.score = score;
    this.pendingScores.push([playerId, score]);
  }

  private flushScores(): void {
    if (this.pendingScores.length === 0) return;
    const s = this.pendingScores;
    this.pendingScores = [];
    const ack = this.events.flushScores(s);
    if (isThenable(ack)) this.hold.await(ack);
  }

  // --- seats -------------------------------------------------------------------------------

  /** Seats a frozen member (restored from the coordinator after a worker restart). */
  restore(seat: SeatInfo): void {
    this.members.set(seat.id, member(seat, null, false));
    this.guard('join', () => this.room.join(seat));
    this.guard('setFrozen', () => this.room.setFrozen(seat.id, true));
    this.startGrace(this.members.get(seat.id)!);
  }

  /**
   * Attaches a connection to a seat (new player, or resume); sends welcome with the token.
   * `changesOnly`: this connection's hello asked for states only in ticks that change something.
   */
  attach(seat: SeatInfo, token: string, conn: SeatConn, resumed: boolean, changesOnly = false): void {
    let m = this.members.get(seat.id);
    if (m) {
      if (m.grace) clearTimeout(m.grace);
      m.grace = null;
      const old = m.conn;
      m.conn = conn;
      m.changesOnly = changesOnly;
      // A resume while the old connection is still open takes the player over.
      // Its close handlers still run (connection accounting); detach ignores a conn no longer seated.
      if (old && old !== conn) {
        old.bye('replaced');
      }
    } else {
      m = member(seat, conn, changesOnly);
      this.members.set(seat.id, m);
    }
    const score = Math.max(seat.score, m.score);
    const welcome: WelcomeMsg = {
      t: 'welcome', id: seat.id, token, room: this.id, hz: this.hz, tick: this.tickNo, resumed,
    };
    if (this.field) welcome.world = this.field;
    if (seat.identity) welcome.name = seat.name;
    if (seat.identity?.guest) welcome.guest = true;
    else if (seat.identity?.account !== undefined) welcome.account = seat.identity.account;
    // Last, so a welcome's bytes up to here are what they were before games had names.
    welcome.game = this.game;
    // The welcome first: a game that sends its state from join or thaw (four in a row does) must
    // not reach a player before the welcome that tells it who it is.
    conn.send(welcome);
    this.guard('join', () => this.room.join({ id: seat.id, name: seat.name, score, identity: seat.identity }));
    this.guard('setFrozen', () => this.room.setFrozen(seat.id, false));
  }

  /** The connection behind a seat is gone; the player stays frozen for the grace period. */
  detach(id: string, conn: SeatConn): void {
    const m = this.members.get(id);
    if (!m || m.conn !== conn) return;
    m.conn = null;
    this.guard('setFrozen', () => this.room.setFrozen(id, true));
    this.startGrace(m);
  }

  /** The player leaves for good. */
  remove(id: string): void {
    const m = this.members.get(id);
    if (!m) return;
    if (m.grace) clearTimeout(m.grace);
    this.members.delete(id);
    this.guard('leave', () => this.room.leave(id));
    this.events.playerGone(this, id);
  }

  private startGrace(m: Member): void {
    if (m.grace) clearTimeout(m.grace);
    m.grace = setTimeout(() => {
      m.grace = null;
      if (!m.conn) this.remove(m.id);
    }, this.config.graceMs);
    m.grace.unref?.();
  }

  /**
   * The game's say on seating a new player. A throw refuses the seat (SEAT_REFUSED) and counts as
   * the game's failure like any hook's; the player may say hello again.
   */
  admit(seat: SeatInfo): SeatRefusal | undefined {
    if (!this.room.admit) return undefined;
    try {
      return this.room.admit(seat);
    } catch (err) {
      this.failed('admit', err);
      return { reason: 'GAME_ERROR', message: 'the game could not decide on this seat' };
    }
  }

  /** A checked message from a seated player, to the game. */
  deliver(playerId: string, msg: Parameters<Room['message']>[1]): void {
    // Guarded like every hook, inline: a closure per message would be an allocation per packet.
    try {
      this.room.message(playerId, msg);
    } catch (err) {
      this.failed('message', err);
    }
  }

  private lastFailureLog = 0;
  private failuresSinceLog = 0;

  /**
   * Runs a game hook. A throw is a bug in the game, not the end of the worker (every room on it
   * and their players): the room plays on, and the failure is logged at most once a second per
   * room, so a player who can make the game throw cannot flood the log either.
   */
  guard(hook: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failed(hook, err);
    }
  }

  /** A hook or a timer of the game threw: counted always, logged at most once a second. */
  private failed(hook: string, err: unknown): void {
    gameErrors.inc({ game: this.game, hook });
    const now = Date.now();
    if (now - this.lastFailureLog < 1000) {
      this.failuresSinceLog++;
      return;
    }
    this.lastFailureLog = now;
    this.events.gameFailed(this, hook, err, this.failuresSinceLog);
    this.failuresSinceLog = 0;
  }

  tick(): void {
    const room = this.room;
    if (!room.tick) return;
    const t0 = performance.now();
    try {
      room.tick(++this.tickNo);
    } catch (err) {
      this.failed('tick', err);
    }
    this.flushScores();
    const ms = performance.now() - t0;
    this.tickTimes[this.tickIdx++ & 127] = ms;
    tickDuration.observe(ms / 1000);
  }

  tickP99Ms(): number {
    const a = Array.from(this.tickTimes).sort((x, y) => x - y);
    return a[Math.floor(a.length * 0.99)] ?? 0;
  }

  /** The room is over here (last player gone, or the worker stops): it gives back its world holdings. */
  end(): void {
    this.timers.cancelAll();
    try {
      this.room.end?.();
    } finally {
      this.world.close();
    }
  }

  /** Every connection gets `bye` and is closed; seats stay for a resume. */
  closeAll(reason: string): void {
    for (const m of this.members.values()) {
      if (m.grace) clearTimeout(m.grace);
      m.grace = null;
      const c = m.conn;
      m.conn = null;
      // The seat no longer points at c, so its session's close does not freeze the player, and
      // the close still reaches the worker's connection accounting (and the primary's counts).
      if (c) c.bye(reason);
    }
  }
}

/**
 * A member, always built with the same fields in the same order: `{ ...seat, ... }` gave every
 * member an object shape of its own (about 0.3 KB each, held as long as the seat).
 */
function member(seat: SeatInfo, conn: SeatConn | null, changesOnly: boolean): Member {
  return { id: seat.id, name: seat.name, identity: seat.identity, conn, score: seat.score, grace: null, changesOnly };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | undefined)?.then === 'function';
}
