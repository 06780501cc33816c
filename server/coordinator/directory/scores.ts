// Players' scores into the store: from workers as they change, from a worker's hello, and from
// the score journals workers write (scores they showed while the coordinator could not hear
// them). Scores are absolute per player and only grow, so a replay or a resend adds nothing twice.
// While the store cannot write (a full disk) a hello's scores are kept in memory and written once
// it can again.
import type { Change } from '../store/types.js';
import { journalPath, readScoreJournal } from '../../scores/score-journal.js';
import type { Ledger } from './ledger.js';

export type ScoreUpdates = Array<[string, number]>;

export class Scores {
  /**
   * Players whose score is in memory but not yet in the store (kept by scoresOrKeep while it could
   * not write). A resend of the same score is written, not taken for a repeat, and persistKept()
   * writes them all once the store can write again.
   */
  private readonly notDurable = new Set<string>();

  constructor(
    private readonly ledger: Ledger,
    private readonly data: string,
    private readonly onJournalError: (file: string, err: Error) => void,
  ) {}

  scores(updates: ScoreUpdates): void {
    const changes: Change[] = [];
    for (const [id, score] of updates) {
      const s = this.ledger.view.sessionsById.get(id);
      if (s && (score > s.score || (score === s.score && this.notDurable.has(id)))) changes.push({ k: 'score', id, score });
    }
    if (changes.length) {
      this.ledger.commit(changes);
      for (const c of changes) if (c.k === 'score') this.notDurable.delete(c.id);
    }
  }

  /**
   * Like scores(), for a worker's hello: while the store cannot write (a full disk) the scores are
   * still applied in memory, so the sessions handed back carry them; false tells the worker they
   * are not durable yet, so it keeps its journal and resends (a later checkpoint also saves them).
   */
  scoresOrKeep(updates: ScoreUpdates): boolean {
    const changes: Change[] = [];
    for (const [id, score] of updates) {
      const s = this.ledger.view.sessionsById.get(id);
      // A score equal to one kept only in memory is not a repeat: it is not in the store yet, and
      // answering "saved" would let the worker cut the journal that still holds it.
      if (s && (score > s.score || (score === s.score && this.notDurable.has(id)))) changes.push({ k: 'score', id, score });
    }
    if (!changes.length) return true;
    try {
      this.ledger.commit(changes);
      for (const c of changes) if (c.k === 'score') this.notDurable.delete(c.id);
      return true;
    } catch {
      this.ledger.keepInMemory(changes);
      for (const c of changes) if (c.k === 'score') this.notDurable.add(c.id);
      return false;
    }
  }

  /** The store writes again: the scores kept only in memory meanwhile are written now. */
  persistKept(): void {
    if (this.notDurable.size === 0) return;
    const changes: Change[] = [];
    for (const id of this.notDurable) {
      const s = this.ledger.view.sessionsById.get(id);
      if (s) changes.push({ k: 'score', id, score: s.score });
    }
    if (changes.length) this.ledger.commit(changes);
    this.notDurable.clear();
  }

  /**
   * Applies the score journal of the worker in `slot` (scores it showed while its link was
   * down). Called before that slot's rooms and sessions are handed to any worker; idempotent.
   */
  replayJournal(slot: number, apply: (u: ScoreUpdates) => void = (u) => this.scores(u)): number {
    const file = journalPath(this.data, slot);
    let u: ScoreUpdates;
    try {
      u = readScoreJournal(file);
    } catch (err) {
      // Unreadable: the slot still gets its rooms (refusing would strand its players too).
      this.onJournalError(file, err as Error);
      return 0;
    }
    if (u.length) apply(u);
    return u.length;
  }
}
