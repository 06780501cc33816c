// Start step (--store redis only; after the state is loaded, before listening): the gate that
// decides where each player's hello goes when many hosts share one world (gate/gate.ts). It
// claims the rooms this host still runs, offers their free quick-join seats to other hosts, and
// from here on hears every room change from the directory. With the file store it does nothing.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { parseStore } from '../../config/store-url.js';
import type { Directory } from '../directory/directory.js';
import { notYetAdopting, type Adopter } from '../cluster/adopt.js';
import { Claims } from '../cluster/claims.js';
import { Gate } from '../gate/gate.js';
import { advertiseOf } from '../cluster/host-address.js';
import { OpenIndex } from '../cluster/open-index.js';
import { Ownership } from '../cluster/ownership.js';
import { connectRedis, openRedis } from '../redis/connect.js';
import { RemoteSessions } from '../gate/remote-sessions.js';

/**
 * The gate's parts on one Redis connection, hearing the directory's room changes; the rooms the
 * directory holds are claimed and offered to quick-join again (their host restarted).
 */
export async function assembleGate(redis: Redis, dir: Directory, hostId: string, adopter: Adopter, log: Logger): Promise<{ gate: Gate; claims: Claims; index: OpenIndex }> {
  const claims = new Claims(new Ownership(redis, hostId), log);
  const index = new OpenIndex(redis, hostId, (id) => dir.placement.quickFree(id), log);
  dir.watchRooms({
    changed: (id) => index.changed(id),
    gone: (id) => {
      index.changed(id);
      claims.release(id);
    },
  });
  const rooms = [...dir.ix.rooms.keys()];
  const taken = await claims.claimAll(rooms);
  if (taken.length > 0) log.warn({ rooms: taken }, 'rooms this host ran are run by another host now');
  await index.restart(rooms.filter((id) => claims.has(id)));
  const gate = new Gate({ dir, claims, index, sessions: new RemoteSessions(redis), adopter, advertiseOf: (h) => advertiseOf(redis, h), log });
  return { gate, claims, index };
}

export interface OpenedGate {
  gate: Gate;
  close(): Promise<void>;
}

export async function openGate(config: Config, dir: Directory, log: Logger): Promise<OpenedGate | undefined> {
  const where = parseStore(config.store);
  if (where.kind !== 'redis') return undefined;
  const redis = openRedis(where, { timeoutMs: config.redisTimeoutMs, name: `${config.hostId} gate`, log });
  await connectRedis(redis, where);
  const { gate, claims, index } = await assembleGate(redis, dir, config.hostId, notYetAdopting, log);
  log.info({ host: config.hostId, advertise: config.advertise, rooms: claims.size }, 'gate open: hellos routed across hosts');
  return {
    gate,
    async close() {
      await index.flush().catch(() => {});
      index.close();
      redis.disconnect();
    },
  };
}
