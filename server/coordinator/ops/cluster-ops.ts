// Coordinator ops for the hosts of one world (bus lane): the live hosts for `hosts` and `status`,
// and the console's kick, ban and unban asked of every other host over the bus. With the file
// store this host is the whole world: `cluster.hosts` is its own row and nobody else is asked.
import type { ClusterView, HostReplies } from '../../ipc/bus.js';
import type { HandlersOf, OpContext } from './context.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

type ClusterOp = 'cluster.hosts' | 'bus.kick' | 'bus.ban' | 'bus.unban' | 'bus.answer';

const nobody = <R>(): HostReplies<R> => ({ asked: 0, replies: [] });

export function clusterOps(ctx: OpContext): HandlersOf<ClusterOp> {
  const { config, dir } = ctx;
  const started = Date.now() - Math.round(process.uptime() * 1000);
  const alone = (): ClusterView => {
    const rooms = dir.rooms();
    const address = config.advertise || `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    const now = Date.now();
    return {
      store: 'file',
      self: config.hostId || address,
      hosts: [{ id: config.hostId || address, advertise: address, players: rooms.reduce((n, r) => n + r.players, 0), rooms: rooms.length, at: now, started, ageMs: 0, self: true }],
    };
  };
  return {
    'cluster.hosts': async () => {
      const c = ctx.cluster;
      if (!c) return alone();
      try {
        return { store: 'redis', self: c.hosts.id, hosts: await c.hosts.live() };
      } catch (err) {
        throw new CodedError('UNAVAILABLE', `the live hosts cannot be read: redis unreachable (${(err as Error).message})`);
      }
    },
    'bus.kick': (a) => ctx.cluster?.bus.ask('kick', { id: a.id }) ?? nobody(),
    'bus.ban': (a) => ctx.cluster?.bus.ask('ban', { entry: a.entry }) ?? nobody(),
    'bus.unban': (a) => ctx.cluster?.bus.ask('unban', { address: a.address }) ?? nobody(),
    'bus.answer': (a) => {
      ctx.cluster?.answered(a.req, a.answer);
    },
  };
}
