// Commands that steer the running server: drain, restart, deploy, log level, limits, save, shutdown.
import { LOG_LEVELS } from '../../config/schema.js';
import type { Command, ConsoleContext, Role } from '../context.js';
import { SETTABLE, checkLimit, limitRange, type Limit } from '../limits.js';
import { restartWorkers } from '../restart.js';
import { deploy as deployBuild } from '../deploy.js';
import { int, parseArgs } from './args.js';
import { announce } from './moderation.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

function slotArg(ctx: ConsoleContext, raw: string): number {
  return int(raw, 'N (worker)', 0, ctx.host.config.workers - 1);
}

function drainCommand(on: boolean): Command {
  const name = on ? 'drain' : 'undrain';
  return {
    name,
    usage: `${name} N`,
    summary: on ? 'worker N takes no new rooms; its rooms run on until they empty' : 'worker N takes new rooms again',
    async run(ctx, args) {
      const p = parseArgs(name, this.usage, args, { min: 1, max: 1 });
      const slot = slotArg(ctx, p.pos[0]!);
      return ctx.host.setDrained(slot, on);
    },
  };
}

export const drain = drainCommand(true);
export const undrain = drainCommand(false);

export const restart: Command = {
  name: 'restart',
  usage: 'restart N | restart all',
  summary: 'replace worker N (or each worker in turn) with no player lost',
  details: 'Players get bye "restart" and resume with their token: same id, room and score. The next worker is restarted once the last one runs and its players are back.',
  async run(ctx, args) {
    const p = parseArgs('restart', this.usage, args, { min: 1, max: 1 });
    const which = p.pos[0] === 'all' ? ctx.host.workerSlots().map((s) => s.slot) : [slotArg(ctx, p.pos[0]!)];
    return restartWorkers(ctx, which);
  },
};

export const deploy: Command = {
  name: 'deploy',
  usage: 'deploy',
  summary: 'put the build on disk (after npm run build) into every worker, one at a time, with no player dropped',
  details:
    "First a pre-flight: a process of the new build reads every room's snapshot as a new worker will (migrated if its version changed); " +
    'any room it cannot read refuses the deploy (MIGRATION_REFUSED, a reason per room) and no worker is replaced. Then each worker is ' +
    'replaced as restart does: its rooms move with their snapshots and its players resume by themselves.',
  async run(ctx, args) {
    parseArgs('deploy', this.usage, args, { min: 0, max: 0 });
    return deployBuild(ctx);
  },
};

const ROLES = ['all', 'primary', 'worker', 'workers', 'coordinator'];

export const loglevel: Command = {
  name: 'loglevel',
  usage: 'loglevel [LEVEL [primary|worker|coordinator|all]]',
  summary: 'show, or change at run time, the log level of every process or of one role',
  async run(ctx, args) {
    const p = parseArgs('loglevel', this.usage, args, { min: 0, max: 2 });
    const { host } = ctx;
    if (p.pos.length === 0) {
      const [workers, coord] = await Promise.all([
        ctx.rpc.all('stats'),
        host.request('admin.stats', {}, 2000).catch(() => null),
      ]);
      return [
        { id: 'primary', level: host.log.level },
        ...workers.map((w) => ({ id: `worker-${w.worker}`, level: w.ok ? w.data.logLevel : null })),
        { id: 'coordinator', level: coord?.logLevel ?? null },
      ];
    }
    const level = p.pos[0]!;
    if (!LOG_LEVELS.includes(level)) throw new CodedError('BAD_ARGS', `unknown level ${JSON.stringify(level)}; one of ${LOG_LEVELS.join(', ')}`);
    const roleArg = p.pos[1] ?? 'all';
    if (!ROLES.includes(roleArg)) throw new CodedError('BAD_ARGS', `unknown role ${JSON.stringify(roleArg)}; one of primary, worker, coordinator, all`);
    const roles: Role[] = roleArg === 'all' ? ['primary', 'worker', 'coordinator'] : [roleArg === 'workers' ? 'worker' : (roleArg as Role)];
    const applied: Array<{ id: string; level: string | null; error?: string }> = [];
    for (const role of roles) ctx.state.levels[role] = level;
    if (roles.includes('primary')) {
      host.log.level = level;
      applied.push({ id: 'primary', level });
    }
    if (roles.includes('worker')) {
      for (const w of await ctx.rpc.all('loglevel', { level })) {
        applied.push(w.ok ? { id: `worker-${w.worker}`, level: w.data.level } : { id: `worker-${w.worker}`, level: null, error: w.error.code });
      }
    }
    if (roles.includes('coordinator')) {
      await host.request('admin.loglevel', { level }, 3000).then(
        () => applied.push({ id: 'coordinator', level }),
        (e: { code?: string }) => applied.push({ id: 'coordinator', level: null, error: e.code ?? 'FAILED' }),
      );
    }
    return applied;
  },
};

export const set: Command = {
  name: 'set',
  usage: 'set [LIMIT VALUE]',
  summary: 'show the limits that can change at run time, or change one (checked against its range)',
  details: `Limits: ${Object.keys(SETTABLE).join(', ')}. A change lasts until the server restarts.`,
  async run(ctx, args) {
    const p = parseArgs('set', this.usage, args, { min: 0, max: 2 });
    const { host } = ctx;
    const config = host.config as unknown as Record<Limit, number>;
    if (p.pos.length === 0) {
      return (Object.keys(SETTABLE) as Limit[]).map((k) => ({ limit: k, value: config[k], ...limitRange(k), what: SETTABLE[k] }));
    }
    if (p.pos.length === 1) throw new CodedError('BAD_ARGS', `set: missing VALUE (usage: ${this.usage})`);
    const { limit, value } = checkLimit(p.pos[0]!, p.pos[1]!);
    const old = config[limit];
    const change = { [limit]: value };
    ctx.state.limits = { ...ctx.state.limits, ...change };
    host.setLimits(change);
    const [workers, coord] = await Promise.all([
      ctx.rpc.all('set', { limits: change }),
      host.request('admin.set', { limits: change }, 3000).catch((e: { code?: string }) => ({ error: e.code ?? 'FAILED' })),
    ]);
    const failed = workers.filter((w) => !w.ok).map((w) => w.worker);
    return {
      limit, old, value,
      workers: workers.filter((w) => w.ok).length,
      ...(failed.length ? { failedWorkers: failed } : {}),
      ...('rooms' in coord ? { roomsUpdated: coord.rooms } : { coordinatorError: coord.error }),
    };
  },
};

export const save: Command = {
  name: 'save',
  usage: 'save',
  summary: "write a checkpoint of the coordinator's state to disk now",
  async run(ctx, args) {
    parseArgs('save', this.usage, args, { min: 0, max: 0 });
    const t0 = Date.now();
    await ctx.host.request('save', {}, 30_000);
    return { saved: true, ms: Date.now() - t0 };
  },
};

export const shutdown: Command = {
  name: 'shutdown',
  usage: 'shutdown [SECONDS | cancel]',
  summary: 'graceful shutdown, the same path as SIGTERM; with SECONDS, players are warned and it happens then',
  async run(ctx, args) {
    const p = parseArgs('shutdown', this.usage, args, { min: 0, max: 1 });
    const st = ctx.state;
    if (p.pos[0] === 'cancel') {
      if (!st.shutdownTimer) throw new CodedError('NO_SHUTDOWN', 'no shutdown is scheduled');
      clearTimeout(st.shutdownTimer);
      st.shutdownTimer = null;
      st.shutdownAt = null;
      await announce(ctx, 'The server shutdown is cancelled.').catch(() => {});
      return { cancelled: true };
    }
    const seconds = p.pos[0] === undefined ? 0 : int(p.pos[0], 'SECONDS', 0, 3600);
    if (ctx.host.stopping()) throw new CodedError('SHUTTING_DOWN', 'the server is already shutting down');
    if (st.shutdownTimer) clearTimeout(st.shutdownTimer);
    if (seconds > 0) await announce(ctx, `The server shuts down in ${seconds} s.`).catch(() => {});
    st.shutdownAt = Date.now() + seconds * 1000;
    // The signal path itself (the primary's SIGTERM handler), so there is one way to stop; the
    // short delay lets this answer reach the operator first.
    st.shutdownTimer = setTimeout(() => process.kill(process.pid, 'SIGTERM'), Math.max(seconds * 1000, 100));
    return { shutdown: true, inSeconds: seconds, at: new Date(st.shutdownAt).toISOString() };
  },
};
