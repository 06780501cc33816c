// The primary's copy of the coordinator's QuickSeatsBoard, to place a quick-join (a hello naming
// no room and no token, whose game the primary has read) on a worker with no round trip to the
// coordinator. The worker's join then seats it in a room of its game on that worker, making one
// if none there has a free seat (placement.ts, chooseSeat), so a placement here never relays.
//   - A slot with free seats of the game: the one with the fewest (so rooms fill up, and two
//     players waiting for a game of two meet). Each placement takes a seat off this copy until
//     the next board says how many are really left.
//   - None: the players are sent, a room's worth at a time, to the least loaded slot taking rooms,
//     which makes them one room, as matchmaking would.
//   - No fresh board (at start, the coordinator away or restarting), or a game this server does
//     not run (a hello may name any): undefined, and the acceptor asks the coordinator's `route`
//     as before. So what is kept here per game is bounded by the games the server runs.
import type { QuickSeatsBoard } from '../../ipc/coordinator-ops.js';

/** A board older than this is not trusted (the coordinator sends one at least every second). */
export const QUICK_BOARD_STALE_MS = 3000;

interface GameSeats {
  seats: number;
  /** slot -> free seats left in this copy */
  free: Map<number, number>;
}

export class QuickSeats {
  private slots = new Set<number>();
  private readonly games = new Map<string, GameSeats>();
  private defaultSeats = 1;
  private at = -Infinity;
  /** Per game, the slot now taking a room's worth of players that no board has shown yet, and how many more it takes. */
  private readonly filling = new Map<string, { slot: number; left: number }>();

  /** `games`: the names of the games this server runs. */
  constructor(private readonly known: ReadonlySet<string>, private readonly now: () => number = Date.now) {}

  /** A board from the coordinator: this copy starts again from it. */
  update(b: QuickSeatsBoard): void {
    this.at = this.now();
    this.slots = new Set(b.slots);
    this.defaultSeats = b.seats;
    this.games.clear();
    for (const [game, seats, free] of b.games) this.games.set(game, { seats, free: new Map(free) });
  }

  /**
   * The slot to hand a quick-join of `game` to, among `running` (workers able to take it), or
   * undefined when this copy cannot say. `load(slot)`: connections the slot holds now.
   */
  place(game: string, running: readonly number[], load: (slot: number) => number): number | undefined {
    if (this.now() - this.at > QUICK_BOARD_STALE_MS || !this.known.has(game)) return undefined;
    const open = running.filter((s) => this.slots.has(s));
    if (open.length === 0) return undefined;
    const g = this.games.get(game);
    if (g) {
      let best: number | undefined;
      let bestFree = Infinity;
      for (const s of open) {
        const f = g.free.get(s) ?? 0;
        if (f > 0 && f < bestFree) {
          best = s;
          bestFree = f;
        }
      }
      if (best !== undefined) {
        g.free.set(best, bestFree - 1);
        return best;
      }
    }
    const f = this.filling.get(game);
    if (f && f.left > 0 && open.includes(f.slot)) {
      f.left--;
      return f.slot;
    }
    let slot = open[0]!;
    for (const s of open) if (load(s) < load(slot)) slot = s;
    this.filling.set(game, { slot, left: (g?.seats ?? this.defaultSeats) - 1 });
    return slot;
  }
}
