// Counts coins taken in this room into the world counter `arena.coinsTaken` (shown on /health and
// by world.stats). Batched: one incr a second at most per room, not one per coin, so the
// coordinator's log grows with time, not with play; a room that ends or crashes can lose up to a
// second of counts.
import type { World } from '../../game-api/index.js';
import { ARENA_KEYS } from './world-keys.js';

const FLUSH_MS = 1000;

export class CoinTally {
  private pending = 0;
  private inFlight = false;
  private lastFlush = 0;

  constructor(private readonly world: World) {}

  taken(n = 1): void {
    this.pending += n;
  }

  tick(now = Date.now()): void {
    if (this.pending === 0 || this.inFlight || now - this.lastFlush < FLUSH_MS) return;
    const n = this.pending;
    this.pending = 0;
    this.inFlight = true;
    this.lastFlush = now;
    this.world.incr(ARENA_KEYS.coinsTaken, n).then(
      () => (this.inFlight = false),
      (err: { code?: string }) => {
        this.inFlight = false;
        // Keep the count for the next try, unless the room is gone for good.
        if (err.code !== 'ROOM_CLOSED') this.pending += n;
      },
    );
  }
}
