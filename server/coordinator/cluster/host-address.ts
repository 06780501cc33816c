// Where to send a player whose room another host runs: that host's --advertise, read from its
// heartbeat (`shoal:host:<id>`, JSON {id, advertise, players, rooms, at}). No heartbeat, no
// address: the host is dead, and its rooms are for a claim to take over (ownership.ts).
import type { Redis } from 'ioredis';
import { KEYS } from '../redis/keys.js';

/** The advertised HOST:PORT in a heartbeat's JSON, or undefined when it is missing or unreadable. */
export function advertiseIn(heartbeat: string | null | undefined): string | undefined {
  if (!heartbeat) return undefined;
  try {
    const hb = JSON.parse(heartbeat) as { advertise?: unknown };
    return typeof hb.advertise === 'string' && hb.advertise !== '' ? hb.advertise : undefined;
  } catch {
    return undefined;
  }
}

/** The advertised address of live host `host`; undefined when its heartbeat is gone. */
export async function advertiseOf(redis: Redis, host: string): Promise<string | undefined> {
  return advertiseIn(await redis.get(KEYS.host(host)));
}
