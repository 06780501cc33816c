// The last guard of "two hosts never run one room": a write that carries a room's state to Redis
// (its snapshot, its players' scores) is applied only while the writing host still owns the room
// (`shoal:owner:<room>` names it); the Redis store (redis-store.ts) writes both through these scripts. Fencing (failover/fencing.ts) stops a host that lost a room within ttl/3,
// and a host cut off from Redis before anyone can claim its rooms; these checks cover what is
// already on its way when the owner changes (a host paused, say, with a MULTI in flight). Each is
// one Lua script, so the compare and the write are one step (no WATCH). A room nobody has claimed
// (no owner key) is written: no other host runs it.
//
// Why the host and not the epoch: one coordinator writes for one host id, and it forgets a room as
// soon as it sees the room owned at another epoch (fencing.ts), so "owned by this host" is "owned
// by this host's current claim" — comparing the epoch too would only guard against two
// coordinators started with the same --host-id, which is a misconfiguration.
import { KEYS } from '../redis/keys.js';

/**
 * The owner check, as a Lua fragment: `ok` is true when the owner key `okey` is absent or names
 * host `me`. For a script that writes for a room (the store's score script builds `okey` from the
 * session record's room: `ARGV[n] .. s.room` with ARGV[n] = OWNER_PREFIX).
 */
export const OWNER_CHECK_LUA = `
local function owned(okey, me)
  local o = redis.call('GET', okey)
  if not o then return true end
  local ok, d = pcall(cjson.decode, o)
  return ok and type(d) == 'table' and d.host == me
end`;

/** The owner key of a room without the room: a script appends the room id. */
export const OWNER_PREFIX = KEYS.owner('');

/**
 * A room's snapshot, written only while this host owns the room.
 * KEYS: snapshot hash, owner key of the room. ARGV: room id, this host, the MessagePack bytes.
 * Returns 1 written, 0 refused (another host owns the room).
 */
export const FENCED_SNAPSHOT = `${OWNER_CHECK_LUA}
if not owned(KEYS[2], ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

/**
 * A player's score (absolute, only grows), written only while this host owns the player's room:
 * the store's score script with the owner check in front. KEYS: session hash, leaderboard ZSET.
 * ARGV: session id, score, OWNER_PREFIX, this host. Returns 1 written, 0 not (no such session,
 * not higher, or another host owns its room: -1).
 */
export const FENCED_SCORE = `${OWNER_CHECK_LUA}
local j = redis.call('HGET', KEYS[1], ARGV[1])
if not j then return 0 end
local s = cjson.decode(j)
if type(s.room) == 'string' and not owned(ARGV[3] .. s.room, ARGV[4]) then return -1 end
local n = tonumber(ARGV[2])
local old = tonumber(s.score) or 0
if n <= old then return 0 end
local key = s.name
if type(s.account) == 'string' then key = '\\001' .. s.account end
redis.call('ZINCRBY', KEYS[2], n - old, key)
s.score = n
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(s))
return 1`;
