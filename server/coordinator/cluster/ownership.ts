// Who runs a room, when many hosts share one world: `shoal:owner:<room>` holds {host, epoch}, the
// one authority. A host takes a room only through claim(), one Lua script, so two hosts never both
// believe they run it: a room whose owner is live stays with it; a room with no owner, or whose
// owner's heartbeat is gone (the host died), goes to the claimant with a new epoch. Epochs come
// from one counter, so they only grow: a write carrying an older epoch is from a host that lost
// the room (fencing), and verify() tells a host which of its rooms are no longer its own.
import type { Redis } from 'ioredis';
import { KEYS } from '../redis/keys.js';

/** Where a room lives, as seen from this host. */
export type RoomPlace =
  | { at: 'here'; epoch: number }
  /** a live other host runs it */
  | { at: 'elsewhere'; host: string; epoch: number }
  /** its owner's heartbeat is gone: a claim takes it */
  | { at: 'orphan'; host: string; epoch: number }
  /** no host runs it */
  | { at: 'nowhere' };

/** What a claim did: the room is now this host's (`from`: the dead or absent owner it came from), or a live host has it. */
export type ClaimResult =
  | { at: 'here'; epoch: number; from?: string }
  | { at: 'elsewhere'; host: string; epoch: number };

// KEYS[1] owner key; ARGV[1] this host; ARGV[2] heartbeat key prefix.
// -> {place, host, epoch}; place is here | elsewhere | orphan | nowhere.
const LOCATE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return {'nowhere', '', 0} end
local o = cjson.decode(cur)
if o.host == ARGV[1] then return {'here', o.host, o.epoch} end
if redis.call('EXISTS', ARGV[2] .. o.host) == 1 then return {'elsewhere', o.host, o.epoch} end
return {'orphan', o.host, o.epoch}
`;

// KEYS[1] owner key, KEYS[2] epoch counter; ARGV[1] this host; ARGV[2] heartbeat key prefix.
// -> {result, host, epoch}; result is here (already ours), taken (now ours; host: the previous
// owner or ''), elsewhere (a live host has it).
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
local prev = ''
if cur then
  local o = cjson.decode(cur)
  if o.host == ARGV[1] then return {'here', o.host, o.epoch} end
  if redis.call('EXISTS', ARGV[2] .. o.host) == 1 then return {'elsewhere', o.host, o.epoch} end
  prev = o.host
end
local e = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], cjson.encode({host = ARGV[1], epoch = e}))
return {'taken', prev, e}
`;

// KEYS[1] owner key; ARGV[1] this host; ARGV[2] epoch. Deletes only this host's own claim of that epoch.
const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local o = cjson.decode(cur)
if o.host ~= ARGV[1] or tostring(o.epoch) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

type Reply = [string, string, number];

export class Ownership {
  private readonly hostPrefix = KEYS.host('');

  constructor(private readonly redis: Redis, readonly hostId: string) {}

  async locate(room: string): Promise<RoomPlace> {
    const [place, host, epoch] = (await this.redis.eval(LOCATE, 1, KEYS.owner(room), this.hostId, this.hostPrefix)) as Reply;
    if (place === 'here') return { at: 'here', epoch };
    if (place === 'elsewhere') return { at: 'elsewhere', host, epoch };
    if (place === 'orphan') return { at: 'orphan', host, epoch };
    return { at: 'nowhere' };
  }

  async claim(room: string): Promise<ClaimResult> {
    const [r, host, epoch] = (await this.redis.eval(CLAIM, 2, KEYS.owner(room), KEYS.epoch, this.hostId, this.hostPrefix)) as Reply;
    if (r === 'elsewhere') return { at: 'elsewhere', host, epoch };
    return r === 'taken' && host !== '' ? { at: 'here', epoch, from: host } : { at: 'here', epoch };
  }

  /** Gives a room up (it ended here); a no-op if another host has claimed it since. */
  async release(room: string, epoch: number): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, KEYS.owner(room), this.hostId, String(epoch))) === 1;
  }

  /** Of `rooms` (with the epochs this host claimed them at), those another host has taken since. */
  async lost(rooms: ReadonlyArray<readonly [string, number]>): Promise<string[]> {
    if (rooms.length === 0) return [];
    const owners = await this.redis.mget(rooms.map(([id]) => KEYS.owner(id)));
    const out: string[] = [];
    rooms.forEach(([id, epoch], i) => {
      const raw = owners[i];
      if (raw == null) return;
      const o = JSON.parse(raw) as { host: string; epoch: number };
      if (o.host !== this.hostId || o.epoch !== epoch) out.push(id);
    });
    return out;
  }
}
