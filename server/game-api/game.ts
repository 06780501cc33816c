// What a game declares to the server, beside its rooms: its name (also the prefix of its room
// ids), how a room is made from the game's own settings, the field every welcome describes, and
// the world values the server shows in its stats. The server learns all of it from here, so no
// process outside the game's folder needs to know which game it runs.
import type { WelcomeMsg } from '../../shared/protocol/messages.js';
import type { GameMessage } from '../../shared/protocol/messages.js';
import type { GameMessages, MessageOf } from './messages.js';
import type { Room, RoomContext } from './room.js';

/** The game's field as the welcome describes it (the wire calls it `world`). */
export type Field = WelcomeMsg['world'];

/** A world value the server reports: in the coordinator's world.stats, and on /health when `health`. */
export interface ReportedValue {
  /** Its field in the stats answer, e.g. `coinsTaken`. */
  readonly stat: string;
  /** The world value's name, e.g. `arena.coinsTaken`. */
  readonly key: string;
  /** counter: a number, 0 while absent (or not a number); value: whatever is stored, null while absent. */
  readonly kind: 'counter' | 'value';
  /** Also in the coordinator's `stats` answer (so on /health). */
  readonly health?: boolean;
}

/**
 * A game: `S` is its own settings type (the registry maps server settings onto it), `D` its
 * declared client messages (`messages`), from which its rooms' message type follows.
 */
export interface Game<S, D extends GameMessages = Record<never, never>> {
  /** Unique among the games a server runs: the prefix of its room ids (`arena-1a2b`). */
  readonly name: string;
  /** A room, new or rebuilt from a snapshot it made (`Room.snapshot`). */
  create(ctx: RoomContext, settings: S, snapshot?: unknown): Room<MessageOf<D>>;
  /**
   * Its own client messages, by `t` (messages.ts; `defineMessages` keeps their types). Checked at
   * the edge; a core type may not be declared (the server refuses to start).
   */
  readonly messages?: D;
  /** The field a player's welcome describes, for these settings. */
  field(settings: S): Field;
  /** World values of this game the server reports. */
  readonly reports?: readonly ReportedValue[];
}

/** A game with its settings applied: what a worker hosts (made by the registry, server/games). */
export interface HostedGame {
  readonly name: string;
  /** Made once: every welcome of every room of this game carries it. */
  readonly field: Field;
  /** Its declared client messages (none: absent), compiled once by the worker at start. */
  readonly messages?: GameMessages;
  create(ctx: RoomContext, snapshot?: unknown): Room<GameMessage>;
}

/** Binds a game to its settings. */
export function hosted<S, D extends GameMessages>(game: Game<S, D>, settings: S): HostedGame {
  return {
    name: game.name,
    field: game.field(settings),
    messages: game.messages,
    // Its rooms get only messages the edge checked against `messages`: MessageOf<D>.
    create: (ctx, snapshot) => game.create(ctx, settings, snapshot),
  };
}
