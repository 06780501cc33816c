// Read-only commands: status, workers, rooms, room, players. They ask every process for its own
// numbers at the moment of the command; nothing is cached, so what is shown is what runs now.
import type { ConnBooks } from '../../metrics/connections.js';
import { processMemory, type ProcessMemory } from '../../metrics/process-memory.js';
import { lastLagMs } from '../../metrics/registry.js';
import type { Command, ConsoleContext } from '../context.js';
import type { WorkerSlotView } from '../host.js';
import { parseArgs, roomId } from './args.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { parseStore } from '../../config/store-url.js';
import { clusterTotals } from './hosts.js';

// What workers answer the console's ops is declared at the primary-worker boundary.
import type { Member, WorkerRoom, WorkerStats } from '../../ipc/primary-worker.js';
export type { Member, WorkerRoom, WorkerStats };

interface DirRoom { id: string; players: number; capacity: number; slot: number; game: string }

/** The memory figures of a process's stats, as `status` lists them. */
const memoryOf = (m: ProcessMemory): ProcessMemory => ({ rssMB: m.rssMB, heapMB: m.heapMB, heapTotalMB: m.heapTotalMB, externalMB: m.externalMB, youngMB: m.youngMB });

/** The state of a worker slot as an operator thinks of it: a running one the coordinator drained is `draining`. */
export function slotState(s: WorkerSlotView, drained: number[]): string {
  return s.state === 'running' && drained.includes(s.slot) ? 'draining' : s.state;
}

export async function dirRooms(ctx: ConsoleContext): Promise<DirRoom[]> {
  const r = await ctx.host.request('stats', {}, 3000);
  return r.rooms;
}

function workerFlag(ctx: ConsoleContext, v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = v as number;
  if (n >= ctx.host.config.workers) throw new CodedError('BAD_ARGS', `--worker must be 0..${ctx.host.config.workers - 1}`);
  return n;
}

function byGame(rooms: DirRoom[]): Record<string, { rooms: number; players: number }> {
  const out: Record<string, { rooms: number; players: number }> = {};
  for (const r of rooms) {
    const g = (out[r.game] ??= { rooms: 0, players: 0 });
    g.rooms++;
    g.players += r.players;
  }
  return out;
}

function countedConnections(b: ConnBooks): Record<string, number> {
  return { ...b.open, addresses: b.addresses, perAddressMax: b.perAddressMax };
}

export const status: Command = {
  name: 'status',
  usage: 'status',
  summary: 'uptime, version, config summary, totals and every process',
  async run(ctx, args) {
    parseArgs('status', this.usage, args, { min: 0, max: 0 });
    const { host } = ctx;
    const { config } = host;
    const [workers, coord, dir, cluster] = await Promise.all([
      ctx.rpc.all('stats'),
      host.request('admin.stats', {}, 2000).catch((e: Error & { code?: string }) => ({ error: e.code ?? e.message })),
      host.request('stats', {}, 2000).catch(() => null),
      // With --store redis: every live host's players and rooms (bus lane).
      parseStore(config.store).kind === 'redis' ? clusterTotals(ctx) : null,
    ]);
    const conns = host.connections();
    const drained: number[] = 'error' in coord ? [] : (coord.drained ?? []);
    const processes: Array<Record<string, unknown>> = [
      {
        role: 'primary', id: 'primary', pid: process.pid, state: host.stopping() ? 'stopping' : 'running', ...processMemory(),
        lagMs: Math.round(lastLagMs() * 10) / 10, connections: conns.open, rooms: null, players: null,
        logLevel: host.log.level, uptimeS: Math.round((Date.now() - host.startedAt) / 1000),
      },
    ];
    const totals = { tcp: 0, ws: 0, relayed: 0, connected: 0 };
    for (const s of host.workerSlots()) {
      const w = workers.find((x) => x.worker === s.slot);
      const base = { role: 'worker', id: `worker-${s.slot}`, pid: s.pid, state: slotState(s, drained) };
      if (w?.ok) {
        const d = w.data;
        totals.tcp += d.connections.tcp;
        totals.ws += d.connections.ws;
        totals.relayed += d.connections.relay;
        totals.connected += d.connected;
        processes.push({
          ...base, ...memoryOf(d), outboundKB: d.outboundKB, lagMs: d.lagMs, connections: d.connections.tcp + d.connections.ws, rooms: d.rooms, players: d.players,
          logLevel: d.logLevel, uptimeS: d.uptimeS,
        });
      } else {
        processes.push({ ...base, error: w && !w.ok ? w.error.code : 'not running' });
      }
    }
    const c = host.coordinator();
    if ('error' in coord) processes.push({ role: 'coordinator', id: 'coordinator', pid: c.pid, state: 'unavailable', error: c.problem ?? coord.error, restarts: c.restarts });
    else {
      processes.push({
        role: 'coordinator', id: 'coordinator', pid: coord.pid, state: 'running', ...memoryOf(coord), lagMs: coord.lagMs,
        connections: coord.channels, rooms: coord.rooms, players: coord.sessions, logLevel: coord.logLevel, uptimeS: coord.uptimeS,
        restarts: c.restarts,
      });
    }
    return {
      version: ctx.version,
      node: process.version,
      startedAt: new Date(host.startedAt).toISOString(),
      uptimeS: Math.round((Date.now() - host.startedAt) / 1000),
      config: {
        port: conns.port, host: config.host, workers: config.workers, data: config.data, console: config.console,
        hz: config.hz, roomCapacity: config.roomCapacity, maxMsgRate: config.maxMsgRate, maxConnections: config.maxConnections,
        maxConnectionsPerAddress: config.maxConnectionsPerAddress, graceMs: config.graceMs,
      },
      totals: {
        connections: { tcp: totals.tcp, ws: totals.ws, total: totals.tcp + totals.ws },
        relayed: totals.relayed,
        rooms: dir ? dir.rooms.length : null,
        players: dir ? dir.players : null,
        // Rooms and seated players by the game they play.
        games: dir ? byGame(dir.rooms) : null,
        connected: totals.connected,
        workersRunning: host.runningWorkers(),
        // The primary's books, which the connection limits read (every socket from accept to close).
        counted: countedConnections(conns.books),
        refused: conns.refusals,
        bans: ctx.bans.list().length,
        shutdownInS: ctx.state.shutdownAt ? Math.max(0, Math.round((ctx.state.shutdownAt - Date.now()) / 1000)) : null,
      },
      ...(cluster ? { cluster } : {}),
      processes,
    };
  },
};

export const workers: Command = {
  name: 'workers',
  usage: 'workers',
  summary: 'one row per worker: pid, state, rooms, players, lag, restarts',
  async run(ctx, args) {
    parseArgs('workers', this.usage, args, { min: 0, max: 0 });
    const [stats, drained] = await Promise.all([ctx.rpc.all('stats'), ctx.host.drainedSlots()]);
    return ctx.host.workerSlots().map((s) => {
      const w = stats.find((x) => x.worker === s.slot);
      const d = w?.ok ? w.data : null;
      return {
        worker: s.slot, pid: s.pid, state: slotState(s, drained), rooms: d?.rooms ?? null, players: d?.players ?? null,
        connected: d?.connected ?? null, lagMs: d?.lagMs ?? null, rssMB: d?.rssMB ?? null, restarts: s.restarts, uptimeS: d?.uptimeS ?? null,
        problem: s.problem ?? (w && !w.ok ? w.error.code : null),
      };
    });
  },
};

/** A `rooms` row. */
interface RoomRow {
  id: string; game: string; worker: number; players: number; capacity: number; connected: number;
  tick: number | null; tickP99Ms: number | null;
}

export const rooms: Command = {
  name: 'rooms',
  usage: 'rooms [--worker N]',
  summary: 'one row per room: id, game, worker, players/capacity, tick, tick time p99',
  async run(ctx, args) {
    const p = parseArgs('rooms', this.usage, args, { min: 0, max: 0, flags: { worker: 'int' } });
    const only = workerFlag(ctx, p.flags.worker);
    const [dir, live] = await Promise.all([dirRooms(ctx), ctx.rpc.values('rooms')]);
    const running = new Map<string, WorkerRoom>();
    for (const w of live) for (const r of w.data) running.set(r.id, r);
    const rows = dir.map((r): RoomRow => {
      const l = running.get(r.id);
      running.delete(r.id);
      return {
        id: r.id, game: r.game, worker: l?.worker ?? r.slot, players: r.players, capacity: r.capacity, connected: l?.connected ?? 0,
        tick: l?.tick ?? null, tickP99Ms: l?.tickP99Ms ?? null,
      };
    });
    for (const l of running.values()) {
      rows.push({ id: l.id, game: l.game, worker: l.worker, players: l.players, capacity: ctx.host.config.roomCapacity, connected: l.connected, tick: l.tick, tickP99Ms: l.tickP99Ms });
    }
    return rows.filter((r) => only === undefined || r.worker === only).sort((a, b) => a.worker - b.worker || (a.id < b.id ? -1 : 1));
  },
};

/** Every player seated anywhere (optionally in one room), with where it is. */
export async function allPlayers(ctx: ConsoleContext, room?: string): Promise<Array<Member & { room: string; worker: number }>> {
  const live = await ctx.rpc.values('rooms', { members: true, room });
  const out: Array<Member & { room: string; worker: number }> = [];
  for (const w of live) for (const r of w.data) for (const m of r.members ?? []) out.push({ ...m, room: r.id, worker: r.worker });
  return out;
}

export const room: Command = {
  name: 'room',
  usage: 'room ID',
  summary: "a room's players: id, name, transport, address, score, connected or frozen",
  async run(ctx, args) {
    const p = parseArgs('room', this.usage, args, { min: 1, max: 1 });
    const id = roomId(p.pos[0]!);
    const [dir, live] = await Promise.all([dirRooms(ctx), ctx.rpc.values('rooms', { members: true, room: id })]);
    const d = dir.find((r) => r.id === id);
    const l = live.flatMap((w) => w.data).find((r) => r.id === id);
    if (!d && !l) throw new CodedError('ROOM_NOT_FOUND', `no room ${JSON.stringify(id)}`);
    return {
      id, game: d?.game ?? l!.game, worker: l?.worker ?? d!.slot, running: !!l, capacity: d?.capacity ?? ctx.host.config.roomCapacity,
      tick: l?.tick ?? null, tickP99Ms: l?.tickP99Ms ?? null, players: l?.members ?? [],
    };
  },
};

export const players: Command = {
  name: 'players',
  usage: 'players [--room ID]',
  summary: 'players across the server (or in one room)',
  async run(ctx, args) {
    const p = parseArgs('players', this.usage, args, { min: 0, max: 0, flags: { room: 'string' } });
    const only = p.flags.room === undefined ? undefined : roomId(String(p.flags.room));
    const list = await allPlayers(ctx, only);
    if (only !== undefined && list.length === 0 && !(await dirRooms(ctx)).some((r) => r.id === only)) {
      throw new CodedError('ROOM_NOT_FOUND', `no room ${JSON.stringify(only)}`);
    }
    return list
      .map((m) => ({ id: m.id, name: m.name, room: m.room, worker: m.worker, transport: m.transport, address: m.address, score: m.score, state: m.state }))
      .sort((a, b) => a.worker - b.worker || (a.room < b.room ? -1 : a.room > b.room ? 1 : a.id < b.id ? -1 : 1));
  },
};
