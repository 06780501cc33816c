// The games this server runs, in one place: each by name, with the factory that makes its rooms
// and how its settings are read from the server's. Nothing outside server/games/ names a game;
// processes ask this registry (the worker for the game it hosts, the coordinator for the world
// values games report). To add a game: write it against server/game-api, register it here.
import { CodedError } from '../../shared/errors/coded-error.js';
import { hosted, type Game, type GameMessages, type HostedGame, type ReportedValue } from '../game-api/index.js';
import { arena } from './arena/arena.js';
import type { ArenaSettings } from './arena/settings.js';

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
}

interface Registered {
  readonly reports: readonly ReportedValue[];
  readonly messages?: GameMessages;
  host(server: GameServerSettings): HostedGame;
}

function register<S, D extends GameMessages>(game: Game<S, D>, settings: (server: GameServerSettings) => S): Registered {
  return { reports: game.reports ?? [], messages: game.messages, host: (server) => hosted(game, settings(server)) };
}

const GAMES: ReadonlyMap<string, Registered> = new Map([
  ['arena', register(arena, (s): ArenaSettings => ({
    fieldWidth: s.worldWidth,
    fieldHeight: s.worldHeight,
    playerSpeed: s.playerSpeed,
    pickupRadius: s.pickupRadius,
    coins: s.coins,
    goldenCoinMs: s.goldenCoinMs,
  }))],
]);

/** The game a worker hosts when none is named (every room today). */
export const DEFAULT_GAME = 'arena';

/** The named game (default: DEFAULT_GAME) with its settings read from the server's. */
export function hostGame(server: GameServerSettings, name: string = DEFAULT_GAME): HostedGame {
  const g = GAMES.get(name);
  if (!g) throw new CodedError('UNKNOWN_GAME', `no game named ${JSON.stringify(name)} is registered`);
  return g.host(server);
}

/** Every registered game's reported world values (for the coordinator's stats). */
export function reportedValues(): ReportedValue[] {
  return [...GAMES.values()].flatMap((g) => g.reports);
}

/** Every registered game's declared client messages (checked by the primary at start, compiled by each worker). */
export function declaredMessages(): Array<{ name: string; messages?: GameMessages }> {
  return [...GAMES].map(([name, g]) => ({ name, messages: g.messages }));
}

/** The /health values the games report, as they read before the coordinator first answers. */
export function healthReportsAtStart(): Record<string, unknown> {
  return Object.fromEntries(reportedValues().filter((r) => r.health).map((r) => [r.stat, r.kind === 'counter' ? 0 : null]));
}
