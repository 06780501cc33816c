// Expiry of what the directory holds only for a while: lapsed placements, last minute's room
// counts per address, and rooms made for a connection that never played in them (it closed
// between the room being made and its welcome, so no seat, no snapshot, no reservation).
import type { Placement } from './placement.js';

export class Sweeper {
  /** `dropRoom` removes a room for good (the directory's roomGone). */
  constructor(private readonly placement: Placement, private readonly dropRoom: (id: string) => void) {}

  /** Sweeps once; returns how many unused rooms went (older than `olderThanMs`). */
  sweep(olderThanMs: number, now = Date.now()): number {
    const p = this.placement;
    p.expirePlacements(now);
    p.forgetOldRoomCounts(now);
    let n = 0;
    for (const [id, at] of p.madeRooms()) {
      const r = p.room(id);
      if (!r || r.snapshot !== undefined) {
        p.forgetMade(id); // gone, or it ran: not this sweep's to judge
        continue;
      }
      if (p.seatedIn(id).size > 0) continue;
      if (now - at < olderThanMs || p.reservedIn(id, now) > 0) continue;
      p.forgetMade(id);
      this.dropRoom(id);
      n++;
    }
    return n;
  }
}
