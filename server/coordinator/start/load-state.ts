// Start steps 2 and 3: load the state the store holds into the directory, then replay the worker
// score journals (scores shown by workers that died while the coordinator was away). Session
// tokens an older version stored raw are rewritten as hashes before anything is served.
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { Directory } from '../directory/directory.js';
import { replayJournals } from '../scores/journals.js';
import type { OpenedStore } from './open-store.js';

export async function loadState(opened: OpenedStore, config: Config, log: Logger, started: number): Promise<Directory> {
  const { store, saved } = opened;
  const dir = new Directory(saved, store, config, {
    onJournalError: (file, err) => log.error({ err, code: 'SCORE_JOURNAL_UNREADABLE', file }, 'cannot read a worker score journal'),
  });
  // Scores kept only in memory while the store could not write are written once it can.
  opened.whenWritable(() => {
    try {
      dir.persistKept();
    } catch (err) {
      log.warn({ err }, 'scores kept in memory not written yet');
    }
  });
  const journalled = replayJournals(dir, config.data, config.workers);
  if (dir.tokensHashedOnLoad > 0) {
    // Shoal 0.1 stored raw tokens: checkpoints now replace the files that still hold them. Twice,
    // because a checkpoint keeps the generation before it (checkpoint.prev.bin and its logs) for
    // rollback, and that generation must not be the one with the raw tokens either.
    await store.checkpoint(dir.snapshotState());
    await store.checkpoint(dir.snapshotState());
    log.info({ sessions: dir.tokensHashedOnLoad }, 'session tokens from an older version now stored as hashes');
  }
  const torn = opened.file?.stats.torn;
  log.info({ sessions: dir.ix.sessionsById.size, rooms: dir.ix.rooms.size, names: dir.ix.leaderboard.size, journalled, tornBytesDropped: torn?.bytes ?? 0, ms: Date.now() - started }, 'world loaded');
  return dir;
}
