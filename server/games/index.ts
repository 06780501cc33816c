// The games this server runs, in one place: each by name, with the factory that makes its rooms
// and how its settings are read from the server's. A server is given its games at start
// (createServer's `games`, plus a --games module): `registerGames` takes them once per process,
// before the process's role starts; the built-in ones are `builtInGames`, which the `npm start`
// CLI gives. Processes ask this registry (the worker for the games it hosts, the coordinator for
// the world values games report, the primary for the /health values at start).
import { CodedError } from '../../shared/errors/coded-error.js';
import { GAME_NAME_PATTERN } from '../../shared/protocol/limits.js';
import { hosted, withSettings, type Game, type GameEntry, type GameServerSettings, type HostedGame, type ReportedValue } from '../game-api/index.js';
import { arena } from './arena/arena.js';
import type { ArenaSettings } from './arena/settings.js';

export type { GameServerSettings } from '../game-api/index.js';

interface Registered {
  readonly reports: readonly ReportedValue[];
  host(server: GameServerSettings): HostedGame;
}

/** The games Shoal comes with, their settings read from the server's: what `npm start` runs. */
export const builtInGames: readonly GameEntry[] = [
  withSettings(arena, (s): ArenaSettings => ({
    fieldWidth: s.worldWidth,
    fieldHeight: s.worldHeight,
    playerSpeed: s.playerSpeed,
    pickupRadius: s.pickupRadius,
    coins: s.coins,
    goldenCoinMs: s.goldenCoinMs,
  })),
];

const GAMES = new Map<string, Registered>();

/**
 * The games this process's server runs, given once at start. Refuses (BAD_GAME) a name that is
 * not `[a-z0-9-]{1,32}` or that two games share, and a second call; a refused list registers none.
 */
export function registerGames(entries: readonly GameEntry[]): void {
  if (GAMES.size > 0) throw new CodedError('BAD_GAME', 'the games of this server are already registered');
  const named = new Map<string, Registered>();
  for (const e of entries) {
    const game = ('game' in e ? e.game : e) as Game<unknown>;
    const settings = 'game' in e ? e.settings : () => undefined;
    if (typeof game.name !== 'string' || !GAME_NAME_PATTERN.test(game.name)) {
      throw new CodedError('BAD_GAME', `game name ${JSON.stringify(game.name)} must be 1..32 of [a-z0-9-]`);
    }
    if (named.has(game.name)) throw new CodedError('BAD_GAME', `two games are named ${JSON.stringify(game.name)}; each game needs its own name`);
    named.set(game.name, {
      reports: game.reports ?? [],
      host: (server) => hosted(game, settings(server), { hz: server.hz, roomCapacity: server.roomCapacity }),
    });
  }
  for (const [name, r] of named) GAMES.set(name, r);
}

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
