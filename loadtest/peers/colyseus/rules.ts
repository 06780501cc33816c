// The arena rules the Colyseus peer plays, written out here because the peer must not import
// Shoal's server code: the same numbers as Shoal's defaults (server/config/schema.ts), which
// test/loadtest/colyseus-peer.test.ts checks, so a side-by-side run compares like with like.
export const ARENA_RULES = {
  /** Players a room holds (Shoal: roomCapacity). */
  roomCapacity: 16,
  worldWidth: 1000,
  worldHeight: 1000,
  /** Simulation ticks and state patches a second. */
  hz: 20,
  /** Coins kept on a room's field. */
  coins: 10,
  pickupRadius: 20,
  /** Units a second at full input. */
  playerSpeed: 200,
} as const;

/** The room name clients ask the matchmaker for. */
export const ARENA_ROOM = 'arena';
