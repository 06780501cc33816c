// The Room interface: what a game implements so the worker can host it. A game never touches a
// socket: it receives validated messages and speaks through its RoomContext, which encodes each
// broadcast once and writes the same bytes to every player.
import type { ClientMessage, GameMessage, ServerMessage } from '../../shared/protocol/messages.js';
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

export interface RoomContext {
  readonly id: string;
  /** Ticks a second: `Room.tick` is called this often. */
  readonly hz: number;
  /** Encodes once; sends to every connected player except those in `skip`. */
  broadcast(msg: ServerMessage, skip?: ReadonlySet<string>): void;
  /** Sends to one player, if connected. */
  send(playerId: string, msg: ServerMessage): void;
  /** A player's score grew; it flows to the world leaderboard before the tick's state goes out. */
  scoreChanged(playerId: string, score: number): void;
  /** Locks, semaphores, events, queues and values shared by every room of the server (docs/WORLD.md).
   *  Scoped to this room: what it holds is released when the room ends. */
  readonly world: World;
}

/** `M`: the game's declared messages (`MessageOf<typeof messages>`, messages.ts); none by default. */
export interface Room<M extends GameMessage = never> {
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
   * A message from a seated player, checked at the edge: `input` (core), or one the game declared
   * (`Game.messages`), matching its declaration. Never hello/ping/top/leave/chat.
   */
  message(playerId: string, msg: ClientMessage | M): void;
  /** Advances the simulation one tick and sends what changed. */
  tick(tick: number): void;
  /** Plain, serialisable state, from which `Game.create` can rebuild the room (a `tick` field in it
   *  is where the host's tick count resumes). */
  snapshot(): unknown;
  /** Number of seated players. */
  readonly size: number;
}
