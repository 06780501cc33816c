// A resume at a host that does not hold the session: the token may be another host's player.
// The store lane keeps every session in Redis (`shoal:token` tokenHash -> id, `shoal:session`
// id -> JSON SessionRecord); the gate needs only the session's room, to send the player to the
// host running it (or to take that room over when its host is dead). One round trip (Lua).
import type { Redis } from 'ioredis';
import { hashToken } from '../store/token-hash.js';
import { KEYS } from '../cluster/keys.js';

// KEYS[1] token hash, KEYS[2] session hash; ARGV[1] the token's hash -> the session's JSON or nil.
const BY_TOKEN = `
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return false end
return redis.call('HGET', KEYS[2], id)
`;

export class RemoteSessions {
  constructor(private readonly redis: Redis) {}

  /** The id and room of the live session `token` resumes, wherever it plays; undefined when no host knows it. */
  async byToken(token: string): Promise<{ id: string; room: string } | undefined> {
    const raw = (await this.redis.eval(BY_TOKEN, 2, KEYS.token, KEYS.session, hashToken(token))) as string | null;
    if (!raw) return undefined;
    try {
      const s = JSON.parse(raw) as { id?: unknown; room?: unknown };
      return typeof s.id === 'string' && typeof s.room === 'string' ? { id: s.id, room: s.room } : undefined;
    } catch {
      return undefined;
    }
  }
}
