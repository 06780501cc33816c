// "No score a player has seen is lost", when a whole host can die (--store redis): a state that
// shows a new score must not reach a player before that score is in Redis, or a host killed in
// between leaves the player with a score the host that takes the room over never heard of. So
// while a room's score flush awaits its acknowledgement (the coordinator answers once Redis has
// it), what the room sends is queued, already encoded, in order, and written when every awaited
// acknowledgement is in (or failed: then the scores wait in the worker and its journal, as with
// one host, and play goes on). Nothing is queued while no acknowledgement is awaited, so steady
// play without scores costs nothing; with the file store no acknowledgement is awaited at all
// (the worker's journal, on this host's disk, covers a crash).
import type { Outbound } from './outbound.js';
import type { SeatConn } from './seat-conn.js';

export class ScoreHold {
  private awaited = 0;
  /** Queued sends, two parallel arrays (no object per send). */
  private conns: SeatConn[] = [];
  private outs: Outbound[] = [];

  /** Whether a send now must be queued. */
  get holding(): boolean {
    return this.awaited > 0;
  }

  /** Holds what the room sends until `ack` settles (either way). */
  await(ack: PromiseLike<unknown>): void {
    this.awaited++;
    const done = () => this.settled();
    ack.then(done, done);
  }

  push(conn: SeatConn, out: Outbound): void {
    this.conns.push(conn);
    this.outs.push(out);
  }

  private settled(): void {
    if (--this.awaited > 0) return;
    const conns = this.conns;
    const outs = this.outs;
    this.conns = [];
    this.outs = [];
    // A connection that closed meanwhile drops what it is given, as it would have then.
    for (let i = 0; i < conns.length; i++) conns[i]!.sendOut(outs[i]!);
  }
}
