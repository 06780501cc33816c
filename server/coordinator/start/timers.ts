// Start step 5: the coordinator's periodic work, stopped together at shutdown: fsync (bounds what
// a machine crash loses), a write probe while the store cannot write, sweeping unused sessions and
// rooms, and checkpoints (so the logs replayed at the next start stay short). With Redis: room
// snapshots written every --snapshot-ms (another host restores a dead host's rooms from them), and
// this host vouching for its sessions while sweeping those of hosts that died.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Directory } from '../directory/directory.js';
import type { FileStore } from '../store/file-store.js';
import type { RedisStore } from '../store/redis-store.js';
import type { OpenedStore } from './open-store.js';

export interface Timers {
  stop(): void;
}

const SWEEP_MS = 15_000;

export function startTimers(dir: Directory, opened: OpenedStore, config: Config, log: Logger): Timers {
  const timers = opened.file ? fileTimers(dir, opened.file, config, log) : opened.redis ? redisTimers(dir, opened.redis.store, config, log) : [];
  const sweepTimer = setInterval(() => {
    try {
      dir.sweepUnused(60_000);
    } catch {
      // the store cannot write now; the sweep runs again later
    }
  }, SWEEP_MS);
  sweepTimer.unref();
  timers.push(sweepTimer);
  return {
    stop() {
      for (const t of timers) clearInterval(t);
    },
  };
}

function fileTimers(dir: Directory, store: FileStore, config: Config, log: Logger): NodeJS.Timeout[] {
  const timers: NodeJS.Timeout[] = [];
  // Durability: appends survive a process crash at once; fsync bounds what a machine crash loses
  // (with --fsync-ms 0, answers wait for their fsync instead; see listen.ts).
  if (config.fsyncMs !== 0) timers.push(setInterval(() => void store.sync().catch(() => {}), config.fsyncMs));
  // While writes fail (a full disk) a no-op change is tried every second, so the store finds out
  // by itself when it can write again.
  timers.push(setInterval(() => {
    if (store.health().ok) return;
    try {
      dir.commit([{ k: 'nextPlayer', n: dir.ix.nextPlayer }]);
    } catch {
      // still failing; the next try is in a second
    }
  }, 1000));
  timers.push(setInterval(() => {
    if (dir.changesSinceCheckpoint === 0 && store.stats.logBytes < 64 * 1024 * 1024) return;
    const pending = dir.checkpointTaken();
    store.checkpoint(dir.snapshotState()).catch((err) => {
      // Tried again at the next interval (say once a full disk has room again).
      dir.checkpointFailed(pending);
      log.error({ err }, 'checkpoint failed');
    });
  }, 10_000));
  return timers;
}

function redisTimers(dir: Directory, store: RedisStore, config: Config, log: Logger): NodeJS.Timeout[] {
  // The rooms' snapshots as the workers last sent them: only changed ones are written.
  let writing = false;
  const snapshots = setInterval(() => {
    if (writing || !store.health().ok) return;
    writing = true;
    store.writeSnapshots(dir.ix.rooms.values()).catch((err: Error) => log.warn({ err: err.message }, 'room snapshots not written; tried again')).finally(() => (writing = false));
  }, config.snapshotMs);
  // Sessions whose host died and that no host took over are forgotten after the grace and a
  // margin; this host vouches for its own meanwhile.
  const sessions = setInterval(() => {
    const ids = [...dir.ix.sessionsById.keys()];
    store.refreshSessions(ids)
      .then(() => store.expireSessions())
      .then((n) => {
        if (n > 0) log.info({ sessions: n }, 'sessions of hosts gone for good forgotten');
      })
      .catch((err: Error) => log.warn({ err: err.message }, 'session due times not written; tried again'));
  }, SWEEP_MS);
  sessions.unref();
  return [snapshots, sessions];
}
