// Names of the world values the server itself keeps. Plain constants, shared by the arena (worker
// side) and the coordinator's world.stats without either importing the other's code.
export const WORLD_KEYS = {
  /** Counter: coins taken in every room of the server since the data directory was made. */
  coinsTaken: 'arena.coinsTaken',
  /** Value: the last golden-coin period that has been given to a room (periods since the epoch). */
  goldenPeriod: 'arena.golden.period',
  /** Counter: golden coins spawned. */
  goldenSpawned: 'arena.golden.spawned',
  /** Lock under which a room decides whether it gets the current period's golden coin. */
  goldenLock: 'arena.golden',
} as const;
