// The Room interface: what a game implements so the worker can host it. A game never touches a
// socket: it receives validated messages and speaks through its RoomContext, which encodes each
// message once and writes the same bytes to every player it goes to.
import type { ClientMessage, InputMsg, ServerMessage } from '../../shared/protocol/messages.js';
import type { Identity } from './identity.js';
import type { World } from './world.js';

export interface SeatInfo {
  id: string;
  name: string;
  score: number;
  /** Who the player is (--auth jwt: account and claims, or a guest); absent with --auth none. */
  identity?: Identity;
}

/** Why a game will not seat a player: `reason` is a short code of the game's own, `message` for people. */
export interface SeatRefusal {
  reason: string;
  message: string;
}

/** A message a game sends: a core one (state, chat, ...) or one of its own, with its own `t`. */
export type GameServerMessage = ServerMessage | ({ t: string } & Record<string, unknown>);

/** A message a room receives: a core one (input) or one its game declared (`Game.messages`), checked. */
export type GameClientMessage = ClientMessage | ({ t: string } & Record<string, unknown>);

/** A timer of the room's; the room's end cancels every one still pending. */
export interface TimerHandle {
  cancel(): void;
}

export interface RoomTimers {
  /** Calls fn once after ms. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Calls fn every ms until cancelled or the room ends. */
  every(ms: number, fn: () => void): TimerHandle;
}

/** CPU-heavy work run on a pool of threads, so the tick of this worker's other rooms goes on. */
export interface TaskPool {
  /**
   * Runs `task.name` (default export when absent) of the module at `task.file` (a file URL or
   * absolute path) with `input` (structured-cloneable) on a pool thread. Rejects with a coded
   * error (`POOL_BUSY` when the queue is full, `POOL_TIMEOUT`, or the task's own failure).
   */
  run<R>(task: { file: string | URL; name?: string }, input: unknown): Promise<R>;
}

export interface RoomContext {
  readonly id: string;
  /** The game this room plays. */
  readonly game: string;
  /** Ticks a second: `Room.tick` is called this often (0: never, a turn-based game). */
  readonly hz: number;
  /**
   * Encodes once; sends to every connected player except those in `skip`. `unchanged` (the state
   * helper sets it): the message tells nothing new (an empty delta), so players whose hello asked
   * for changes only (`hello.changesOnly`) are skipped too; nothing is encoded when none is left.
   */
  broadcast(msg: GameServerMessage, skip?: ReadonlySet<string>, unchanged?: boolean): void;
  /** Sends to one player, if connected. */
  send(playerId: string, msg: GameServerMessage): void;
  /** Encodes once; sends to each listed player that is connected (`unchanged` as for broadcast). */
  sendMany(playerIds: Iterable<string>, msg: GameServerMessage, unchanged?: boolean): void;
  /** A coded error to one player, never fatal (`code`: one the game declares in `Game.errors`). */
  error(playerId: string, code: string, message: string): void;
  /** A player's score grew; it flows to the world leaderboard before the next message goes out. */
  scoreChanged(playerId: string, score: number): void;
  /** Locks, semaphores, events, queues and values shared by every room of the server (docs/WORLD.md).
   *  Scoped to this room: what it holds is released when the room ends. */
  readonly world: World;
  /** Timers owned by the room: cancelled when it ends. */
  readonly timers: RoomTimers;
  /** Threads for CPU-heavy work (a bot's search), off this worker's event loop. */
  readonly pool: TaskPool;
  /**
   * Sends this room's snapshot to the coordinator now, not only every few seconds: a turn-based
   * game calls it after each move, so a worker that dies loses no move.
   */
  saveSnapshot(): void;
  /**
   * Whether quick-join may place new players in this room (a room starts open). Quick-join
   * places players only in open rooms with a free seat; joins by room id are unaffected. A game
   * whose room can be full before its members reach `Game.seats` (an opponent that is not a
   * player, such as four in a row's computer) closes it. The coordinator keeps the flag in the
   * room's record, so it outlives a worker restart, an adoption by another worker, a deploy and a
   * coordinator restart; a game may set it again when its room is rebuilt from a snapshot.
   */
  setOpen(open: boolean): void;
}

/**
 * `M`: the messages the game declared, as its rooms receive them: `MessageOf<typeof messages>`
 * (messages.ts) types `message` from the declaration. The default takes any.
 */
export interface Room<M extends { readonly t: string } = GameClientMessage> {
  /**
   * Optional: asked before a new player is seated (not on a resume), with its identity and claims.
   * Returning a refusal keeps the player out; it gets SEAT_REFUSED with the reason.
   */
  admit?(seat: SeatInfo): SeatRefusal | undefined;
  /** Seats a player: a new one, or one coming back (resume or restore from a snapshot). */
  join(seat: SeatInfo): void;
  /** Removes a player for good. */
  leave(playerId: string): void;
  /** A player's connection went away (true) or came back (false); frozen players keep their seat. */
  setFrozen(playerId: string, frozen: boolean): void;
  /**
   * A message from a seated player, checked at the edge: `input` (core, every game gets it), or
   * one the game declared (`Game.messages`) matching its declaration. Never hello/ping/top/leave/chat.
   */
  message(playerId: string, msg: InputMsg | M): void;
  /** Advances the simulation one tick and sends what changed (games with hz 0 are never ticked). */
  tick?(tick: number): void;
  /** The room is over here (its last player gone, or the worker stops): let go of what it holds. */
  end?(): void;
  /** Plain, serialisable state, from which `Game.create` can rebuild the room (a `tick` field in it
   *  is where the host's tick count resumes). */
  snapshot(): unknown;
  /** Number of seated players. */
  readonly size: number;
}
