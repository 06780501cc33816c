// Which hosts of one world are alive (--store redis). Each host's coordinator writes its heartbeat
// `shoal:host:<id>` with a TTL of --host-ttl-ms, renewed every third of it: a host is live exactly
// while that key exists, so a host that dies (SIGKILL, a cut network) drops out by itself after
// the TTL and nothing has to clean up after it. A host that cannot renew its own heartbeat for
// nearly the TTL is told (`onLost`): other hosts may soon take it for dead and take over its
// rooms, so it must stop acting as their owner before they do (the cluster lane acts on it).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HostBeat, HostRow } from '../../ipc/bus.js';
import { KEYS } from '../redis/keys.js';
import { clusterHosts } from './cluster-metrics.js';

export interface HostsOptions {
  id: string;
  advertise: string;
  ttlMs: number;
  /** This host's players and rooms now, read at each heartbeat. */
  counts(): { players: number; rooms: number };
  log: Logger;
}

/** Emitted when this host's heartbeat was last renewed longer ago than the TTL minus the margin. */
export interface HeartbeatLost {
  /** Epoch ms the last renewal was sent (0: never renewed). */
  lastRenewedAt: number;
  ttlMs: number;
}

/** How long before the TTL runs out `onLost` fires: a fifth of it, at most a second. */
export function lostMarginMs(ttlMs: number): number {
  return Math.min(1000, Math.floor(ttlMs / 5));
}

export class Hosts {
  readonly id: string;
  readonly started = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private lostTimer: NodeJS.Timeout | null = null;
  private lastRenewedAt = 0;
  private lost = false;
  private stopped = false;
  private readonly lostHandlers: Array<(e: HeartbeatLost) => void> = [];
  private readonly renewedHandlers: Array<() => void> = [];

  constructor(private readonly redis: Redis, private readonly o: HostsOptions) {
    this.id = o.id;
  }

  /** Writes the first heartbeat and renews it every ttl/3 until stop(). */
  start(): void {
    this.armLost();
    void this.beat();
    this.timer = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.o.ttlMs / 3)));
  }

  /** This host FAILED to renew its heartbeat for ttl minus lostMarginMs: other hosts may soon take over its rooms. */
  onLost(fn: (e: HeartbeatLost) => void): void {
    this.lostHandlers.push(fn);
  }

  /** Its heartbeat was renewed again after onLost. */
  onRenewed(fn: () => void): void {
    this.renewedHandlers.push(fn);
  }

  /** Every live host (its heartbeat key exists), this one included when its heartbeat is. */
  async live(): Promise<HostRow[]> {
    const ids = await this.redis.smembers(KEYS.hosts);
    if (ids.length === 0) return [];
    const beats = await this.redis.mget(ids.map(KEYS.host));
    const now = Date.now();
    const out: HostRow[] = [];
    for (const raw of beats) {
      const b = parseBeat(raw);
      if (b) out.push({ ...b, ageMs: Math.max(0, now - b.at), self: b.id === this.id });
    }
    clusterHosts.set(out.length);
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Whether that host's heartbeat key exists now. */
  async isLive(hostId: string): Promise<boolean> {
    return (await this.redis.exists(KEYS.host(hostId))) === 1;
  }

  /** The address that host advertises, or null when it is not live. */
  async advertiseOf(hostId: string): Promise<string | null> {
    return parseBeat(await this.redis.get(KEYS.host(hostId)))?.advertise ?? null;
  }

  /** Stops renewing and removes this host's heartbeat (a graceful stop: others see it gone at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.lostTimer) clearTimeout(this.lostTimer);
    try {
      await this.redis.del(KEYS.host(this.id));
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'cannot remove this host\'s heartbeat; it expires by itself');
    }
  }

  private async beat(): Promise<void> {
    const sent = Date.now();
    const { players, rooms } = this.o.counts();
    const beat: HostBeat = { id: this.id, advertise: this.o.advertise, players, rooms, at: sent, started: this.started };
    try {
      await this.redis.multi().set(KEYS.host(this.id), JSON.stringify(beat), 'PX', this.o.ttlMs).sadd(KEYS.hosts, this.id).exec();
    } catch {
      // Not renewed: the lost timer armed at the last renewal fires if this goes on.
      return;
    }
    if (this.stopped) {
      // A beat in flight at stop() wrote the key again: take it back.
      await this.redis.del(KEYS.host(this.id)).catch(() => {});
      return;
    }
    this.lastRenewedAt = sent;
    this.armLost();
    if (this.lost) {
      this.lost = false;
      this.o.log.info({ code: 'HOST_HEARTBEAT_RENEWED', host: this.id }, 'this host\'s heartbeat is renewed again');
      for (const fn of this.renewedHandlers) fn();
    }
    // The gauge and `status` read the live set; refreshed at the heartbeat's pace.
    await this.live().catch(() => {});
  }

  /** Fires at (last renewal sent + ttl - margin): the key may expire soon after. */
  private armLost(): void {
    if (this.lostTimer) clearTimeout(this.lostTimer);
    const from = this.lastRenewedAt || Date.now();
    const at = from + this.o.ttlMs - lostMarginMs(this.o.ttlMs);
    this.lostTimer = setTimeout(() => this.fireLost(), Math.max(0, at - Date.now()));
  }

  private fireLost(): void {
    if (this.lost || this.stopped) return;
    this.lost = true;
    const e: HeartbeatLost = { lastRenewedAt: this.lastRenewedAt, ttlMs: this.o.ttlMs };
    this.o.log.error(
      { code: 'HOST_HEARTBEAT_LOST', host: this.id, lastRenewedAt: e.lastRenewedAt, ttlMs: e.ttlMs },
      'this host could not renew its heartbeat: other hosts may take it for dead',
    );
    for (const fn of this.lostHandlers) fn(e);
  }
}

/** A heartbeat as stored, or null (absent, or not one: written by something else). */
function parseBeat(raw: string | null): HostBeat | null {
  if (raw === null) return null;
  try {
    const b = JSON.parse(raw) as Partial<HostBeat>;
    if (typeof b.id !== 'string' || typeof b.advertise !== 'string' || typeof b.at !== 'number') return null;
    return { id: b.id, advertise: b.advertise, players: Number(b.players) || 0, rooms: Number(b.rooms) || 0, at: b.at, started: Number(b.started) || 0 };
  } catch {
    return null;
  }
}
