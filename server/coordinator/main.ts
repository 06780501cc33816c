// The coordinator process: owns the shared world state and serves it to the primary and the
// workers over direct channels on a Unix socket. Started (and restarted) by the primary.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import { Channel } from '../ipc/channel.js';
import { FileStore } from './store/file-store.js';
import { Directory, CoordError } from './directory.js';
import { createOps, type OpContext } from './ops.js';
import { replayJournals } from './journals.js';
import { setProcessLabel } from '../metrics/registry.js';

const config: Config = JSON.parse(process.env.SHOAL_CONFIG_JSON!);
const socketPath = process.env.SHOAL_COORD_SOCKET!;
const log = createLogger('coordinator', config.logLevel);
setProcessLabel('coordinator');

// Answered from the first moment, so a long load is not taken for a hang.
process.on('message', (m: { t?: string }) => {
  if (m?.t === 'alive?') process.send?.({ t: 'alive' });
});

process.on('uncaughtException', (err) => {
  log.fatal({ err, code: 'COORDINATOR_CRASH' }, 'uncaught exception in coordinator');
  process.exit(70);
});

async function main(): Promise<void> {
  const store = new FileStore(path.join(config.data, 'world'));
  const started = Date.now();
  const world = await store.open();
  const dir = new Directory(world, store, config);
  dir.onJournalError = (file, err) => log.error({ err, code: 'SCORE_JOURNAL_UNREADABLE', file }, 'cannot read a worker score journal');
  const journalled = replayJournals(dir, config.data, config.workers);
  if (dir.tokensHashedOnLoad > 0) {
    // Shoal 0.1 stored raw tokens: a checkpoint now replaces the files that still hold them.
    await store.checkpoint(dir.snapshotWorld());
    log.info({ sessions: dir.tokensHashedOnLoad }, 'session tokens from an older version now stored as hashes');
  }
  log.info({ sessions: dir.ix.sessionsById.size, rooms: dir.ix.rooms.size, names: dir.ix.leaderboard.size, journalled, tornBytesDropped: store.stats.tornBytesDropped, ms: Date.now() - started }, 'world loaded');

  const workers = new Map<number, Channel>();
  const channels = new Set<Channel>();
  const ctx: OpContext = { dir, config, workers, channels, log, store };
  const ops = createOps(ctx);

  try {
    fs.unlinkSync(socketPath);
  } catch {
    // no stale socket
  }
  const server = net.createServer((sock) => {
    const ch = new Channel(
      sock,
      (op, args, c) => {
        const fn = ops[op];
        if (!fn) throw new CoordError('UNKNOWN_OP', `unknown coordinator op ${op}`);
        return fn(args, c);
      },
      null,
      (c) => {
        channels.delete(c);
        const slot = c.peer.slot as number | undefined;
        if (slot !== undefined && workers.get(slot) === c) {
          workers.delete(slot);
          dir.slots.delete(slot);
          log.warn({ slot }, 'worker channel closed');
        }
      },
    );
    channels.add(ch);
  });
  server.listen(socketPath, () => {
    fs.chmodSync(socketPath, 0o600);
    log.info({ socket: socketPath }, 'coordinator listening');
    process.send?.({ t: 'coordinator.ready' });
  });

  // Durability: appends survive a process crash at once; fsync bounds what a machine crash loses.
  const syncEvery = Math.max(config.fsyncMs, 5);
  const syncTimer = setInterval(() => {
    store.sync().catch((err) => log.error({ err }, 'fsync failed'));
  }, syncEvery);
  const sweepTimer = setInterval(() => dir.sweepUnused(60_000), 15_000);
  sweepTimer.unref();
  const checkpointTimer = setInterval(() => {
    if (dir.changesSinceCheckpoint === 0 && store.stats.logBytes < 64 * 1024 * 1024) return;
    dir.changesSinceCheckpoint = 0;
    store.checkpoint(dir.snapshotWorld()).catch((err) => log.error({ err }, 'checkpoint failed'));
  }, 10_000);

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(syncTimer);
    clearInterval(checkpointTimer);
    try {
      await store.checkpoint(dir.snapshotWorld());
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
    await store.checkpoint(dir.snapshotWorld());
    dir.changesSinceCheckpoint = 0;
  };
  process.on('message', (m: { t?: string }) => {
    if (m?.t === 'coordinator.stop') void stop('asked by primary');
  });
  // The primary is gone: nobody can reach us through it, so save and leave.
  process.on('disconnect', () => void stop('primary gone'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => {});
}

main().catch((err) => {
  log.fatal({ err, code: (err as { code?: string }).code ?? 'COORDINATOR_START_FAILED' }, 'coordinator failed to start');
  process.exit(70);
});
