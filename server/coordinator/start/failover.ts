// Start step after the load, before listening (failover lane, --store redis only): this host's
// part in failover, once its heartbeat runs (cluster/hosts.ts, started by join-cluster.ts): the
// rooms it loaded are checked against their owners once before it serves (a room
// another host took over while this one was down is not run here), then every ttl/3 (failover/fencing.ts);
// the adopter (failover/redis-adopter.ts) is what the join path calls for a room claimed from a dead host.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { parseStore } from '../../config/store-url.js';
import { connectRedis, openRedis } from '../redis/connect.js';
import { installAdopter, type Adopter } from '../cluster/adopt.js';
import { RedisAdopter } from '../failover/redis-adopter.js';
import { Fencing } from '../failover/fencing.js';
import type { OpContext } from '../ops/context.js';

export interface Failover {
  adopter: Adopter;
  fencing: Fencing;
  stop(): void;
}

export async function startFailover(ctx: OpContext, config: Config, log: Logger): Promise<Failover | undefined> {
  const where = parseStore(config.store);
  if (where.kind !== 'redis') return undefined;
  const { dir, workers, cluster } = ctx;
  if (!cluster) throw new Error('failover starts after join-cluster (it fences on the heartbeat)');
  const redis = openRedis(where, { timeoutMs: config.redisTimeoutMs, name: `${config.hostId} failover`, log });
  await connectRedis(redis, where);
  const fencing = new Fencing(redis, dir, {
    hostId: config.hostId,
    ttlMs: config.hostTtlMs,
    drop: (ids) => {
      if (ids.length === 0) return;
      for (const ch of workers.values()) ch.push('rooms.drop', { ids });
    },
    log,
  });
  fencing.start(cluster.hosts);
  await fencing.check();
  const adopter = new RedisAdopter(redis, dir, { hostId: config.hostId, roomCapacity: config.roomCapacity, holds: (room, epoch) => fencing.holds(room, epoch), log });
  installAdopter(adopter);
  return {
    adopter,
    fencing,
    stop() {
      fencing.stop();
      redis.disconnect();
    },
  };
}
