// Four in a row's own settings: what a room reads to play. The registry (server/games/index.ts)
// fills them from the server's (--four-*), so the game never reads the server's configuration.

export interface FourSettings {
  /** Time the player to move has; when it runs out that player loses. */
  turnMs: number;
  /** Members a room takes beyond its two seats (joining by room id). */
  spectators: number;
  /** Plies the computer looks ahead. */
  botDepth: number;
  /** The computer's move shows no sooner than this after its turn began. */
  botDelayMs: number;
}
