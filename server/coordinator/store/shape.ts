// What a stored record must look like. A record that passes its checksum but not these checks was
// written by something else (a bug, another version, a hand edit): loading it would put a wrong
// world in memory or crash later, so it counts as damage like a failed checksum.
const isStr = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function sessionProblem(s: unknown): string | null {
  if (!isObj(s)) return 'session is not an object';
  // tokenHash since 0.2; a 0.1 record holds the raw token instead (hashed on load).
  if (!isStr(s.id) || !(isStr(s.tokenHash) || isStr(s.token)) || !isStr(s.name) || !isStr(s.room)) return 'session lacks id/tokenHash/name/room strings';
  if (typeof s.score !== 'number' || !Number.isFinite(s.score) || s.score < 0) return 'session score is not a number >= 0';
  if (s.account !== undefined && !isStr(s.account)) return 'session account is not a string';
  return null;
}

function roomProblem(r: unknown): string | null {
  if (!isObj(r)) return 'room is not an object';
  if (!isStr(r.id) || !isCount(r.slot) || !isCount(r.capacity)) return 'room lacks id/slot/capacity';
  // Both since rooms have games; a record without them is an arena room sized by roomCapacity.
  if (r.game !== undefined && !isStr(r.game)) return 'room game is not a string';
  if (r.seats !== undefined && !isCount(r.seats)) return 'room seats is not a count';
  return null;
}

/** Why `c` is not a Change, or null when it is one. */
export function changeProblem(c: unknown): string | null {
  if (!isObj(c)) return 'change is not an object';
  switch (c.k) {
    case 'session':
      return sessionProblem(c.s);
    case 'sessionEnd':
    case 'roomGone':
      return isStr(c.id) ? null : `${c.k} lacks an id`;
    case 'score':
      return isStr(c.id) && typeof c.score === 'number' && Number.isFinite(c.score) ? null : 'score lacks id/score';
    case 'room':
      return roomProblem(c.r);
    case 'nextPlayer':
      return isCount(c.n) ? null : 'nextPlayer lacks n';
    case 'kv':
      return isStr(c.ns) && isStr(c.key) && 'value' in c ? null : 'kv lacks ns/key/value';
    case 'kvDel':
      return isStr(c.ns) && isStr(c.key) ? null : 'kvDel lacks ns/key';
    default:
      return `unknown change kind ${JSON.stringify(c.k)}`;
  }
}

/** Why a log record's body is not a non-empty batch of changes, or null. */
export function batchProblem(b: unknown): string | null {
  if (!Array.isArray(b) || b.length === 0) return 'record is not a list of changes';
  for (const c of b as unknown[]) {
    const p = changeProblem(c);
    if (p) return p;
  }
  return null;
}

/** Why `w` is not a SavedState, or null. */
export function worldProblem(w: unknown): string | null {
  if (!isObj(w)) return 'checkpoint is not an object';
  if (!isCount(w.nextPlayer)) return 'checkpoint lacks nextPlayer';
  if (!Array.isArray(w.sessions) || !Array.isArray(w.leaderboard) || !Array.isArray(w.rooms) || !isObj(w.kv)) {
    return 'checkpoint lacks sessions/leaderboard/rooms/kv';
  }
  for (const s of w.sessions as unknown[]) {
    const p = sessionProblem(s);
    if (p) return p;
  }
  for (const r of w.rooms as unknown[]) {
    const p = roomProblem(r);
    if (p) return p;
  }
  for (const e of w.leaderboard as unknown[]) {
    if (!Array.isArray(e) || e.length !== 2 || !isStr(e[0]) || typeof e[1] !== 'number') return 'leaderboard entry is not [name, score]';
  }
  for (const m of Object.values(w.kv)) if (!isObj(m)) return 'kv namespace is not an object';
  return null;
}
