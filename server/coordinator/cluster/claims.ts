// The rooms this host holds in the shared world, with the epoch it claimed each at: a join to a
// room held here needs no Redis round trip, and a room that ends here is released (ownership.ts
// deletes the owner key only if it is still this host's claim of that epoch, so a room another
// host took over meanwhile is left alone).
import type { Logger } from 'pino';
import type { ClaimResult, Ownership, RoomPlace } from './ownership.js';

export class Claims {
  /** room -> epoch this host claimed it at */
  private readonly held = new Map<string, number>();

  constructor(private readonly owner: Ownership, private readonly log: Logger) {}

  get hostId(): string {
    return this.owner.hostId;
  }

  has(room: string): boolean {
    return this.held.has(room);
  }

  get size(): number {
    return this.held.size;
  }

  /** Where `room` lives; a room found to be this host's is remembered as held. */
  async locate(room: string): Promise<RoomPlace> {
    const p = await this.owner.locate(room);
    if (p.at === 'here') this.held.set(room, p.epoch);
    return p;
  }

  /** Claims `room` (one Lua script: only one host wins); a room won is held from here on. */
  async claim(room: string): Promise<ClaimResult> {
    const c = await this.owner.claim(room);
    if (c.at === 'here') this.held.set(room, c.epoch);
    return c;
  }

  /** Claims many rooms, all in flight at once (at start: the rooms this host still runs); returns those another live host holds. */
  async claimAll(rooms: readonly string[]): Promise<string[]> {
    const results = await Promise.all(rooms.map((id) => this.claim(id)));
    return rooms.filter((_, i) => results[i]!.at === 'elsewhere');
  }

  /** The room is no longer run here: its claim goes (not awaited; a failure leaves a claim a later claim of a dead host's room overrides). */
  release(room: string): void {
    const epoch = this.held.get(room);
    if (epoch === undefined) return;
    this.held.delete(room);
    this.owner.release(room, epoch).catch((err: Error) => this.log.warn({ room, err: err.message }, 'room claim not released'));
  }

  /** Forgets a room another host has taken (fencing found it lost): nothing is released. */
  forget(room: string): void {
    this.held.delete(room);
  }
}
