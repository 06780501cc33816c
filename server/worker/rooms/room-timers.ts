// The timers a room owns (a turn timer, a bot's delay): the room's end cancels every one still
// pending, so an ended room never runs again and holds nothing alive. A timer's callback runs
// inside a guard: a game's throw is logged by the host, not the worker's end.
import type { RoomTimers, TimerHandle } from '../../game-api/index.js';

export class RoomTimerSet implements RoomTimers {
  private readonly live = new Set<NodeJS.Timeout>();
  private ended = false;
  /** Where a callback's throw goes (set by the host: its logger). */
  onError: (err: unknown) => void = () => {};

  after(ms: number, fn: () => void): TimerHandle {
    if (this.ended) return { cancel: () => {} };
    const t = setTimeout(() => {
      this.live.delete(t);
      this.run(fn);
    }, ms);
    this.live.add(t);
    return { cancel: () => this.clear(t) };
  }

  every(ms: number, fn: () => void): TimerHandle {
    if (this.ended) return { cancel: () => {} };
    const t = setInterval(() => this.run(fn), ms);
    this.live.add(t);
    return { cancel: () => this.clear(t) };
  }

  /** Timers still pending. */
  get size(): number {
    return this.live.size;
  }

  cancelAll(): void {
    this.ended = true;
    for (const t of this.live) clearTimeout(t);
    this.live.clear();
  }

  private clear(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.live.delete(t);
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }
}
