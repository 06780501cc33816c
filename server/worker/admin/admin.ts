// The worker's side of the operator console: requests the primary forwards over cluster IPC
// ({t:'admin.req', id, op, args}) answered with {t:'admin.res', id, ok, data | error}. Each op
// reads or changes only this worker's own state; the primary combines the answers.
import { LOG_LEVELS } from '../../config/schema.js';
import { processMemory } from '../../metrics/process-memory.js';
import { lastLagMs } from '../../metrics/registry.js';
import { addressMatcher } from '../../net/addresses.js';
import { applyLimits, type Limits } from '../../console/limits.js';
import type { ClientSession } from '../session/client-session.js';
import type { RoomHost } from '../rooms/room-host.js';
import type { SeatConn } from '../rooms/seat-conn.js';
import type { WorkerRuntime } from '../runtime.js';
import { CodedError } from '../../../shared/errors/coded-error.js';
import type { PrimaryToWorker, WorkerAdminOp, WorkerAdminOps, WorkerRoom, WorkerStats, WorkerToPrimary } from '../../ipc/primary-worker.js';
import type { OpHandlers } from '../../../shared/ipc/channel.js';

/** Returns the handler to give to onPrimaryMessage; says `admin.hello` once the rooms are back. */
export function adminHandler(rt: WorkerRuntime, send: (m: WorkerToPrimary) => void): (m: PrimaryToWorker) => boolean {
  const ops = workerOps(rt);
  // The primary answers with the run-time settings this fresh process has not seen yet.
  void rt.ready.then(() => send({ t: 'admin.hello', pid: process.pid }));
  return (m) => {
    if (m.t !== 'admin.req') return false;
    // The wire's edge: the table is checked against WorkerAdminOps; the arguments are the console's.
    const fn = Object.hasOwn(ops, m.op) ? (ops[m.op as WorkerAdminOp] as (a: unknown) => unknown) : undefined;
    Promise.resolve()
      .then(() => {
        if (!fn) throw new CodedError('UNKNOWN_OP', `worker has no admin op ${m.op}`);
        return fn(m.args ?? {});
      })
      .then(
        (data) => send({ t: 'admin.res', id: m.id, ok: true, data: data ?? null }),
        (err: unknown) => {
          const e = err as { code?: string; message?: string };
          send({ t: 'admin.res', id: m.id, ok: false, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } });
        },
      );
    return true;
  };
}

function workerOps(rt: WorkerRuntime): OpHandlers<WorkerAdminOps, void> {
  const sessionOf = (conn: SeatConn): ClientSession | undefined => {
    for (const s of rt.sessions) if (s.conn === conn) return s;
    return undefined;
  };

  /** Ends a player for good: seat and token gone, then bye, so no resume can bring it back. */
  const remove = (host: RoomHost, id: string, reason: string): void => {
    const m = host.members.get(id);
    if (!m) return;
    const conn = m.conn;
    // Its session must not treat the close as a drop (that would freeze a seat for a resume).
    const session = conn ? sessionOf(conn) : undefined;
    if (session) session.state = 'closed';
    host.remove(id);
    if (conn) conn.bye(reason);
  };

  return {
    stats: () => {
      const connections: WorkerStats['connections'] = { tcp: 0, ws: 0, relay: 0 };
      let queued = 0;
      for (const s of rt.sessions) {
        if (s.conn.closed) continue;
        connections[s.conn.transport] = (connections[s.conn.transport] ?? 0) + 1;
        queued += s.conn.queuedBytes;
      }
      let connected = 0;
      for (const h of rt.rooms.values()) connected += h.connected;
      return {
        slot: rt.slot, pid: process.pid, ...processMemory(), outboundKB: Math.round(queued / 1024), lagMs: round(lastLagMs()),
        logLevel: rt.log.level, connections, rooms: rt.rooms.size, players: rt.playerCount(), connected,
        uptimeS: Math.round(process.uptime()), shuttingDown: rt.shuttingDown,
      };
    },

    rooms: (a: { members?: boolean; room?: string }) => {
      const out: WorkerRoom[] = [];
      for (const h of rt.rooms.values()) {
        if (a.room !== undefined && h.id !== a.room) continue;
        out.push({
          id: h.id, game: h.game, worker: rt.slot, players: h.size, connected: h.connected, tick: h.tickNo, tickP99Ms: round(h.tickP99Ms(), 3),
          members: a.members
            ? [...h.members.values()].map((m) => ({
                id: m.id, name: m.name, transport: m.conn?.transport ?? null, address: m.conn?.address ?? null,
                score: m.score, state: m.conn ? 'connected' : 'frozen',
              }))
            : undefined,
        });
      }
      return out;
    },

    kick: (a: { id: string; reason?: string }) => {
      for (const h of rt.rooms.values()) {
        const m = h.members.get(a.id);
        if (!m) continue;
        const info = { found: true, id: m.id, name: m.name, room: h.id, worker: rt.slot, address: m.conn?.address ?? null, wasConnected: !!m.conn };
        remove(h, a.id, a.reason ?? 'kicked');
        rt.log.info({ player: a.id, room: h.id, reason: a.reason ?? 'kicked' }, 'player removed by the operator');
        return info;
      }
      return { found: false };
    },

    /** Disconnects everyone coming from a banned target: seated players for good, others at once. */
    kickAddress: (a: { targets: string[]; reason: string }) => {
      const banned = addressMatcher(a.targets);
      const kicked: string[] = [];
      for (const h of [...rt.rooms.values()]) {
        for (const m of [...h.members.values()]) {
          if (m.conn && banned(m.conn.address)) {
            kicked.push(m.id);
            remove(h, m.id, a.reason);
          }
        }
      }
      let closed = 0;
      for (const s of rt.sessions) {
        if (s.state === 'new' && s.conn.transport !== 'relay' && banned(s.conn.address)) {
          s.conn.bye(a.reason);
          closed++;
        }
      }
      return { kicked, closed };
    },

    'auth.reload': async () => {
      if (!rt.auth) throw new CodedError('AUTH_OFF', 'the server runs with --auth none');
      return { keys: await rt.auth.load() };
    },
    loglevel: (a: { level: string }) => {
      if (!LOG_LEVELS.includes(a.level)) throw new CodedError('BAD_ARGS', `unknown log level ${a.level}`);
      rt.log.level = a.level;
      return { level: rt.log.level };
    },

    set: (a: { limits: Limits }) => applySettings(rt, a.limits),

    /** Everything changed at run time, sent to a freshly started worker. */
    sync: (a: { limits?: Limits; level?: string }) => {
      if (a.level && LOG_LEVELS.includes(a.level)) rt.log.level = a.level;
      return applySettings(rt, a.limits ?? {});
    },
  };
}

function applySettings(rt: WorkerRuntime, limits: Limits): { sessions: number } {
  applyLimits(rt.config, limits);
  let n = 0;
  if (limits.maxMsgRate !== undefined) {
    for (const s of rt.sessions) {
      s.setRate(limits.maxMsgRate);
      n++;
    }
  }
  return { sessions: n };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
