// The world leaderboard when hosts share Redis: read from the shoal:lb ZSET every host adds to, so
// `top` and `leaderboard` show the players of every host. One ZREVRANGE (and one HMGET of account
// names) serves every request for CACHE_MS; while Redis cannot answer, the last board read is
// served, or this host's own view of it before any read succeeded.
import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.js';
import type { LeaderEntry } from '../../ipc/coordinator-ops.js';
import { KEYS } from '../redis/keys.js';
import { ACCOUNTS_NS } from '../directory/sessions.js';
import { accountOfKey } from '../store/leaderboard-key.js';

/** How old a board may be served (the request burst of many players asking `top` costs one read). */
export const CACHE_MS = 200;

export class SharedLeaderboard {
  private board: LeaderEntry[] | null = null;
  private at = 0;
  private reading: Promise<LeaderEntry[]> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly config: Config,
    /** This host's own board (its memory), for when Redis never answered yet. */
    private readonly local: (n: number) => LeaderEntry[],
  ) {}

  /** The best `n` lines (at most leaderboardSize), best first, ties by key. */
  async lines(n: number, now = Date.now()): Promise<LeaderEntry[]> {
    if (this.board && now - this.at < CACHE_MS) return this.board.slice(0, n);
    try {
      this.reading ??= this.read().finally(() => (this.reading = null));
      const board = await this.reading;
      this.board = board;
      this.at = now;
      return board.slice(0, n);
    } catch {
      return this.board ? this.board.slice(0, n) : this.local(n);
    }
  }

  private async read(): Promise<LeaderEntry[]> {
    const flat = await this.redis.zrevrange(KEYS.lb, 0, this.config.leaderboardSize - 1, 'WITHSCORES');
    const pairs: Array<[string, number]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, Number(flat[i + 1])]);
    // Redis orders equal scores by key descending; the board shows them by key ascending.
    pairs.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const accounts = [...new Set(pairs.map(([k]) => accountOfKey(k)).filter((a): a is string => a !== undefined))];
    const names = new Map<string, string>();
    if (accounts.length) {
      const got = await this.redis.hmget(KEYS.kv(ACCOUNTS_NS), ...accounts);
      accounts.forEach((a, i) => {
        const v = got[i];
        const name = v ? (JSON.parse(v) as unknown) : undefined;
        if (typeof name === 'string') names.set(a, name);
      });
    }
    return pairs.map(([key, score]): LeaderEntry => {
      const account = accountOfKey(key);
      if (account !== undefined) return { name: names.get(account) ?? account, score, account };
      return this.config.auth === 'jwt' ? { name: key, score, guest: true } : { name: key, score };
    });
  }
}
