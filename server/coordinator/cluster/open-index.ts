// The world-wide index of rooms with free quick-join seats (`shoal:open:<game>` HASH room -> JSON
// {host, free}), so a host with no free seat of a game sends a quick-join player to another host's
// room rather than open a half-empty room of its own. Each host writes only its own rooms: a
// room's entry is set while it is open with a free seat and removed when it fills, closes
// (RoomContext.setOpen) or ends. Changes are gathered for one event-loop turn and written in one
// pipeline, and only when a room's free count changed; what Redis refused is written again later.
// A reader skips the entries of hosts whose heartbeat is gone (dead hosts' rooms are not offered).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { advertiseIn } from './host-address.js';
import { KEYS } from '../redis/keys.js';

/** What the index needs of the directory: a room's game and free quick-join seats, or undefined when it offers none. */
export type QuickFree = (room: string) => { game: string; free: number } | undefined;

// KEYS[1] the game's open hash; ARGV[1] this host, ARGV[2] heartbeat key prefix.
// -> {room, heartbeat JSON} of the live other host's room with the fewest free seats (> 0), or nil.
const PICK = `
local all = redis.call('HGETALL', KEYS[1])
local hb = {}
local best, bestFree, bestBeat = nil, nil, nil
for i = 1, #all, 2 do
  local ok, e = pcall(cjson.decode, all[i + 1])
  if ok and type(e) == 'table' and e.host ~= ARGV[1] and type(e.free) == 'number' and e.free > 0 then
    local beat = hb[e.host]
    if beat == nil then
      beat = redis.call('GET', ARGV[2] .. e.host) or false
      hb[e.host] = beat
    end
    if beat and (bestFree == nil or e.free < bestFree) then
      best, bestFree, bestBeat = all[i], e.free, beat
    end
  end
end
if not best then return false end
return {best, bestBeat}
`;

/** How long a write Redis refused waits before it is tried again. */
const RETRY_MS = 1000;

export class OpenIndex {
  /** Rooms whose entry may need writing at the end of this turn. */
  private dirty = new Set<string>();
  /** What this host last wrote for each of its rooms in the index: game and free seats. */
  private readonly written = new Map<string, { game: string; free: number }>();
  private scheduled = false;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly hostId: string,
    private readonly quickFree: QuickFree,
    private readonly log: Logger,
  ) {}

  /** A room's seats, openness or existence changed: its entry is brought up to date at the end of this turn. */
  changed(room: string): void {
    this.dirty.add(room);
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Writes every pending change in one pipeline; resolves once Redis answered (or refused: then tried again later). */
  async flush(): Promise<void> {
    this.scheduled = false;
    if (this.dirty.size === 0 || this.closed) return;
    const rooms = this.dirty;
    this.dirty = new Set();
    const p = this.redis.pipeline();
    const wrote: Array<[string, { game: string; free: number } | undefined]> = [];
    for (const room of rooms) {
      const now = this.quickFree(room);
      const was = this.written.get(room);
      const offer = now && now.free > 0 ? now : undefined;
      if (offer && was && offer.game === was.game && offer.free === was.free) continue;
      if (!offer && !was) continue;
      if (was && (!offer || offer.game !== was.game)) p.hdel(KEYS.open(was.game), room);
      if (offer) p.hset(KEYS.open(offer.game), room, JSON.stringify({ host: this.hostId, free: offer.free }));
      wrote.push([room, offer]);
    }
    if (wrote.length === 0) return;
    try {
      const results = (await p.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0]!;
      for (const [room, offer] of wrote) {
        if (offer) this.written.set(room, { ...offer });
        else this.written.delete(room);
      }
    } catch (err) {
      for (const [room] of wrote) this.dirty.add(room);
      this.log.warn({ err: (err as Error).message, rooms: wrote.length }, 'open rooms not written to redis; trying again');
      if (!this.retry && !this.closed) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.flush();
        }, RETRY_MS);
      }
    }
  }

  /**
   * At start: this host's entries left by its previous run go (from every game's index), then
   * `rooms` (the ones it runs now) are offered again.
   */
  async restart(rooms: Iterable<string>): Promise<void> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', KEYS.open('*'), 'COUNT', 100);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    for (const key of keys) {
      const all = await this.redis.hgetall(key);
      const mine = Object.entries(all).filter(([, v]) => {
        try {
          return (JSON.parse(v) as { host?: unknown }).host === this.hostId;
        } catch {
          return false;
        }
      });
      if (mine.length > 0) await this.redis.hdel(key, ...mine.map(([room]) => room));
    }
    for (const room of rooms) this.dirty.add(room);
    await this.flush();
  }

  /** The live other host's room of `game` with the fewest free seats, and that host's address; undefined when none has one. */
  async pickRemote(game: string): Promise<{ room: string; advertise: string } | undefined> {
    const r = (await this.redis.eval(PICK, 1, KEYS.open(game), this.hostId, KEYS.host(''))) as [string, string] | null;
    if (!r) return undefined;
    const advertise = advertiseIn(r[1]);
    return advertise ? { room: r[0], advertise } : undefined;
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }
}
