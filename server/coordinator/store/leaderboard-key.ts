// What the world leaderboard is keyed by: the player's name (--auth none, and guests), or its
// account (the token's sub) once the server authenticates, so no one can score under another's
// account by typing its name. The prefix is a control character, which no name may hold
// (shared/protocol/text-rules.ts), so an account key can never equal a name.
import type { SessionRecord } from './types.js';

const ACCOUNT_PREFIX = '\u0001';

export function leaderboardKey(s: Pick<SessionRecord, 'name' | 'account'>): string {
  return s.account !== undefined ? ACCOUNT_PREFIX + s.account : s.name;
}

/** The account behind a leaderboard key, or undefined for a name key. */
export function accountOfKey(key: string): string | undefined {
  return key.startsWith(ACCOUNT_PREFIX) ? key.slice(ACCOUNT_PREFIX.length) : undefined;
}
