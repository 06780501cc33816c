// How a game is handed to a server (createServer's `games`, a --games module): the game alone
// when it takes no settings, or with the settings its rooms are made with. Settings may be read
// from the server's own (the built-in arena's field size is --world-width...), so one entry can
// follow what an operator set on the command line.
import type { Game } from './game.js';

/** The server settings a game's settings may be read from (each is also a flag: README's settings table). */
export interface GameServerSettings {
  worldWidth: number;
  worldHeight: number;
  playerSpeed: number;
  pickupRadius: number;
  coins: number;
  goldenCoinMs: number;
  /** Defaults for a game that does not choose its own. */
  hz: number;
  roomCapacity: number;
}

/** A game with its settings, as `withSettings` makes it (the settings type checked there). */
export interface GameWithSettings {
  readonly game: Game<never>;
  /** Reads the game's settings from the server's, once per process at start. */
  readonly settings: (server: GameServerSettings) => unknown;
}

/** What a server is given: a game that takes no settings, or one with its settings. */
export type GameEntry = Game<undefined> | GameWithSettings;

/**
 * Pairs a game with the settings its rooms are made with: a value, or a function of the server's
 * settings. `createServer({ games: [withSettings(dice, { rounds: 3 })] })`.
 */
export function withSettings<S>(game: Game<S>, settings: S | ((server: GameServerSettings) => S)): GameWithSettings {
  const read = typeof settings === 'function' ? (settings as (server: GameServerSettings) => S) : () => settings;
  return { game, settings: read };
}
