// A worker's score journal: every score change it is about to show, written before the state
// that shows it. Each batch is one write(2) to <data>/journal/scores-<slot>.jnl, which survives a
// crash of the worker whatever the coordinator is doing (down, restarting, hung), so a score a
// player has seen has always left the worker process first.
//
// The coordinator applies a slot's journal before it hands that slot's rooms to anyone (the
// replacement worker's hello, a room adopted by another worker, its own start); scores are
// absolute per player and only grow, so applying a journal twice changes nothing. After each hello
// (and otherwise once the journal has grown past a size) the worker cuts its journal down to the
// scores the coordinator has not acknowledged yet: empty when there are none.
//
// Format: one line per batch, a JSON array of [playerId, score] pairs. A line torn by a crash
// of the machine is skipped when read.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

export function journalDir(data: string): string {
  return path.join(data, 'journal');
}

export function journalPath(data: string, slot: number): string {
  return path.join(journalDir(data), `scores-${slot}.jnl`);
}

/** The slot a journal file belongs to, or undefined for a file that is not a journal. */
export function journalSlot(file: string): number | undefined {
  const m = /^scores-(\d+)\.jnl$/.exec(path.basename(file));
  return m ? Number(m[1]) : undefined;
}

export class ScoreJournal {
  private fd = -1;
  /** The file may hold lines: unknown at start (a predecessor's), true after an append. */
  private dirty = true;
  /** Bytes appended by this process since the journal was last emptied. */
  size = 0;
  private failing = false;

  constructor(private readonly file: string, private readonly log: Logger) {}

  append(scores: ReadonlyArray<readonly [string, number]>): void {
    try {
      if (this.fd < 0) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
        this.fd = fs.openSync(this.file, 'a', 0o600);
      }
      const line = Buffer.from(JSON.stringify(scores) + '\n');
      let off = 0;
      while (off < line.length) off += fs.writeSync(this.fd, line, off);
      this.dirty = true;
      this.size += line.length;
      if (this.failing) {
        this.failing = false;
        this.log.info({ file: this.file }, 'score journal writable again');
      }
    } catch (err) {
      // Logged once per failing stretch, not per tick; the scores stay in memory for resend.
      if (!this.failing) this.log.error({ err, code: 'SCORE_JOURNAL_FAILED', file: this.file }, 'cannot write the score journal');
      this.failing = true;
    }
  }

  /** Everything in the journal is acknowledged by the coordinator: empty it. */
  clear(): void {
    if (!this.dirty) return;
    try {
      if (this.fd >= 0) fs.ftruncateSync(this.fd, 0);
      else fs.truncateSync(this.file, 0);
      this.dirty = false;
      this.size = 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.dirty = false;
        this.size = 0;
      }
      else this.log.warn({ err, file: this.file }, 'cannot empty the score journal');
    }
  }

  /**
   * Only `scores` are still unacknowledged: the journal becomes just them. Written to a new file
   * renamed over the old one, so a crash at any moment leaves one whole journal or the other.
   */
  replaceWith(scores: ReadonlyArray<readonly [string, number]>): void {
    const tmp = `${this.file}.tmp`;
    try {
      const line = Buffer.from(JSON.stringify(scores) + '\n');
      fs.writeFileSync(tmp, line, { mode: 0o600 });
      fs.renameSync(tmp, this.file);
      this.close();
      this.fd = fs.openSync(this.file, 'a', 0o600);
      this.dirty = true;
      this.size = line.length;
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'cannot compact the score journal');
    }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/** The highest score per player in a journal file (empty if there is none). */
export function readScoreJournal(file: string): Array<[string, number]> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const best = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    let batch: unknown;
    try {
      batch = JSON.parse(line);
    } catch {
      continue; // torn
    }
    if (!Array.isArray(batch)) continue;
    for (const e of batch) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number' || !Number.isFinite(e[1])) continue;
      if (e[1] > (best.get(e[0]) ?? -Infinity)) best.set(e[0], e[1]);
    }
  }
  return [...best];
}
