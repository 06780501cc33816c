// The coordinator's operations, by name, as workers and the primary call them over a channel.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Channel } from '../../../shared/ipc/channel.js';
import type { Directory } from '../directory/directory.js';
import type { WorldStore } from '../store/types.js';
import type { ChatOutMsg } from '../../../shared/protocol/messages.js';
import { registry } from '../../metrics/registry.js';
import { adminOps } from './admin-ops.js';
import { coinsTaken, worldOps } from '../world/ops.js';

export interface OpContext {
  dir: Directory;
  config: Config;
  /** slot -> channel of the live worker in that slot */
  workers: Map<number, Channel>;
  channels: Set<Channel>;
  log: Logger;
  store: WorldStore;
  save?: () => Promise<void>;
}

export type Op = (args: any, ch: Channel) => unknown;

export function createOps(ctx: OpContext): Record<string, Op> {
  const { dir, workers, log } = ctx;
  const broadcast = (topic: string, payload: unknown) => {
    for (const ch of workers.values()) ch.push(topic, payload);
  };

  return {
    'worker.hello': (a: { slot: number; pid: number; rooms: Array<{ id: string; players: string[] }>; scores?: Array<[string, number]> }, ch) => {
      // Scores first, so the sessions in the answer carry every score a player of this slot has
      // seen: those the worker still holds, and those its dead predecessor left in the journal.
      let saved = true;
      const keep = (u: Array<[string, number]>) => {
        if (!dir.scoresOrKeep(u)) saved = false;
      };
      dir.replayJournal(a.slot, keep);
      if (a.scores?.length) keep(a.scores);
      const old = workers.get(a.slot);
      if (old && old !== ch) old.destroy();
      ch.peer = { role: 'worker', slot: a.slot, pid: a.pid };
      workers.set(a.slot, ch);
      // A worker that reconnects after a coordinator restart reports the rooms it still runs:
      // it is the authority for those, so the directory follows it.
      dir.workerJoined(a.slot, a.rooms ?? []);
      log.info({ slot: a.slot, workerPid: a.pid, reported: a.rooms?.length ?? 0, saved }, 'worker joined');
      const rooms = dir.roomsOfSlot(a.slot).map((r) => ({ ...r, sessions: dir.sessionsOfRoom(r.id) }));
      return { rooms, saved };
    },
    'primary.hello': (_a, ch) => {
      ch.peer = { role: 'primary' };
      return { ok: true };
    },
    route: (a: { room?: string; token?: string }) => dir.route(a),
    join: (a) => dir.join(a),
    leave: (a: { id: string }) => dir.leave(a.id),
    scores: (a: { u: Array<[string, number]> }) => dir.scores(a.u),
    snapshots: (a: { rooms: Array<[string, unknown]> }) => dir.snapshot(a.rooms),
    'room.sessions': (a: { id: string }) => dir.sessionsOfRoom(a.id),
    'room.gone': (a: { id: string }) => dir.roomGone(a.id),
    'chat.world': (a: { from: string; name: string; text: string; operator?: boolean }) => {
      const line: ChatOutMsg = { t: 'chat', from: a.from, name: a.name, text: a.text, scope: 'world' };
      // Only the console's `say` asks for the mark; a worker passing a player's line never does.
      if (a.operator === true) line.operator = true;
      broadcast('chat', line);
    },
    'rooms.page': (a: { offset: number; limit: number }) =>
      dir.roomsPage(Math.max(0, a.offset | 0), Math.max(1, Math.min(a.limit | 0, ctx.config.roomsPageSize))),
    // A guest's line carries a third element, true (additive; only with --auth jwt).
    top: (a: { n?: number }) => dir.leaderboard(Math.min(a?.n ?? 10, 10)).map((e) => (e.guest ? [e.name, e.score, true] : [e.name, e.score])),
    leaderboard: (a: { limit?: number }) => dir.leaderboard(Math.min(a?.limit ?? ctx.config.leaderboardSize, ctx.config.leaderboardSize)),
    stats: () => {
      const rooms = dir.rooms();
      return {
        rooms,
        players: rooms.reduce((n, r) => n + r.players, 0),
        workers: workers.size,
        coinsTaken: coinsTaken(ctx),
        // For /ready: new players cannot join while the world cannot be written.
        store: ctx.store.health?.() ?? { ok: true },
      };
    },
    metrics: () => registry.getMetricsAsJSON(),
    save: async () => {
      await ctx.save?.();
      return { saved: true };
    },
    ...worldOps(ctx),
    ...adminOps(ctx),
  };
}
