// The arena's own settings: what a room reads to play. The registry (server/games/index.ts) fills
// them from the server's settings, so the arena never reads the server's configuration itself.

export interface ArenaSettings {
  /** The field's size in units (the welcome's `world`). */
  fieldWidth: number;
  fieldHeight: number;
  /** Units a second at full input. */
  playerSpeed: number;
  /** Distance at which a player takes a coin. */
  pickupRadius: number;
  /** Coins kept on a room's field. */
  coins: number;
  /** Every this many ms one room of the whole server gets a golden coin (0: never). */
  goldenCoinMs: number;
}
