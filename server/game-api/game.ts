// What a game declares to the server, beside its rooms: its name (also the prefix of its room
// ids), how big and how fast its rooms are, the messages its players may send, the codes it
// answers with, how a room is made (new, or from a snapshot of this or an older version), and
// the world values the server shows in its stats. The server learns all of it from here, so no
// process outside the game's folder needs to know which games it runs.
import type { WelcomeMsg } from '../../shared/protocol/messages.js';
import type { TObject } from '@sinclair/typebox';
import type { Room, RoomContext } from './room.js';

/** The game's field as the welcome describes it (the wire calls it `world`). */
export type Field = NonNullable<WelcomeMsg['world']>;

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
 * The client messages a game takes beyond the core ones (hello, input, chat, ping, top, leave):
 * each type's fields (without `t`) as a TypeBox object. They are checked at the edge; a room
 * never sees a message that does not match.
 */
export type GameMessages = Readonly<Record<string, TObject>>;

/** A value of the game's settings type, or how to read it from them. */
export type PerSettings<S, T> = T | ((settings: S) => T);

/** A game: `S` is its own settings type (the registry maps server settings onto it). */
export interface Game<S = unknown> {
  /** Unique among the games a server runs (`[a-z0-9-]`, 1..32): hello.game, and the prefix of its room ids. */
  readonly name: string;
  /**
   * The format of this game's snapshots (default 1). A newer build raises it and supplies
   * `migrate`, so rooms saved by the older build come back (a deploy, a restart).
   */
  readonly version?: number;
  /**
   * Rebuilds an older snapshot (`from` < version) in this version's shape. Throwing refuses: the
   * room is not restored, and a deploy that meets it stops with the old code kept.
   */
  migrate?(snapshot: unknown, from: number): unknown;
  /** Quick-join fills a room up to this many members (default: the server's room capacity). */
  readonly seats?: PerSettings<S, number>;
  /** Members a room holds in all, spectators included, for joins by room id (default: seats). */
  readonly capacity?: PerSettings<S, number>;
  /** Ticks a second (default: the server's hz); 0 for a turn-based game, which runs on messages and timers. */
  readonly hz?: PerSettings<S, number>;
  /** Client messages this game takes beyond the core ones. */
  readonly messages?: GameMessages;
  /** The error codes this game sends (`ctx.error`), each with what it means (UPPER_SNAKE, never fatal). */
  readonly errors?: Readonly<Record<string, string>>;
  /** A room, new or rebuilt from a snapshot it made (`Room.snapshot`), already migrated to `version`. */
  create(ctx: RoomContext, settings: S, snapshot?: unknown): Room;
  /** The field a player's welcome describes, for these settings (a game without a field leaves it out). */
  field?(settings: S): Field;
  /** World values of this game the server reports. */
  readonly reports?: readonly ReportedValue[];
}

/** A game with its settings applied: what a worker hosts (made by the registry, server/games). */
export interface HostedGame {
  readonly name: string;
  readonly version: number;
  /** Made once: every welcome of every room of this game carries it; undefined: no field. */
  readonly field: Field | undefined;
  /** 0: no ticks (turn-based). */
  readonly hz: number;
  readonly seats: number;
  readonly capacity: number;
  readonly messages: GameMessages;
  readonly errors: Readonly<Record<string, string>>;
  create(ctx: RoomContext, snapshot?: unknown): Room;
  /** An older snapshot in this version's shape; throws (the game's refusal) when it cannot. */
  migrate(snapshot: unknown, from: number): unknown;
}

/** The server-wide defaults a game's own choices fall back to. */
export interface GameDefaults {
  hz: number;
  roomCapacity: number;
}

function read<S, T>(v: PerSettings<S, T> | undefined, settings: S, fallback: T): T {
  if (v === undefined) return fallback;
  return typeof v === 'function' ? (v as (s: S) => T)(settings) : v;
}

/** Binds a game to its settings and the server's defaults. */
export function hosted<S>(game: Game<S>, settings: S, defaults: GameDefaults): HostedGame {
  const version = game.version ?? 1;
  const seats = read(game.seats, settings, defaults.roomCapacity);
  return {
    name: game.name,
    version,
    field: game.field?.(settings),
    hz: read(game.hz, settings, defaults.hz),
    seats,
    capacity: Math.max(seats, read(game.capacity, settings, seats)),
    messages: game.messages ?? {},
    errors: game.errors ?? {},
    create: (ctx, snapshot) => game.create(ctx, settings, snapshot),
    migrate: (snapshot, from) => {
      if (!game.migrate) throw new Error(`${game.name} has no migrate step from version ${from} to ${version}`);
      return game.migrate(snapshot, from);
    },
  };
}

/** Typing help for a game author: `export default defineGame({ ... })`. */
export function defineGame<S>(game: Game<S>): Game<S> {
  return game;
}
