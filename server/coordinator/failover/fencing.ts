// Two hosts never run one room (--store redis). A host stops running a room as soon as it learns
// another host owns it: every ttl/3 it reads the owner (`shoal:owner:<room>`) of every room it
// holds, and a room whose owner is another host is lost: forgotten here (nothing written: the
// records are the new owner's) and dropped by its worker, whose players get `bye` `restart` and
// resume where the room runs now.
// A host that cannot renew its heartbeat for the TTL minus a margin fences itself before any
// other host can claim its rooms (a claim needs the heartbeat gone): its workers drop every room
// and it seats nobody; once the heartbeat is renewed, the rooms still its own play again (their
// players resume here, from the last snapshot) and the others are forgotten.
// The last guard, against a write already on its way when the owner changed, is in the writes
// themselves (store/fenced-writes.ts). Outside cluster/ (which the store imports): it reads
// and changes the directory.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Directory } from '../directory/directory.js';
import { KEYS } from '../redis/keys.js';

/** What fencing needs of the heartbeat (cluster/hosts.ts's Hosts): told when it lapses and when it is back. */
export interface HeartbeatEvents {
  onLost(fn: () => void): void;
  onRenewed(fn: () => void): void;
}

export interface FencingOptions {
  hostId: string;
  ttlMs: number;
  /** Tells every worker to drop these rooms at once (the `rooms.drop` push). */
  drop(ids: string[]): void;
  log: Logger;
}

export class Fencing {
  /** Room -> the epoch this host holds it at (claimed, adopted, or first read as this host's). */
  private readonly epochs = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private fenced = false;
  private unfencing = false;
  private stopped = false;

  constructor(private readonly redis: Redis, private readonly dir: Directory, private readonly o: FencingOptions) {}

  /** Starts the ownership check (every ttl/3) and self-fencing on the heartbeat's events. */
  start(heartbeat: HeartbeatEvents): void {
    heartbeat.onLost(() => this.fenceAll());
    heartbeat.onRenewed(() => void this.unfence());
    this.timer = setInterval(() => void this.check(), Math.max(100, Math.floor(this.o.ttlMs / 3)));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** This host holds `room` at `epoch` now (a claim, an adoption). */
  holds(room: string, epoch: number): void {
    this.epochs.set(room, epoch);
  }

  get selfFenced(): boolean {
    return this.fenced;
  }

  /** Reads the owners of the rooms held here; drops those another host (or another epoch) owns. Returns them. */
  async check(): Promise<string[]> {
    if (this.checking || this.fenced) return [];
    this.checking = true;
    try {
      return await this.dropLost();
    } catch {
      return []; // Redis unreachable: the heartbeat's lapse fences this host if it lasts
    } finally {
      this.checking = false;
    }
  }

  private async dropLost(): Promise<string[]> {
    const ids = this.dir.rooms().map((r) => r.id);
    for (const id of this.epochs.keys()) if (!this.dir.placement.room(id)) this.epochs.delete(id);
    if (ids.length === 0) return [];
    const owners = await this.redis.mget(ids.map((id) => KEYS.owner(id)));
    const lost: string[] = [];
    const why: string[] = [];
    ids.forEach((id, i) => {
      const raw = owners[i];
      if (raw == null) return; // nobody claimed it: still this host's to run
      let o: { host?: string; epoch?: number };
      try {
        o = JSON.parse(raw) as { host?: string; epoch?: number };
      } catch {
        return;
      }
      const held = this.epochs.get(id);
      if (o.host === this.o.hostId) {
        // Still this host's. Its epoch may have moved on: this host's gate gives a claim up and
        // takes it again (a join that failed while the room was being adopted). Another host
        // cannot have had it in between without this host fencing itself first (its heartbeat
        // gone), and unfencing forgets what another host took.
        if (typeof o.epoch === 'number') this.epochs.set(id, o.epoch);
        return;
      }
      lost.push(id);
      if (why.length < 5) why.push(`${id}: owner ${o.host}@${o.epoch}, held here at ${held ?? '-'}`);
    });
    if (lost.length === 0) return [];
    // Forgotten first, so nothing the worker still sends for them (scores, snapshots) is written.
    for (const id of lost) {
      this.dir.forgetRoom(id);
      this.epochs.delete(id);
    }
    this.o.drop(lost);
    this.o.log.warn({ code: 'ROOMS_LOST', rooms: lost.length, sample: why }, 'another host owns these rooms now: stopped here');
    return lost;
  }

  /** The heartbeat lapsed: stop every room before another host may claim one, and seat nobody. */
  private fenceAll(): void {
    if (this.fenced) return;
    this.fenced = true;
    this.dir.setSelfFenced(true);
    const ids = this.dir.rooms().map((r) => r.id);
    this.o.drop(ids);
    this.o.log.error({ code: 'HOST_SELF_FENCED', rooms: ids.length }, 'cut off from the shared world: every room stopped until the heartbeat is renewed');
  }

  /** The heartbeat is back: rooms another host took meanwhile are forgotten, the rest play again as their players resume. */
  private async unfence(): Promise<void> {
    if (!this.fenced || this.unfencing) return;
    this.unfencing = true;
    while (!this.stopped) {
      try {
        // Still fenced while it reads: nothing plays here until the rooms lost meanwhile are gone.
        const lost = await this.dropLost();
        this.fenced = false;
        this.unfencing = false;
        this.dir.setSelfFenced(false);
        this.o.log.info({ code: 'HOST_UNFENCED', lost: lost.length }, 'heartbeat renewed: this host runs its rooms again');
        return;
      } catch {
        // Redis went away again between the renewal and the check: stay fenced and try again.
        await new Promise((r) => setTimeout(r, Math.max(100, Math.floor(this.o.ttlMs / 3))));
      }
    }
  }
}
