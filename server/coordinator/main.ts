// The coordinator process: owns the shared world state and serves it to the primary and the
// workers over direct channels on a Unix socket. Started (and restarted) by the primary.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import { Channel } from '../../shared/ipc/channel.js';
import { FileStore } from './store/file-store.js';
import { StoreDamage } from './store/log-format.js';
import { EXIT_STORE_DAMAGED } from './store/cannot-load.js';
import { writesAcked, writesAckedBeforeFsync } from './store/store-metrics.js';
import { Directory } from './directory/directory.js';
import { createOps } from './ops/ops.js';
import type { OpContext } from './ops/context.js';
import { reportedValues } from '../games/index.js';
import type { CoordinatorChannel, CoordinatorOp } from '../ipc/coordinator-ops.js';
import type { CoordinatorToPrimary, PrimaryToCoordinator } from '../ipc/primary-coordinator.js';
import { replayJournals } from './scores/journals.js';
import { setProcessLabel } from '../metrics/registry.js';
import { CodedError } from '../../shared/errors/coded-error.js';

const config: Config = JSON.parse(process.env.SHOAL_CONFIG_JSON!);
const socketPath = process.env.SHOAL_COORD_SOCKET!;
const log = createLogger('coordinator', config.logLevel);
setProcessLabel('coordinator');

/** To the primary (cluster IPC), typed by primary-coordinator.ts. */
function toPrimary(m: CoordinatorToPrimary, done?: () => void): void {
  if (process.send) process.send(m, undefined, undefined, done);
  else done?.();
}
/** From the primary: the one listener for each kind of message. */
function onPrimary<T extends PrimaryToCoordinator['t']>(t: T, fn: () => void): void {
  process.on('message', (m: Partial<PrimaryToCoordinator> | null) => {
    if (m?.t === t) fn();
  });
}

// Answered from the first moment, so a long load is not taken for a hang.
onPrimary('alive?', () => toPrimary({ t: 'alive' }));

process.on('uncaughtException', (err) => {
  log.fatal({ err, code: 'COORDINATOR_CRASH' }, 'uncaught exception in coordinator');
  process.exit(70);
});

async function main(): Promise<void> {
  let directory: Directory | undefined;
  const store = new FileStore(path.join(config.data, 'world'), (h) => {
    if (h.ok) {
      log.info({ code: 'STORE_WRITABLE' }, 'store writes again');
      try {
        directory?.persistKept();
      } catch (err) {
        log.warn({ err }, 'scores kept in memory not written yet');
      }
    }
    else log.error({ code: 'STORE_UNWRITABLE', reason: h.reason }, `store cannot write (${h.reason}): joins are refused until it can`);
  });
  const started = Date.now();
  let world;
  try {
    world = await store.open();
  } catch (err) {
    if (err instanceof StoreDamage) return cannotLoad(err);
    throw err;
  }
  const torn = store.stats.torn;
  if (torn) log.warn({ code: 'STORE_TORN_TAIL', file: torn.file, offset: torn.offset, bytes: torn.bytes }, `cut a torn last record off ${torn.file} at offset ${torn.offset} (${torn.bytes} bytes)`);
  const dir = new Directory(world, store, config, {
    onJournalError: (file, err) => log.error({ err, code: 'SCORE_JOURNAL_UNREADABLE', file }, 'cannot read a worker score journal'),
  });
  directory = dir;
  const journalled = replayJournals(dir, config.data, config.workers);
  if (dir.tokensHashedOnLoad > 0) {
    // Shoal 0.1 stored raw tokens: checkpoints now replace the files that still hold them. Twice,
    // because a checkpoint keeps the generation before it (checkpoint.prev.bin and its logs) for
    // rollback, and that generation must not be the one with the raw tokens either.
    await store.checkpoint(dir.snapshotState());
    await store.checkpoint(dir.snapshotState());
    log.info({ sessions: dir.tokensHashedOnLoad }, 'session tokens from an older version now stored as hashes');
  }
  log.info({ sessions: dir.ix.sessionsById.size, rooms: dir.ix.rooms.size, names: dir.ix.leaderboard.size, journalled, tornBytesDropped: torn?.bytes ?? 0, ms: Date.now() - started }, 'world loaded');

  const workers = new Map<number, CoordinatorChannel>();
  const channels = new Set<CoordinatorChannel>();
  const ctx: OpContext = { dir, config, workers, channels, log, store, reports: reportedValues() };
  const ops = createOps(ctx);
  // With --fsync-ms 0 an answer to an operation that wrote waits for its fsync; every write of
  // one event-loop turn shares that fsync (group commit), so throughput stays reasonable.
  const syncEachWrite = config.fsyncMs === 0;
  const answer = (fn: (a: unknown, c: CoordinatorChannel) => unknown, args: unknown, c: CoordinatorChannel): unknown => {
    const before = store.appends;
    const r = fn(args, c);
    const settle = (v: unknown): unknown => {
      if (store.appends === before) return v;
      const mine = store.appends;
      const ack = () => {
        writesAcked.inc();
        if (store.syncedAppends < mine) writesAckedBeforeFsync.inc();
        return v;
      };
      return syncEachWrite ? store.durable().then(ack) : ack();
    };
    return r instanceof Promise ? r.then(settle) : settle(r);
  };

  try {
    fs.unlinkSync(socketPath);
  } catch {
    // no stale socket
  }
  const server = net.createServer((sock) => {
    const ch: CoordinatorChannel = new Channel(
      sock,
      (op, args, c) => {
        if (!Object.hasOwn(ops, op)) throw new CodedError('UNKNOWN_OP', `unknown coordinator op ${op}`);
        // The wire's edge: the table checked every handler against CoordinatorOps; the arguments
        // are what the peer sent, and each handler checks what it relies on.
        return answer(ops[op as CoordinatorOp] as (a: unknown, c: CoordinatorChannel) => unknown, args, c);
      },
      null,
      (c) => {
        channels.delete(c);
        const slot = c.peer.slot as number | undefined;
        if (slot !== undefined && workers.get(slot) === c) {
          workers.delete(slot);
          dir.workerLeft(slot);
          log.warn({ slot }, 'worker channel closed');
        }
      },
    );
    channels.add(ch);
  });
  server.listen(socketPath, () => {
    fs.chmodSync(socketPath, 0o600);
    log.info({ socket: socketPath }, 'coordinator listening');
    toPrimary({ t: 'coordinator.ready' });
  });

  // Durability: appends survive a process crash at once; fsync bounds what a machine crash loses
  // (with --fsync-ms 0, answers wait for their fsync instead; see `answer`).
  const syncTimer = syncEachWrite ? null : setInterval(() => store.sync().catch(() => {}), config.fsyncMs);
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

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    if (syncTimer) clearInterval(syncTimer);
    clearInterval(healthTimer);
    clearInterval(checkpointTimer);
    try {
      await store.checkpoint(dir.snapshotState());
      await store.close();
      log.info({ why }, 'coordinator stopped, state saved');
    } catch (err) {
      log.error({ err }, 'saving state at stop failed');
    }
    server.close();
    try {
      fs.unlinkSync(socketPath);
    } catch {
      // already gone
    }
    process.exit(0);
  };
  ctx.save = async () => {
    await store.checkpoint(dir.snapshotState());
    dir.checkpointTaken();
  };
  onPrimary('coordinator.stop', () => void stop('asked by primary'));
  // The primary is gone: nobody can reach us through it, so save and leave.
  process.on('disconnect', () => void stop('primary gone'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => {});
}

/** Damage found on load: one clear line to the log and the primary, and an exit it does not retry. */
function cannotLoad(err: StoreDamage): void {
  const message = `world store damaged: ${err.message}; run \`npm run repair -- --data ${config.data}\` (keeps what is good, backs up what it drops)`;
  log.fatal({ code: 'STORE_DAMAGED', file: err.file, offset: err.offset }, message);
  toPrimary({ t: 'coordinator.cannotLoad', message }, () => process.exit(EXIT_STORE_DAMAGED));
}

main().catch((err) => {
  log.fatal({ err, code: (err as { code?: string }).code ?? 'COORDINATOR_START_FAILED' }, 'coordinator failed to start');
  process.exit(70);
});
