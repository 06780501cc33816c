// Start step after the load, before listening (bus lane): with --store redis, join the hosts of one world — heartbeat, the bus
// to the other hosts — once the state is loaded (the heartbeat tells this host's players and
// rooms). With the file store this host is the whole world: nothing is opened.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { parseStore } from '../../config/store-url.js';
import type { OpContext } from '../ops/context.js';
import { Cluster } from '../cluster/cluster.js';
import { clusterHosts } from '../cluster/cluster-metrics.js';

export async function joinCluster(ctx: OpContext, config: Config, log: Logger): Promise<Cluster | undefined> {
  const store = parseStore(config.store);
  if (store.kind !== 'redis') {
    clusterHosts.set(1);
    return undefined;
  }
  const { dir, workers, channels } = ctx;
  return Cluster.open(store, config, log, {
    counts: () => {
      const rooms = dir.rooms();
      return { rooms: rooms.length, players: rooms.reduce((n, r) => n + r.players, 0) };
    },
    deliverChat: (lines) => {
      for (const line of lines) {
        const msg = { t: 'chat' as const, ...line };
        for (const ch of workers.values()) ch.push('chat', msg);
      }
    },
    primary: () => [...channels].find((c) => c.peer.role === 'primary' && !c.closed),
  });
}
