// The one write path of the coordinator's durable state (sessions, rooms, scores, kv): every
// change goes through `commit`, which writes it to the store before it is applied in memory, so
// an answer that leaves the process never shows a change a crash would lose. The in-memory index
// is private; the other parts of the directory read it through a read-only view.
import { applyChange, indexState, stateOf, type StateIndex } from '../store/apply.js';
import type { Change, SavedState, RoomRecord, SessionRecord, StateStore } from '../store/types.js';

/** The durable world, read-only: only the ledger's methods change it. */
export interface WorldView {
  readonly nextPlayer: number;
  readonly sessionsById: ReadonlyMap<string, Readonly<SessionRecord>>;
  /** keyed by the hash of the session's token */
  readonly sessionsByTokenHash: ReadonlyMap<string, Readonly<SessionRecord>>;
  readonly leaderboard: ReadonlyMap<string, number>;
  readonly rooms: ReadonlyMap<string, Readonly<RoomRecord>>;
  readonly kv: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
}

export class Ledger {
  private readonly ix: StateIndex;
  private uncheckpointed = 0;
  /** Grows whenever a change may have moved the leaderboard (a score, a new session). */
  private scoreVersion = 0;

  constructor(world: SavedState, private readonly store: StateStore) {
    this.ix = indexState(world);
  }

  get view(): WorldView {
    return this.ix;
  }

  /**
   * Written first, applied after: when the store cannot write (a full disk), the change is not in
   * memory either, so the caller's error is the whole truth and a resend is not taken for a repeat.
   */
  commit(changes: Change[]): void {
    this.store.append(changes);
    this.apply(changes);
    this.uncheckpointed += changes.length;
  }

  /**
   * For facts that are learnt again from live processes (which worker runs a room, a session
   * whose room is gone): kept in memory even while the store cannot write.
   */
  commitOrKeep(changes: Change[]): void {
    try {
      this.commit(changes);
    } catch {
      this.apply(changes);
    }
  }

  /**
   * Applies changes in memory only, for a caller that has just seen `commit` fail and keeps
   * track itself of what is not durable yet (Scores.scoresOrKeep).
   */
  keepInMemory(changes: Change[]): void {
    this.apply(changes);
  }

  /** The number of the next session: from the store when hosts share it, else the saved counter. */
  takePlayerNumber(): number {
    return this.store.takePlayerNumber?.() ?? this.ix.nextPlayer;
  }

  /** Latest room snapshot; kept in memory, written at each checkpoint. */
  setRoomSnapshot(id: string, snapshot: unknown): void {
    const r = this.ix.rooms.get(id);
    if (r) r.snapshot = snapshot;
  }

  /** Forgets a session's raw token (Shoal 0.1 records): it is indexed by its hash already. */
  hashLoadedToken(id: string, tokenHash: string): void {
    const s = this.ix.sessionsById.get(id);
    if (!s) return;
    s.tokenHash = tokenHash;
    delete s.token;
  }

  snapshotState(): SavedState {
    return stateOf(this.ix);
  }

  get leaderboardVersion(): number {
    return this.scoreVersion;
  }

  /** Changes committed since the last checkpoint was taken. */
  get changesSinceCheckpoint(): number {
    return this.uncheckpointed;
  }

  /** A checkpoint is being taken of everything so far: returns the count it covers, now zero. */
  checkpointTaken(): number {
    const n = this.uncheckpointed;
    this.uncheckpointed = 0;
    return n;
  }

  /** That checkpoint failed: its changes still wait for one. */
  checkpointFailed(n: number): void {
    this.uncheckpointed += n;
  }

  private apply(changes: Change[]): void {
    for (const c of changes) {
      applyChange(this.ix, c);
      if (c.k === 'score' || c.k === 'session') this.scoreVersion++;
    }
  }
}
