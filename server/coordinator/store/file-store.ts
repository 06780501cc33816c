// The embedded store: an append-only log of change batches plus checkpoints, under <data>/world
// (file layout in log-format.ts).
//
// A checkpoint of generation G holds everything written to logs before G; on open, log.G is
// replayed on top of it. The checkpoint before it is kept as checkpoint.prev.bin with the logs
// since its generation, so a bad checkpoint can be rolled back by the repair command.
// On open, an incomplete last record (a write torn by a crash) is cut with a warning; any other
// damage — a failed checksum or a record of the wrong shape anywhere, a checkpoint that is bad or
// missing while the logs show it existed — refuses to load with a StoreDamage naming file and
// offset, rather than dropping data silently.
import fs from 'node:fs';
import path from 'node:path';
import { applyChange, indexState, stateOf } from './apply.js';
import { MAGIC, decodeCheckpoint, encodeCheckpoint, encodeRecord, scanLog, StoreDamage } from './log-format.js';
import { storeFsyncs, storeHealthy, storeWriteFailures } from './store-metrics.js';
import { emptyState, type Change, type SavedState, type StateStore } from './types.js';
import { CodedError } from '../../../shared/errors/coded-error.js';

export interface FileStoreStats {
  generation: number;
  logBytes: number;
  /** The torn tail cut on open, if any. */
  torn?: { file: string; offset: number; bytes: number };
}

export const CHECKPOINT = 'checkpoint.bin';
export const PREV_CHECKPOINT = 'checkpoint.prev.bin';
export const logName = (g: number) => `log.${g}`;

/** Generations of the log files in a store directory, ascending. */
export function logGenerations(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^log\.(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The generation in a checkpoint's header, or -1 when there is no readable header. */
function headerGeneration(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return -1;
  }
  try {
    const head = Buffer.alloc(8);
    return fs.readSync(fd, head, 0, 8, 0) === 8 && head.subarray(0, 4).equals(MAGIC) ? head.readUInt32BE(4) : -1;
  } finally {
    fs.closeSync(fd);
  }
}

export class FileStore implements StateStore {
  private fd = -1;
  private gen = 0;
  /** Appends made / appends known fsynced, to share one fsync among many writers. */
  private appended = 0;
  private synced = 0;
  private syncing: Promise<void> | null = null;
  private syncQueued = false;
  private waiters: Array<{ upTo: number; resolve: () => void; reject: (e: Error) => void }> = [];
  /** Set when a failed append could not be cut back: no append may land after a partial record. */
  private cutPending = false;
  private problem: string | undefined;
  readonly stats: FileStoreStats = { generation: 0, logBytes: 0 };

  /** `onHealth` hears each change between writable and not, when it happens. */
  constructor(private readonly dir: string, private readonly onHealth: (h: { ok: boolean; reason?: string }) => void = () => {}) {}

  /** How many appends were made so far (a caller compares it before and after its work). */
  get appends(): number {
    return this.appended;
  }

  /** How many of those are known fsynced. */
  get syncedAppends(): number {
    return this.synced;
  }

  health(): { ok: boolean; reason?: string } {
    return this.problem ? { ok: false, reason: this.problem } : { ok: true };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- StateStore is async (a backend may do I/O); this one works synchronously on purpose, and `async` keeps its throws as rejections
  async open(): Promise<SavedState> {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.rmSync(path.join(this.dir, 'checkpoint.tmp'), { force: true });
    fs.rmSync(path.join(this.dir, 'checkpoint.prev.tmp'), { force: true });
    const cpFile = path.join(this.dir, CHECKPOINT);
    // An empty log newer than every checkpoint is what an older version left when it crashed
    // between creating the next log and renaming its checkpoint in: nothing was ever in it.
    const cpGen = headerGeneration(cpFile);
    for (const g of logGenerations(this.dir).reverse()) {
      if (cpGen < 0 || g <= cpGen || fs.statSync(this.logPath(g)).size !== 0) break;
      fs.rmSync(this.logPath(g));
    }
    const logs = logGenerations(this.dir);
    const newestLog = logs.length ? logs[logs.length - 1]! : 0;
    let world = emptyState();
    if (fs.existsSync(cpFile)) {
      const cp = decodeCheckpoint(cpFile, fs.readFileSync(cpFile));
      world = cp.world;
      this.gen = cp.generation;
    } else if (fs.existsSync(path.join(this.dir, PREV_CHECKPOINT))) {
      throw new StoreDamage(cpFile, 0, `file is missing but ${PREV_CHECKPOINT} exists (a checkpoint was written)`);
    } else if (newestLog > 0) {
      throw new StoreDamage(cpFile, 0, `file is missing but ${logName(newestLog)} exists (the log starts after a checkpoint)`);
    }
    if (newestLog > this.gen) {
      throw new StoreDamage(path.join(this.dir, logName(newestLog)), 0, `log is newer than ${CHECKPOINT} (generation ${this.gen}): a later checkpoint is missing`);
    }
    const ix = indexState(world);
    const file = this.logPath(this.gen);
    if (fs.existsSync(file)) {
      const scan = scanLog(fs.readFileSync(file), true);
      const bad = scan.damage[0];
      if (bad) throw new StoreDamage(file, bad.offset, bad.reason);
      for (const batch of scan.batches) for (const c of batch) applyChange(ix, c);
      if (scan.torn) {
        fs.truncateSync(file, scan.torn.offset);
        this.stats.torn = { file, ...scan.torn };
      }
    }
    this.fd = fs.openSync(file, 'a');
    this.syncDir();
    this.stats.generation = this.gen;
    this.stats.logBytes = fs.fstatSync(this.fd).size;
    storeHealthy.set(1);
    return stateOf(ix);
  }

  append(changes: Change[]): void {
    if (changes.length === 0) return;
    if (this.fd < 0) throw new CodedError('STORE_CLOSED', 'store is not open');
    const rec = encodeRecord(changes);
    try {
      if (this.cutPending) this.cutBack();
      let off = 0;
      while (off < rec.length) off += fs.writeSync(this.fd, rec, off);
    } catch (err) {
      // A full disk can take part of a record: cut it back so the log never holds a torn record
      // in its middle once later appends succeed.
      try {
        this.cutBack();
      } catch {
        this.cutPending = true;
      }
      throw this.failed(err, 'write');
    }
    this.stats.logBytes += rec.length;
    this.appended++;
    if (this.problem) this.recovered();
  }

  /** Resolves once every append made so far is fsynced; all callers of one turn share one fsync. */
  durable(): Promise<void> {
    if (this.synced === this.appended) return Promise.resolve();
    const upTo = this.appended;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ upTo, resolve, reject });
      this.queueSync();
    });
  }

  async sync(): Promise<void> {
    if (this.synced !== this.appended) await this.durable();
  }

  private queueSync(): void {
    if (this.syncQueued || this.syncing) return;
    this.syncQueued = true;
    // After this turn's I/O callbacks: every append made in the turn rides on the same fsync.
    setImmediate(() => {
      this.syncQueued = false;
      this.syncing = this.runSync().finally(() => {
        this.syncing = null;
        if (this.waiters.length) this.queueSync();
      });
    });
  }

  private async runSync(): Promise<void> {
    const upTo = this.appended;
    const fd = this.fd;
    let err: Error | null = null;
    if (fd >= 0) {
      err = await new Promise<Error | null>((resolve) => fs.fdatasync(fd, (e) => resolve(e)));
      storeFsyncs.inc();
    }
    if (err) this.failed(err, 'fsync');
    else this.synced = Math.max(this.synced, upTo);
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.upTo <= upTo) {
        if (err) w.reject(new CodedError('STORE_UNAVAILABLE', `store: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
        else w.resolve();
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- StateStore is async (a backend may do I/O); this one works synchronously on purpose, and `async` keeps its throws as rejections
  async checkpoint(world: SavedState): Promise<void> {
    if (this.fd < 0) throw new CodedError('STORE_CLOSED', 'store is not open');
    const next = this.gen + 1;
    const oldGen = this.gen;
    const tmp = path.join(this.dir, 'checkpoint.tmp');
    const prevTmp = path.join(this.dir, 'checkpoint.prev.tmp');
    const cpFile = path.join(this.dir, CHECKPOINT);
    try {
      // The old log is the rollback generation's history: make it whole before moving on.
      fs.fsyncSync(this.fd);
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        for (const part of encodeCheckpoint(next, world)) {
          let off = 0;
          while (off < part.length) off += fs.writeSync(fd, part, off);
        }
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      // Keep the checkpoint being replaced as the previous generation. A hard link costs no space;
      // every step leaves a loadable directory (checkpoint.bin is never missing).
      if (fs.existsSync(cpFile)) {
        fs.rmSync(prevTmp, { force: true });
        try {
          fs.linkSync(cpFile, prevTmp);
        } catch {
          fs.copyFileSync(cpFile, prevTmp);
        }
        fs.renameSync(prevTmp, path.join(this.dir, PREV_CHECKPOINT));
      }
      fs.renameSync(tmp, cpFile);
      this.syncDir();
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      fs.rmSync(prevTmp, { force: true });
      throw this.failed(err, 'checkpoint');
    }
    // Nothing can append between the rename and this switch: it is all one synchronous run.
    const oldFd = this.fd;
    this.fd = fs.openSync(this.logPath(next), 'a');
    this.gen = next;
    this.syncDir();
    // The old log was fsynced above; a fsync still running on its descriptor finishes first.
    const closeOld = () => fs.closeSync(oldFd);
    if (this.syncing) void this.syncing.then(closeOld, closeOld);
    else closeOld();
    this.synced = this.appended;
    // Logs older than the previous generation roll back to nothing any more.
    for (const g of logGenerations(this.dir)) if (g < oldGen) fs.rmSync(this.logPath(g), { force: true });
    this.stats.generation = next;
    this.stats.logBytes = 0;
  }

  async close(): Promise<void> {
    if (this.fd < 0) return;
    await this.syncing;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  private cutBack(): void {
    fs.ftruncateSync(this.fd, this.stats.logBytes);
    this.cutPending = false;
  }

  private failed(err: unknown, what: string): CodedError {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    storeWriteFailures.inc({ code });
    storeHealthy.set(0);
    const was = this.problem;
    this.problem = `store: ${code}`;
    if (was !== this.problem) this.onHealth({ ok: false, reason: this.problem });
    return new CodedError('STORE_UNAVAILABLE', `store: ${code} (${what})`);
  }

  private recovered(): void {
    this.problem = undefined;
    storeHealthy.set(1);
    this.onHealth({ ok: true });
  }

  private logPath(g: number): string {
    return path.join(this.dir, logName(g));
  }

  private syncDir(): void {
    try {
      const d = fs.openSync(this.dir, 'r');
      fs.fsyncSync(d);
      fs.closeSync(d);
    } catch {
      // Some filesystems refuse fsync on a directory; the rename is still atomic.
    }
  }
}
