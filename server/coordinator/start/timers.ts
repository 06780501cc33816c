// Start step 5: the coordinator's periodic work, stopped together at shutdown: fsync (bounds what
// a machine crash loses), a write probe while the store cannot write, sweeping unused sessions and
// rooms, and checkpoints (so the logs replayed at the next start stay short).
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Directory } from '../directory/directory.js';
import type { FileStore } from '../store/file-store.js';

export interface Timers {
  stop(): void;
}

export function startTimers(dir: Directory, store: FileStore, config: Config, log: Logger): Timers {
  // Durability: appends survive a process crash at once; fsync bounds what a machine crash loses
  // (with --fsync-ms 0, answers wait for their fsync instead; see listen.ts).
  const syncTimer = config.fsyncMs === 0 ? null : setInterval(() => void store.sync().catch(() => {}), config.fsyncMs);
  // While writes fail (a full disk) a no-op change is tried every second, so the store finds out
  // by itself when it can write again.
  const healthTimer = setInterval(() => {
    if (store.health().ok) return;
    try {
      dir.commit([{ k: 'nextPlayer', n: dir.ix.nextPlayer }]);
    } catch {
      // still failing; the next try is in a second
    }
  }, 1000);
  const sweepTimer = setInterval(() => {
    try {
      dir.sweepUnused(60_000);
    } catch {
      // the store cannot write now; the sweep runs again later
    }
  }, 15_000);
  sweepTimer.unref();
  const checkpointTimer = setInterval(() => {
    if (dir.changesSinceCheckpoint === 0 && store.stats.logBytes < 64 * 1024 * 1024) return;
    const pending = dir.checkpointTaken();
    store.checkpoint(dir.snapshotState()).catch((err) => {
      // Tried again at the next interval (say once a full disk has room again).
      dir.checkpointFailed(pending);
      log.error({ err }, 'checkpoint failed');
    });
  }, 10_000);
  return {
    stop() {
      if (syncTimer) clearInterval(syncTimer);
      clearInterval(healthTimer);
      clearInterval(sweepTimer);
      clearInterval(checkpointTimer);
    },
  };
}
