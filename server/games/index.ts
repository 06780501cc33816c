// The games this server runs, in one place: each by name, with the factory that makes its rooms
// and how its settings are read from the server's. Nothing outside server/games/ names a game;
// processes ask this registry (the worker for the games it hosts, the coordinator for the world
// values games report). To add a game: write it against server/game-api, register it here.
import { CodedError } from '../../shared/errors/coded-error.js';
import { GAME_NAME_PATTERN } from '../../shared/protocol/limits.js';
import { hosted, type Game, type HostedGame, type ReportedValue } from '../game-api/index.js';
import { arena } from './arena/arena.js';
import type { ArenaSettings } from './arena/settings.js';
import { four } from './four/four.js';
import type { FourSettings } from './four/settings.js';

/**
 * The server settings the registered games read (the server's Config has every one of them;
 * named here, not imported, so the games folder depends on no process's configuration).
 */
export interface GameServerSettings {
  worldWidth: number;
  worldHeight: number;
  playerSpeed: number;
  pickupRadius: number;
  coins: number;
  goldenCoinMs: number;
  fourTurnMs: number;
  fourSpectators: number;
  fourBotDepth: number;
  fourBotDelayMs: number;
  /** Defaults for a game that does not choose its own. */
  hz: number;
  roomCapacity: number;
}

interface Registered {
  readonly reports: readonly ReportedValue[];
  host(server: GameServerSettings): HostedGame;
}

const GAMES = new Map<string, Registered>();

/**
 * Adds a game to the ones this server runs, with how its settings are read from the server's.
 * Refuses a name that is not `[a-z0-9-]{1,32}` or is taken.
 */
export function registerGame<S>(game: Game<S>, settings: (server: GameServerSettings) => S): void {
  if (!GAME_NAME_PATTERN.test(game.name)) throw new CodedError('BAD_GAME', `game name ${JSON.stringify(game.name)} must be 1..32 of [a-z0-9-]`);
  if (GAMES.has(game.name)) throw new CodedError('BAD_GAME', `two games are named ${JSON.stringify(game.name)}`);
  GAMES.set(game.name, {
    reports: game.reports ?? [],
    host: (server) => hosted(game, settings(server), { hz: server.hz, roomCapacity: server.roomCapacity }),
  });
}

registerGame(arena, (s): ArenaSettings => ({
  fieldWidth: s.worldWidth,
  fieldHeight: s.worldHeight,
  playerSpeed: s.playerSpeed,
  pickupRadius: s.pickupRadius,
  coins: s.coins,
  goldenCoinMs: s.goldenCoinMs,
}));

registerGame(four, (s): FourSettings => ({
  turnMs: s.fourTurnMs,
  spectators: s.fourSpectators,
  botDepth: s.fourBotDepth,
  botDelayMs: s.fourBotDelayMs,
}));

/** The game of a hello that names none (every v1 client). */
export const DEFAULT_GAME = 'arena';

/** The named game (default: DEFAULT_GAME) with its settings read from the server's. */
export function hostGame(server: GameServerSettings, name: string = DEFAULT_GAME): HostedGame {
  const g = GAMES.get(name);
  if (!g) throw new CodedError('UNKNOWN_GAME', `no game named ${JSON.stringify(name)} is registered`);
  return g.host(server);
}

/** Every registered game, hosted with its settings: what a worker runs. */
export function hostGames(server: GameServerSettings): Map<string, HostedGame> {
  return new Map([...GAMES.keys()].map((name) => [name, hostGame(server, name)]));
}

/** The names of the games this server runs. */
export function gameNames(): string[] {
  return [...GAMES.keys()];
}

/** Every registered game's reported world values (for the coordinator's stats). */
export function reportedValues(): ReportedValue[] {
  return [...GAMES.values()].flatMap((g) => g.reports);
}

/** The /health values the games report, as they read before the coordinator first answers. */
export function healthReportsAtStart(): Record<string, unknown> {
  return Object.fromEntries(reportedValues().filter((r) => r.health).map((r) => [r.stat, r.kind === 'counter' ? 0 : null]));
}
