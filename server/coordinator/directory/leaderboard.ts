// The world leaderboard as players see it: best first, ties by key, an account's line under the
// name it last played under. Sorting is cached: under a stream of score changes a board up to
// 50 ms old is served rather than sorting every name for every request.
import type { Config } from '../../config/schema.js';
import { accountOfKey } from '../store/leaderboard-key.js';
import type { Ledger } from './ledger.js';
import { ACCOUNTS_NS } from './sessions.js';

export interface LeaderboardLine {
  name: string;
  score: number;
  account?: string;
  guest?: true;
}

/** How old a sorted board may be served while scores keep changing. */
const RESORT_MS = 50;

export class Leaderboard {
  private ranked: Array<[string, number]> = [];
  /** The ledger's leaderboard version `ranked` was sorted at (-1: never). */
  private rankedVersion = -1;
  private rankedAt = 0;

  constructor(private readonly ledger: Ledger, private readonly config: Config) {}

  /**
   * The best `n` lines with names to show. With --auth jwt, name-keyed lines are guests' (or
   * from before accounts), marked as such.
   */
  lines(n: number): LeaderboardLine[] {
    const names = this.ledger.view.kv.get(ACCOUNTS_NS);
    return this.top(n).map(([key, score]) => {
      const account = accountOfKey(key);
      if (account !== undefined) {
        // The account's name as last signed in (sessions.ts writes strings only).
        const name = names?.get(account);
        return { name: typeof name === 'string' ? name : account, score, account };
      }
      return this.config.auth === 'jwt' ? { name: key, score, guest: true } : { name: key, score };
    });
  }

  /** The best `n` [key, score] pairs, best first. */
  top(n: number, now = Date.now()): Array<[string, number]> {
    const version = this.ledger.leaderboardVersion;
    if (version !== this.rankedVersion && now - this.rankedAt >= RESORT_MS) {
      this.ranked = [...this.ledger.view.leaderboard].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      this.rankedVersion = version;
      this.rankedAt = now;
    }
    return this.ranked.slice(0, n);
  }
}
