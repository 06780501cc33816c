// `hosts`: the hosts of this world (bus lane). With --store redis, every host whose heartbeat has
// not expired, as its heartbeat says (players, rooms) and how old that heartbeat is; with the file
// store, this host alone.
import type { Command, ConsoleContext } from '../context.js';
import type { ClusterView } from '../../ipc/bus.js';
import { parseArgs } from './args.js';

export const hosts: Command = {
  name: 'hosts',
  usage: 'hosts',
  summary: 'live hosts of this world: advertised address, players, rooms, heartbeat age (the file store: this host)',
  details: 'A host is live while its heartbeat key in Redis exists (renewed every --host-ttl-ms / 3, expiring after --host-ttl-ms).',
  async run(ctx, args) {
    parseArgs('hosts', this.usage, args, { min: 0, max: 0 });
    const view = await clusterView(ctx);
    return view.hosts.map((h) => ({
      host: h.id, advertise: h.advertise, players: h.players, rooms: h.rooms, heartbeatAgeMs: h.ageMs,
      upS: Math.max(0, Math.round((Date.now() - h.started) / 1000)), self: h.self,
    }));
  },
};

export function clusterView(ctx: ConsoleContext): Promise<ClusterView> {
  return ctx.host.request('cluster.hosts', {}, 3000);
}

/** For `status` with --store redis: the whole world's totals, from every live host's heartbeat. */
export async function clusterTotals(ctx: ConsoleContext): Promise<Record<string, unknown>> {
  try {
    const v = await clusterView(ctx);
    return {
      store: v.store, self: v.self, hosts: v.hosts.length,
      players: v.hosts.reduce((n, h) => n + h.players, 0), rooms: v.hosts.reduce((n, h) => n + h.rooms, 0),
    };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? (err as Error).message };
  }
}
