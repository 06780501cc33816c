// ops/ owns the coordinator's op table: every operation, by name, as workers and the primary call
// it over a channel (names, arguments and results are declared once in server/ipc/coordinator-ops.ts).
// This file serves the directory's ops and assembles the groups: admin-ops.ts (the console's) and
// world-ops.ts (the World API's, over the primitives in ../world/). context.ts holds what they share.
import type { ChatOutMsg } from '../../../shared/protocol/messages.js';
import type { LeaderEntry } from '../../ipc/coordinator-ops.js';
import { registry } from '../../metrics/registry.js';
import { gameSizes } from '../directory/placement.js';
import type { CoordinatorHandlers, OpContext } from './context.js';
import { adminOps } from './admin-ops.js';
import { reportedStats, worldOps } from './world-ops.js';
import { clusterOps } from './cluster-ops.js';

export function createOps(ctx: OpContext): CoordinatorHandlers {
  const { dir, workers, log } = ctx;
  const world = worldOps(ctx);
  const broadcastChat = (line: ChatOutMsg) => {
    for (const ch of workers.values()) ch.push('chat', line);
  };

  let lastReports: Record<string, unknown> = {};
  /** What /health and /ready read (the primary polls it as `readiness`; `stats` adds the rooms). */
  const readiness = async (rooms: ReadonlyArray<{ players: number }>) => ({
    players: rooms.reduce((n, r) => n + r.players, 0),
    // The world values games report for /health (Game.reports marked health).
    // While Redis is away: the last values read (/ready must still answer, and say store_failing).
    reports: await reportedStats(ctx, world.world, true).then((r) => (lastReports = r), () => lastReports),
    // For /ready: new players cannot join while the world cannot be written.
    store: ctx.store.health?.() ?? { ok: true },
  });
  return {
    'worker.hello': (a, ch) => {
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
      for (const g of a.games ?? []) dir.placement.learnSizes(g.name, gameSizes(g));
      log.info({ slot: a.slot, workerPid: a.pid, reported: a.rooms?.length ?? 0, saved }, 'worker joined');
      const rooms = dir.roomsOfSlot(a.slot).map((r) => ({ ...r, sessions: dir.sessionsOfRoom(r.id) }));
      return { rooms, saved };
    },
    'primary.hello': (_a, ch) => {
      ch.peer = { role: 'primary' };
      return { ok: true };
    },
    route: (a) => dir.route(a),
    // With --store redis the gate may answer another host's address, or claim the room first.
    join: (a) => (ctx.gate ? ctx.gate.join(a) : dir.join(a)),
    leave: (a) => dir.leave(a.id),
    scores: (a) => dir.scores(a.u),
    snapshots: (a) => dir.snapshot(a.rooms),
    'room.sessions': (a) => dir.sessionsOfRoom(a.id),
    'room.gone': (a) => dir.roomGone(a.id),
    'room.open': (a, ch) => {
      // Only a worker speaks for its rooms (placement checks it still runs this one).
      const slot = ch.peer.role === 'worker' ? ch.peer.slot : undefined;
      if (typeof slot === 'number') dir.setRoomOpen(a.id, a.open === true, slot);
    },
    'chat.world': (a) => {
      const line: ChatOutMsg = { t: 'chat', from: a.from, name: a.name, text: a.text, scope: 'world' };
      // Only the console's `say` asks for the mark; a worker passing a player's line never does.
      if (a.operator === true) line.operator = true;
      broadcastChat(line);
      // With --store redis, every other host's players too (this host's have it already).
      ctx.cluster?.bus.chat(line);
    },
    'rooms.page': (a) =>
      dir.roomsPage(Math.max(0, a.offset | 0), Math.max(1, Math.min(a.limit | 0, ctx.config.roomsPageSize))),
    // A guest's line carries a third element, true (additive; only with --auth jwt).
    top: (a) => {
      const n = Math.min(a?.n ?? 10, 10);
      const asTop = (lines: LeaderEntry[]) => lines.map((e): [string, number] | [string, number, true] => (e.guest ? [e.name, e.score, true] : [e.name, e.score]));
      // With Redis, the board of every host (store lane: shared-leaderboard.ts).
      return ctx.board ? ctx.board.lines(n).then(asTop) : asTop(dir.leaderboard(n));
    },
    leaderboard: (a) => {
      const n = Math.min(a?.limit ?? ctx.config.leaderboardSize, ctx.config.leaderboardSize);
      return ctx.board ? ctx.board.lines(n) : dir.leaderboard(n);
    },
    stats: async () => {
      const rooms = dir.rooms();
      return { ...(await readiness(rooms)), rooms, workers: workers.size };
    },
    readiness: async () => {
      const rooms = dir.rooms();
      return { ...(await readiness(rooms)), rooms: rooms.length };
    },
    metrics: () => registry.getMetricsAsJSON(),
    save: async () => {
      await ctx.save?.();
      return { saved: true as const };
    },
    ...world.handlers,
    ...adminOps(ctx),
    ...clusterOps(ctx),
  };
}
