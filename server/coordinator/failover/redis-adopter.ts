// Adopting a dead host's room (--store redis): once this host has claimed it (cluster/ownership.ts),
// its records — the room, its last snapshot, the sessions seated in it — are read from Redis into
// this host's directory, so the player resuming here gets the room back from its snapshot with its
// score. The room goes to a live worker of this host (the dead host's slot numbers mean nothing
// here), and moves from the dead host's room index to this one's.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CodedError } from '../../../shared/errors/coded-error.js';
import type { Adopter } from '../cluster/adopt.js';
import { KEYS } from '../redis/keys.js';
import type { Directory } from '../directory/directory.js';
import { readRoomsFromRedis } from '../store/redis-rooms.js';
import { GAME_OF_OLD_ROOMS, type RoomRecord } from '../store/types.js';

export interface RedisAdopterOptions {
  hostId: string;
  /** The capacity of a room whose record was never written (its host died first). */
  roomCapacity: number;
  /** This host holds the room at that epoch from now on (fencing.ts checks it). */
  holds(room: string, epoch: number): void;
  log: Logger;
}

export class RedisAdopter implements Adopter {
  /** Adoptions under way: players of one room resuming at once share one. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly redis: Redis, private readonly dir: Directory, private readonly o: RedisAdopterOptions) {}

  /**
   * Idempotent: a room already here only has its epoch noted, and a second call while the first
   * reads waits for it. Safe to call whenever a claim says the room is this host's and the
   * directory does not hold it (after a self-fence, too).
   */
  adopt(room: string, from: string, epoch: number): Promise<void> {
    if (this.dir.placement.room(room)) {
      this.o.holds(room, epoch);
      return Promise.resolve();
    }
    let p = this.pending.get(room);
    if (!p) {
      p = this.load(room, from, epoch).finally(() => this.pending.delete(room));
      this.pending.set(room, p);
    }
    return p;
  }

  private async load(room: string, from: string, epoch: number): Promise<void> {
    const t0 = Date.now();
    const [stored] = await readRoomsFromRedis(this.redis, [room]).catch((err: Error) => {
      throw new CodedError('UNAVAILABLE', `redis: ${err.message}`);
    });
    const { record, snapshot, sessions } = stored!;
    // Nothing left of it (its last player left, or its sessions lapsed): nothing to bring back;
    // the resume that asked finds no session and is told so (BAD_TOKEN).
    if (record === null && sessions.length === 0) return;
    if (this.dir.placement.room(room)) return this.o.holds(room, epoch);
    const slot = this.dir.placement.slotForAdopted();
    if (slot === undefined) throw new CodedError('UNAVAILABLE', 'no worker of this host is up yet; try again');
    const rec = recordOf(room, record, snapshot, slot, this.o.roomCapacity);
    this.dir.adoptRoom(rec, sessions);
    this.o.holds(room, epoch);
    // The dead host's index no longer lists it (this host's gets it with the room record's write).
    if (from !== '' && from !== this.o.hostId) await this.redis.srem(KEYS.hostRooms(from), room).catch(() => {});
    this.o.log.info({ code: 'ROOM_ADOPTED', room, from, epoch, slot, players: sessions.length, snapshot: snapshot !== undefined, ms: Date.now() - t0 }, 'room taken over from a host that is gone');
  }
}

/** The room's record as this host will run it: the stored one (its owner's `host` dropped) on a local slot. */
function recordOf(id: string, record: (RoomRecord & { host?: string }) | null, snapshot: unknown, slot: number, capacity: number): RoomRecord {
  let rec: RoomRecord;
  if (record !== null) {
    const { host: _host, ...stored } = record;
    rec = { ...stored, id, slot };
  } else {
    // Its host died before the record reached Redis: its game is the snapshot's, else the default.
    const game = (snapshot as { game?: unknown } | undefined)?.game;
    rec = { id, slot, capacity, game: typeof game === 'string' ? game : GAME_OF_OLD_ROOMS };
  }
  if (snapshot !== undefined) rec.snapshot = snapshot;
  return rec;
}
