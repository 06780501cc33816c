// Coordinator ops for the operator console: the durable ban list (kv namespace `bans`), worker
// draining (kept by the directory's placement, the one place it lives), run-time log level and
// limits, this process's own numbers for `status`, and the rooms' snapshots a deploy checks the
// new code against.
import { LOG_LEVELS } from '../../config/schema.js';
import { processMemory } from '../../metrics/process-memory.js';
import { lastLagMs } from '../../metrics/registry.js';
import type { BanEntry } from '../../console/bans.js';
import { applyLimits, type Limits } from '../../console/limits.js';
import type { HandlersOf, OpContext } from './context.js';
import type { AdminOp } from '../../ipc/coordinator-ops.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

const BANS = 'bans';

export function adminOps(ctx: OpContext): HandlersOf<AdminOp> {
  const { dir, log } = ctx;
  // The server run (the primary's start): a drain lasts as long as it, across coordinator restarts.
  const run = process.env.SHOAL_STARTED_AT ?? 'unknown';
  dir.placement.forgetDrainsOtherThan(run);

  const bans = (): BanEntry[] => {
    const m = dir.ix.kv.get(BANS);
    if (!m) return [];
    const now = Date.now();
    const out: BanEntry[] = [];
    for (const [address, v] of m) {
      const e = v as { until: number | null; at: number };
      if (e.until !== null && e.until <= now) dir.commit([{ k: 'kvDel', ns: BANS, key: address }]);
      else out.push({ address, until: e.until, at: e.at });
    }
    return out.sort((a, b) => a.at - b.at || (a.address < b.address ? -1 : 1));
  };

  const setLevel = (level: string) => {
    if (!LOG_LEVELS.includes(level)) throw new CodedError('BAD_ARGS', `unknown log level ${level}`);
    log.level = level;
  };

  const setLimits = (limits: Limits) => {
    applyLimits(ctx.config, limits);
    let rooms = 0;
    if (limits.roomCapacity !== undefined) {
      // Existing rooms take the new capacity too.
      rooms = dir.placement.setCapacity(limits.roomCapacity);
    }
    return { rooms };
  };

  const setDrain = (slot: number, on: boolean) => {
    if (on) {
      const others = dir.placement.slotsTakingRooms().filter((s) => s !== slot);
      if (others.length === 0) throw new CodedError('LAST_WORKER', `worker ${slot} is the last one taking new rooms; it cannot drain`);
      dir.placement.drain(slot, run);
    } else {
      dir.placement.undrain(slot);
    }
    return { worker: slot, draining: on, rooms: dir.roomsOfSlot(slot).length };
  };

  return {
    'admin.stats': () => {
      return {
        pid: process.pid,
        ...processMemory(),
        lagMs: Math.round(lastLagMs() * 10) / 10,
        logLevel: log.level,
        channels: ctx.channels.size,
        workers: [...ctx.workers.keys()].sort((a, b) => a - b),
        rooms: dir.ix.rooms.size,
        sessions: dir.ix.sessionsById.size,
        drained: dir.placement.drainedSlots(),
        uptimeS: Math.round(process.uptime()),
      };
    },
    'admin.bans': () => bans(),
    'admin.ban': (a: { address: string; until: number | null; at?: number }) => {
      dir.commit([{ k: 'kv', ns: BANS, key: a.address, value: { until: a.until, at: typeof a.at === 'number' ? a.at : Date.now() } }]);
      log.warn({ address: a.address, until: a.until }, 'address banned');
      return bans();
    },
    'admin.unban': (a: { address: string }) => {
      if (!dir.ix.kv.get(BANS)?.has(a.address)) throw new CodedError('NOT_BANNED', `${a.address} is not banned`);
      dir.commit([{ k: 'kvDel', ns: BANS, key: a.address }]);
      log.warn({ address: a.address }, 'address unbanned');
      return bans();
    },
    'admin.snapshots': (a: { slot?: number }) =>
      [...dir.ix.rooms.values()]
        .filter((r) => a.slot === undefined || r.slot === a.slot)
        .map((r) => ({ id: r.id, slot: r.slot, ...(r.game !== undefined ? { game: r.game } : {}), ...(r.snapshot !== undefined ? { snapshot: r.snapshot } : {}) })),
    'admin.drain': (a: { slot: number; draining: boolean }) => setDrain(a.slot, a.draining),
    'admin.loglevel': (a: { level: string }) => {
      setLevel(a.level);
      return { level: log.level };
    },
    'admin.set': (a: { limits: Limits }) => setLimits(a.limits),
    /** Run-time state the primary re-sends after this process restarted. */
    'admin.sync': (a: { limits?: Limits; level?: string }) => {
      if (a.level) setLevel(a.level);
      if (a.limits) setLimits(a.limits);
      return { ok: true };
    },
  };
}
