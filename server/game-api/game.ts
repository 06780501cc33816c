// What a game declares to the server, beside its rooms: its name (also the prefix of its room
// ids), how a room is made from the game's own settings, the field every welcome describes, and
// the world values the server shows in its stats. The server learns all of it from here, so no
// process outside the game's folder needs to know which game it runs.
import type { WelcomeMsg } from '../../shared/protocol/messages.js';
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

/** A game: `S` is its own settings type (the registry maps server settings onto it). */
export interface Game<S> {
  /** Unique among the games a server runs: the prefix of its room ids (`arena-1a2b`). */
  readonly name: string;
  /** A room, new or rebuilt from a snapshot it made (`Room.snapshot`). */
  create(ctx: RoomContext, settings: S, snapshot?: unknown): Room;
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
  create(ctx: RoomContext, snapshot?: unknown): Room;
}

/** Binds a game to its settings. */
export function hosted<S>(game: Game<S>, settings: S): HostedGame {
  return {
    name: game.name,
    field: game.field(settings),
    create: (ctx, snapshot) => game.create(ctx, settings, snapshot),
  };
}
