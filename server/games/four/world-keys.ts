// Names of the world values four in a row keeps (counters over every room of the server), and
// which of them the server reports in its stats.
import type { ReportedValue } from '../../game-api/index.js';

export const FOUR_KEYS = {
  /** Counter: games finished (won, lost on time or by leaving, or drawn). */
  games: 'four.games',
  /** Counter: games won by seat 0 (red, disc 1). */
  winsRed: 'four.wins.red',
  /** Counter: games won by seat 1 (yellow, disc 2). */
  winsYellow: 'four.wins.yellow',
  /** Counter: games drawn (a full board). */
  draws: 'four.draws',
  /** Counter: of the games won, those the computer won. */
  computerWins: 'four.wins.computer',
} as const;

export const FOUR_REPORTS: readonly ReportedValue[] = [
  { stat: 'fourGames', key: FOUR_KEYS.games, kind: 'counter' },
];
