// Names of the world values the arena keeps, and which of them the server reports (declared with
// the game, so the coordinator shows them in world.stats and /health without knowing the arena).
import type { ReportedValue } from '../../game-api/index.js';

export const ARENA_KEYS = {
  /** Counter: coins taken in every room of the server since the data directory was made. */
  coinsTaken: 'arena.coinsTaken',
  /** Value: the last golden-coin period that has been given to a room (periods since the epoch). */
  goldenPeriod: 'arena.golden.period',
  /** Counter: golden coins spawned. */
  goldenSpawned: 'arena.golden.spawned',
  /** Lock under which a room decides whether it gets the current period's golden coin. */
  goldenLock: 'arena.golden',
} as const;

export const ARENA_REPORTS: readonly ReportedValue[] = [
  { stat: 'coinsTaken', key: ARENA_KEYS.coinsTaken, kind: 'counter', health: true },
  { stat: 'goldenSpawned', key: ARENA_KEYS.goldenSpawned, kind: 'counter' },
  { stat: 'goldenPeriod', key: ARENA_KEYS.goldenPeriod, kind: 'value' },
];
