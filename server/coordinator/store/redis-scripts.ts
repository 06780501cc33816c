// The store's read-modify-write steps on Redis, each one Lua script so it is atomic however many
// hosts write at once (no WATCH loops). They read the JSON records with cjson, so the records stay
// plain JSON for redis-cli and for the other lanes. Loaded with SCRIPT LOAD on every (re)connect
// (a restarted Redis forgets them) and called by EVALSHA inside the store's MULTI.
//
// A key built inside a script (shoal:roomSessions:<room of the record>) is not declared in KEYS:
// fine on one Redis; a Redis Cluster would need the record's room passed in (docs/SCALING.md).
import { FENCED_SCORE, FENCED_SNAPSHOT } from './fenced-writes.js';

/**
 * A new session. KEYS: session, token, roomSessions:<room>, lb, sessionDue.
 * ARGV: id, JSON record, token hash, leaderboard key, score, due (ms).
 * Idempotent: a session already there is left as it is (a retried batch adds nothing twice).
 */
const SESSION_PUT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1])
local score = tonumber(ARGV[5])
if score > 0 then redis.call('ZINCRBY', KEYS[4], score, ARGV[4]) end
return 1`;

/**
 * A session ends: its record, its token, its seat and its due time go. KEYS: session, token,
 * sessionDue. ARGV: id, the roomSessions key prefix.
 */
const SESSION_END = `
local j = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if not j then return 0 end
local s = cjson.decode(j)
redis.call('HDEL', KEYS[1], ARGV[1])
if type(s.tokenHash) == 'string' then redis.call('HDEL', KEYS[2], s.tokenHash) end
if type(s.room) == 'string' then redis.call('SREM', ARGV[2] .. s.room, ARGV[1]) end
return 1`;

/**
 * A room is gone, if this host still wrote it last (another host that took it over keeps it).
 * KEYS: room, snapshot, roomSessions:<id>, hostRooms:<me>. ARGV: id, my host id.
 */
const ROOM_GONE = `
redis.call('SREM', KEYS[4], ARGV[1])
local j = redis.call('HGET', KEYS[1], ARGV[1])
if j and cjson.decode(j).host ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return 1`;

/**
 * Sessions nobody refreshed (their host died and no other took them over) are forgotten: up to
 * ARGV[2] whose due time (ms) is before ARGV[1]. KEYS: sessionDue, session, token.
 * ARGV: now, limit, the roomSessions key prefix. Returns how many went.
 */
const EXPIRE_SESSIONS = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local j = redis.call('HGET', KEYS[2], id)
  if j then
    local s = cjson.decode(j)
    redis.call('HDEL', KEYS[2], id)
    if type(s.tokenHash) == 'string' then redis.call('HDEL', KEYS[3], s.tokenHash) end
    if type(s.room) == 'string' then redis.call('SREM', ARGV[3] .. s.room, id) end
  end
end
return #ids`;

export const SCRIPTS = {
  sessionPut: SESSION_PUT,
  sessionEnd: SESSION_END,
  // A player's score, only while this host owns the player's room (fenced-writes.ts): the
  // leaderboard gains the difference to the score the record holds (a resend adds nothing).
  // KEYS: session, lb. ARGV: id, score, owner key prefix, this host.
  score: FENCED_SCORE,
  // A room's snapshot, only while this host owns the room. KEYS: snapshot, owner key. ARGV: room, this host, bytes.
  snapshot: FENCED_SNAPSHOT,
  roomGone: ROOM_GONE,
  expireSessions: EXPIRE_SESSIONS,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
