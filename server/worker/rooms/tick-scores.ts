// The score changes of every room ticked in one pass of a worker's tick loop, written together:
// one journal append and one coordinator request a pass, instead of one for each room that scored
// (each is a write(2) to the journal, a write to the coordinator's socket, and a read, a store
// append and a reply there). A room whose scores wait here holds what it sends (score-hold.ts)
// until they are written, so, as before, no state shows a score before the score is in the
// journal and on its way to the coordinator (with --store redis: acknowledged by it).
export type Scores = Array<[string, number]>;

export class TickScores {
  private scores: Scores = [];
  private done: Promise<void> | null = null;
  private release: (() => void) | null = null;

  /** Takes a room's score changes; the promise settles once they are written (see flush). */
  add(scores: Scores): Promise<void> {
    for (let i = 0; i < scores.length; i++) this.scores.push(scores[i]!);
    return (this.done ??= new Promise<void>((r) => (this.release = r)));
  }

  /**
   * Writes what the pass collected, if anything, with `write`; the rooms' held sends go once the
   * promise `write` returns settles (either way: then the scores wait in the worker for resend, as
   * a failed flush's always did), or at once when it returns none.
   */
  flush(write: (scores: Scores) => PromiseLike<unknown> | undefined): void {
    if (this.scores.length === 0) return;
    const scores = this.scores;
    const release = this.release!;
    this.scores = [];
    this.done = null;
    this.release = null;
    let ack: PromiseLike<unknown> | undefined;
    try {
      ack = write(scores);
    } finally {
      if (ack) ack.then(release, release);
      else release();
    }
  }
}
