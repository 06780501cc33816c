// Reading rooms back as Redis holds them (--store redis): each room's record, its last snapshot and
// the sessions seated in it, in two round trips however many rooms. A host loads its own rooms so
// at start (redis-store.ts), and a host taking over a dead host's room reads it so
// (failover/redis-adopter.ts).
import type { Redis } from 'ioredis';
import { unpack } from 'msgpackr';
import { KEYS } from '../redis/keys.js';
import type { RoomRecord, SessionRecord } from './types.js';

export interface RoomInRedis {
  id: string;
  /** Its record with the host that wrote it last; null when no record was ever written (its host died first). */
  record: (RoomRecord & { host?: string }) | null;
  /** Its last snapshot, unpacked; undefined when none was written. */
  snapshot: unknown;
  /** The sessions seated in it whose records still name it. */
  sessions: SessionRecord[];
}

export async function readRoomsFromRedis(redis: Redis, ids: readonly string[]): Promise<RoomInRedis[]> {
  if (!ids.length) return [];
  const p = redis.pipeline();
  p.hmget(KEYS.room, ...ids);
  p.hmgetBuffer(KEYS.snapshot, ...ids);
  for (const id of ids) p.smembers(KEYS.roomSessions(id));
  const res = resultsOf(await p.exec());
  const recs = res[0] as Array<string | null>;
  const snaps = res[1] as Array<Buffer | null>;
  const seated = ids.map((_, i) => res[2 + i] as string[]);
  const byId = new Map<string, SessionRecord>();
  const seatIds = seated.flat();
  if (seatIds.length) {
    for (const json of await redis.hmget(KEYS.session, ...seatIds)) {
      if (!json) continue;
      const s = JSON.parse(json) as SessionRecord;
      byId.set(s.id, s);
    }
  }
  return ids.map((id, i) => {
    const json = recs[i];
    const snap = snaps[i];
    const sessions: SessionRecord[] = [];
    for (const sid of seated[i]!) {
      const s = byId.get(sid);
      if (s && s.room === id) sessions.push(s);
    }
    return {
      id,
      record: json ? (JSON.parse(json) as RoomRecord & { host?: string }) : null,
      snapshot: snap ? (unpack(snap) as unknown) : undefined,
      sessions,
    };
  });
}

/** A pipeline's results, or its first error thrown. */
function resultsOf(res: Array<[Error | null, unknown]> | null): unknown[] {
  if (!res) throw new Error('redis pipeline aborted');
  return res.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}
