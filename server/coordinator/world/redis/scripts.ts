// The world's atomic steps in Redis, as Lua scripts (each runs alone in Redis, so a check and the
// write it guards cannot be split by another host). Every deadline is read from Redis's own clock
// (TIME), so hosts whose clocks disagree still agree on when a lease or a visibility timeout ends.
// Registered on a connection with defineCommand (EVALSHA, loaded again by ioredis if Redis lost it).
import type { Redis } from 'ioredis';

const NOW = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

// A fenced write passes only while the lock's lease with that token is live.
const FENCE = `
local function fenced(lease, token, now)
  if token == '' then return false end
  local s = redis.call('ZSCORE', lease, token)
  return (not s) or tonumber(s) <= now
end
`;

// A number as msgpackr writes it (whole numbers that fit 32 bits as integers, others as float 64),
// so the coordinator reads back what it would have written itself.
const PACK_NUM = `
local function pack_num(x)
  if x == math.floor(x) and x >= -2147483648 and x <= 4294967295 then return cmsgpack.pack(x) end
  return string.char(0xcb) .. struct.pack('>d', x)
end
`;

// Drops the leases past their deadline (counted as expiries); keeps the keys only while a lease
// lives (plus a minute, so an expiry is still counted by the next caller).
const LEASES = `
local function purge(lease, owner, stats, kind, now)
  local gone = redis.call('ZRANGEBYSCORE', lease, '-inf', now)
  if #gone == 0 then return 0 end
  redis.call('ZREMRANGEBYSCORE', lease, '-inf', now)
  redis.call('HDEL', owner, unpack(gone))
  redis.call('HINCRBY', stats, kind .. '.expiries', #gone)
  return #gone
end
local function keep(lease, owner)
  local last = redis.call('ZRANGE', lease, -1, -1, 'WITHSCORES')
  if last[2] then
    redis.call('PEXPIREAT', lease, tonumber(last[2]) + 60000)
    redis.call('PEXPIREAT', owner, tonumber(last[2]) + 60000)
  else
    redis.call('DEL', lease, owner)
  end
end
`;

/** KEYS: val, fence lease (or val). ARGV: fence token or '', value ('' deletes), change channel. */
const SET = `${NOW}${FENCE}
local now = now_ms()
if fenced(KEYS[2], ARGV[1], now) then return redis.error_reply('FENCED the lock moved on') end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
`;

/** KEYS: val, fence lease. ARGV: fence token, by, change channel. Answers the new value packed. */
const INCR = `${NOW}${FENCE}${PACK_NUM}
local now = now_ms()
if fenced(KEYS[2], ARGV[1], now) then return redis.error_reply('FENCED the lock moved on') end
local cur = redis.call('GET', KEYS[1])
local n = 0
if cur then
  local ok, v = pcall(cmsgpack.unpack, cur)
  if not ok or type(v) ~= 'number' then return redis.error_reply('NOT_A_NUMBER not a number') end
  n = v
end
local b = pack_num(n + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], b)
redis.call('PUBLISH', ARGV[3], b)
return b
`;

/**
 * KEYS: val, fence lease. ARGV: fence token, expected ('' absent), next ('' deletes), channel.
 * Values are packed canonically (keys sorted), so equal plain data is equal bytes; numbers are also
 * compared as numbers (an incr's float may be packed otherwise than the caller's).
 */
const CAS = `${NOW}${FENCE}
local now = now_ms()
if fenced(KEYS[2], ARGV[1], now) then return redis.error_reply('FENCED the lock moved on') end
local cur = redis.call('GET', KEYS[1]) or ''
local eq = cur == ARGV[2]
if not eq and cur ~= '' and ARGV[2] ~= '' then
  local ok1, a = pcall(cmsgpack.unpack, cur)
  local ok2, b = pcall(cmsgpack.unpack, ARGV[2])
  eq = ok1 and ok2 and type(a) == 'number' and type(b) == 'number' and a == b
end
if not eq then return 0 end
if ARGV[3] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[3]) end
redis.call('PUBLISH', ARGV[4], ARGV[3])
return 1
`;

/**
 * KEYS: lease, owner, fence, line, live, leases index, stats, line seq.
 * ARGV: permits, ttlMs, owner, waiter id ('' = only try), waiter liveMs, lease id, kind.
 * Grants when a permit is free and nobody waits ahead (a waiter: its place in line is within the
 * free permits). Otherwise a waiter takes (or keeps) its place in line. Answers {1, token} or
 * {0, ms until the first lease ends (-1: none)}.
 */
const ACQUIRE = `${NOW}${LEASES}
local now = now_ms()
purge(KEYS[1], KEYS[2], KEYS[7], ARGV[7], now)
local dead = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now)
if #dead > 0 then
  redis.call('ZREM', KEYS[4], unpack(dead))
  redis.call('ZREM', KEYS[5], unpack(dead))
end
local free = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1])
local w = ARGV[4]
local rank = false
if w ~= '' then rank = redis.call('ZRANK', KEYS[4], w) end
local grant
if rank then grant = rank < free else grant = free > 0 and redis.call('ZCARD', KEYS[4]) == 0 end
if grant then
  if rank then
    redis.call('ZREM', KEYS[4], w)
    redis.call('ZREM', KEYS[5], w)
  end
  local token = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), token)
  redis.call('HSET', KEYS[2], token, ARGV[3])
  keep(KEYS[1], KEYS[2])
  redis.call('HINCRBY', KEYS[7], ARGV[7] .. '.grants', 1)
  redis.call('SADD', KEYS[6], ARGV[6])
  return {1, token}
end
if w ~= '' then
  -- A place is renewed only once half its life is gone: a busy retry writes nothing (with
  -- appendfsync always, a script that writes nothing costs no fsync).
  local live = tonumber(ARGV[5])
  local till = redis.call('ZSCORE', KEYS[5], w)
  if not rank or not till or tonumber(till) < now + live / 2 then
    if not rank then redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[8]), w) end
    redis.call('ZADD', KEYS[5], now + live, w)
    -- The line's keys go when no waiter renews a place; one host's shorter places never cut
    -- another's longer ones short.
    for i = 4, 5 do
      if redis.call('PTTL', KEYS[i]) < live then redis.call('PEXPIRE', KEYS[i], live) end
    end
    redis.call('SADD', KEYS[6], ARGV[6])
  end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then return {0, tonumber(first[2]) - now} end
return {0, -1}
`;

/** KEYS: lease, owner, stats. ARGV: token, kind, wake channel. 1 when that lease was live. */
const RELEASE = `${NOW}${LEASES}
local now = now_ms()
local expired = purge(KEYS[1], KEYS[2], KEYS[3], ARGV[2], now)
local live = redis.call('ZREM', KEYS[1], ARGV[1])
if live == 1 then redis.call('HDEL', KEYS[2], ARGV[1]) end
if live == 1 or expired > 0 then
  keep(KEYS[1], KEYS[2])
  redis.call('PUBLISH', ARGV[3], '')
end
return live
`;

/** KEYS: lease, owner, stats. ARGV: token, kind, ttlMs. 1 when that lease was live (now renewed). */
const EXTEND = `${NOW}${LEASES}
local now = now_ms()
purge(KEYS[1], KEYS[2], KEYS[3], ARGV[2], now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), ARGV[1])
keep(KEYS[1], KEYS[2])
return 1
`;

/** KEYS: lease, owner. Answers {token, owner, ms left, ...} of the live leases. */
const HOLDERS = `${NOW}
local now = now_ms()
local l = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
local out = {}
for i = 1, #l, 2 do
  out[#out + 1] = tonumber(l[i])
  out[#out + 1] = redis.call('HGET', KEYS[2], l[i]) or ''
  out[#out + 1] = tonumber(l[i + 1]) - now
end
return out
`;

/** KEYS: line, live. ARGV: waiter, wake channel. A waiter that gave up leaves the line. */
const LEAVE = `
local n = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if n == 1 then redis.call('PUBLISH', ARGV[2], '') end
return n
`;

// Items whose visibility ran out go back to the front of the line, earliest deadline first.
const REQUEUE = `
local function requeue(ready, inflight, stats, now)
  local back = redis.call('ZRANGEBYSCORE', inflight, '-inf', now)
  if #back == 0 then return end
  redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
  for i = #back, 1, -1 do redis.call('LPUSH', ready, back[i]) end
  redis.call('HINCRBY', stats, 'q.redeliveries', #back)
end
`;

/** KEYS: seq, items, ready, queues. ARGV: item, queue name, wake channel. Answers the id. */
const PUSH = `
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], id, ARGV[1])
redis.call('RPUSH', KEYS[3], id)
redis.call('SADD', KEYS[4], ARGV[2])
redis.call('PUBLISH', ARGV[3], '')
return id
`;

/**
 * KEYS: items, ready, inflight, attempts, stats. ARGV: visibilityMs.
 * Answers {1, id, attempt, item} or {0, ms until the first item out comes back (-1: none)}.
 */
const POP = `${NOW}${REQUEUE}
local now = now_ms()
requeue(KEYS[2], KEYS[3], KEYS[5], now)
local id = redis.call('LPOP', KEYS[2])
while id and redis.call('HEXISTS', KEYS[1], id) == 0 do id = redis.call('LPOP', KEYS[2]) end
if not id then
  local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if first[2] then return {0, tonumber(first[2]) - now} end
  return {0, -1}
end
local attempt = redis.call('HINCRBY', KEYS[4], id, 1)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), id)
return {1, tonumber(id), attempt, redis.call('HGET', KEYS[1], id)}
`;

/** KEYS: items, ready, inflight, attempts. ARGV: id. 1 when it was there (now gone for good). */
const ACK = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 then redis.call('LREM', KEYS[2], 1, ARGV[1]) end
redis.call('HDEL', KEYS[4], ARGV[1])
return 1
`;

/** KEYS: ready, inflight, stats. Answers {ready, inflight} (items past their visibility count as ready). */
const LENGTH = `${NOW}${REQUEUE}
requeue(KEYS[1], KEYS[2], KEYS[3], now_ms())
return {redis.call('LLEN', KEYS[1]), redis.call('ZCARD', KEYS[2])}
`;

/**
 * KEYS: leases index, queues index, stats. ARGV: the key prefixes of lease, line, queue ready,
 * queue inflight. World-wide counts for world.stats (the console's, not a hot path): it walks
 * every name, so it builds those keys here from the prefixes keys.ts gives.
 * Answers {lock names, held, waiting, sem names, held, waiting, queues, ready, inflight}.
 */
const STATS = `${NOW}
local now = now_ms()
local c = {lock = {0, 0, 0}, sem = {0, 0, 0}}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local held = redis.call('ZCOUNT', ARGV[1] .. id, '(' .. now, '+inf')
  local waiting = redis.call('ZCARD', ARGV[2] .. id)
  local kind = string.match(id, '^(%a+):')
  if held + waiting == 0 then
    redis.call('SREM', KEYS[1], id)
  elseif c[kind] then
    c[kind][1] = c[kind][1] + 1
    c[kind][2] = c[kind][2] + held
    c[kind][3] = c[kind][3] + waiting
  end
end
local qs = redis.call('SMEMBERS', KEYS[2])
local ready, inflight = 0, 0
for _, q in ipairs(qs) do
  local back = redis.call('ZCOUNT', ARGV[4] .. q, '-inf', now)
  ready = ready + redis.call('LLEN', ARGV[3] .. q) + back
  inflight = inflight + redis.call('ZCARD', ARGV[4] .. q) - back
end
return {c.lock[1], c.lock[2], c.lock[3], c.sem[1], c.sem[2], c.sem[3], #qs, ready, inflight}
`;

type Arg = string | number | Buffer;
type Reply<T> = (...args: Arg[]) => Promise<T>;

/** The scripts as commands on a connection (their Buffer forms, for packed values). */
export interface WorldScripts {
  wSet: Reply<number>;
  wIncrBuffer: Reply<Buffer>;
  wCas: Reply<number>;
  wAcquire: Reply<[number, number]>;
  wRelease: Reply<number>;
  wExtend: Reply<number>;
  wHoldersBuffer: Reply<Array<number | Buffer>>;
  wLeave: Reply<number>;
  wPush: Reply<number>;
  wPopBuffer: Reply<[number, number, number?, Buffer?]>;
  wAck: Reply<number>;
  wLength: Reply<[number, number]>;
  wStats: Reply<number[]>;
}

const SCRIPTS: Array<[string, number, string]> = [
  ['wSet', 2, SET],
  ['wIncr', 2, INCR],
  ['wCas', 2, CAS],
  ['wAcquire', 8, ACQUIRE],
  ['wRelease', 3, RELEASE],
  ['wExtend', 3, EXTEND],
  ['wHolders', 2, HOLDERS],
  ['wLeave', 2, LEAVE],
  ['wPush', 4, PUSH],
  ['wPop', 5, POP],
  ['wAck', 4, ACK],
  ['wLength', 3, LENGTH],
  ['wStats', 3, STATS],
];

export function defineWorldScripts(r: Redis): Redis & WorldScripts {
  for (const [name, numberOfKeys, lua] of SCRIPTS) r.defineCommand(name, { numberOfKeys, lua });
  return r as Redis & WorldScripts;
}
