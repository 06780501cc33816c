// Applies durable changes to an in-memory world. Shared by the coordinator (live state) and by
// stores that rebuild the world from a log, so there is one definition of what a change means.
import { GAME_OF_OLD_ROOMS, type Change, type SavedState, type RoomRecord, type SessionRecord } from './types.js';
import { hashToken } from './token-hash.js';
import { leaderboardKey } from './leaderboard-key.js';

export interface StateIndex {
  nextPlayer: number;
  sessionsById: Map<string, SessionRecord>;
  /** keyed by the hash of the session's token */
  sessionsByTokenHash: Map<string, SessionRecord>;
  leaderboard: Map<string, number>;
  rooms: Map<string, RoomRecord>;
  kv: Map<string, Map<string, unknown>>;
}

export function indexState(w: SavedState): StateIndex {
  const ix: StateIndex = {
    nextPlayer: w.nextPlayer,
    sessionsById: new Map(),
    sessionsByTokenHash: new Map(),
    leaderboard: new Map(w.leaderboard),
    rooms: new Map(w.rooms.map((r) => [r.id, withGame(r)])),
    kv: new Map(Object.entries(w.kv).map(([ns, m]) => [ns, new Map(Object.entries(m))])),
  };
  for (const s of w.sessions) {
    ix.sessionsById.set(s.id, s);
    ix.sessionsByTokenHash.set(tokenKey(s), s);
  }
  return ix;
}

export function stateOf(ix: StateIndex): SavedState {
  const kv: SavedState['kv'] = {};
  for (const [ns, m] of ix.kv) kv[ns] = Object.fromEntries(m);
  return {
    nextPlayer: ix.nextPlayer,
    sessions: [...ix.sessionsById.values()],
    leaderboard: [...ix.leaderboard],
    rooms: [...ix.rooms.values()],
    kv,
  };
}

export function applyChange(ix: StateIndex, c: Change): void {
  switch (c.k) {
    case 'session': {
      const old = ix.sessionsById.get(c.s.id);
      if (old) return; // already known: creation is idempotent
      const s = { ...c.s };
      ix.sessionsById.set(s.id, s);
      ix.sessionsByTokenHash.set(tokenKey(s), s);
      if (s.score > 0) addScore(ix, leaderboardKey(s), s.score);
      return;
    }
    case 'sessionEnd': {
      const s = ix.sessionsById.get(c.id);
      if (!s) return;
      ix.sessionsById.delete(c.id);
      ix.sessionsByTokenHash.delete(tokenKey(s));
      return;
    }
    case 'score': {
      const s = ix.sessionsById.get(c.id);
      // Scores are absolute and only grow, so a replayed or reordered update adds nothing twice.
      if (!s || c.score <= s.score) return;
      addScore(ix, leaderboardKey(s), c.score - s.score);
      s.score = c.score;
      return;
    }
    case 'room': {
      const old = ix.rooms.get(c.r.id);
      // A change may leave out the snapshot (and, written before games, the game): the room keeps its own.
      ix.rooms.set(c.r.id, { ...c.r, game: c.r.game ?? old?.game ?? GAME_OF_OLD_ROOMS, snapshot: c.r.snapshot ?? old?.snapshot });
      return;
    }
    case 'roomGone':
      ix.rooms.delete(c.id);
      return;
    case 'nextPlayer':
      if (c.n > ix.nextPlayer) ix.nextPlayer = c.n;
      return;
    case 'kv': {
      let m = ix.kv.get(c.ns);
      if (!m) ix.kv.set(c.ns, (m = new Map<string, unknown>()));
      m.set(c.key, c.value);
      return;
    }
    case 'kvDel':
      ix.kv.get(c.ns)?.delete(c.key);
      return;
  }
}

/** A room record stored before rooms had games is an arena room. */
function withGame(r: RoomRecord): RoomRecord {
  return r.game === undefined ? { ...r, game: GAME_OF_OLD_ROOMS } : r;
}

/** A 0.1 record holds the raw token instead of its hash. */
function tokenKey(s: SessionRecord): string {
  return s.tokenHash ?? hashToken(s.token ?? '');
}

function addScore(ix: StateIndex, key: string, delta: number): void {
  ix.leaderboard.set(key, (ix.leaderboard.get(key) ?? 0) + delta);
}
