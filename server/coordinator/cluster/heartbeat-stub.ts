// STUB, to be dropped at merge for the bus lane's hosts.ts: this host's heartbeat
// (`shoal:host:<id>`, JSON {id, advertise, players, rooms, at}, PX --host-ttl-ms, renewed every
// third of it) and its line in `shoal:hosts`, so other hosts find it live and know where to
// send its players while the bus lane's branch is not on main.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { KEYS } from './keys.js';

export interface HeartbeatStub {
  stop(): void;
}

export async function startHeartbeatStub(
  redis: Redis,
  me: { id: string; advertise: string; ttlMs: number },
  counts: () => { players: number; rooms: number },
  log: Logger,
): Promise<HeartbeatStub> {
  const beat = () =>
    redis
      .multi()
      .set(KEYS.host(me.id), JSON.stringify({ id: me.id, advertise: me.advertise, ...counts(), at: Date.now() }), 'PX', me.ttlMs)
      .sadd(KEYS.hosts, me.id)
      .exec();
  await beat();
  let warned = false;
  const timer = setInterval(() => {
    beat().then(
      () => (warned = false),
      (err: Error) => {
        if (!warned) log.warn({ err: err.message }, 'heartbeat not written');
        warned = true;
      },
    );
  }, Math.max(100, Math.floor(me.ttlMs / 3)));
  return { stop: () => clearInterval(timer) };
}
