// INTERIM (failover lane), until the bus lane's cluster/hosts.ts is on main: this host's heartbeat
// `shoal:host:<id>` (PX --host-ttl-ms, renewed every ttl/3), and the one event self-fencing needs:
// `onLost` when it has not been renewed for the TTL minus a margin (other hosts may soon take this
// host for dead and claim its rooms), `onRenewed` when it is again. Same shape as hosts.ts's
// `Hosts` (onLost/onRenewed, lostMarginMs), so the lead swaps it for that class at merge and
// deletes this file (start/failover.ts takes any `HeartbeatEvents`).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { KEYS } from './keys.js';

/** What fencing needs of the heartbeat: told when it lapses and when it is back. */
export interface HeartbeatEvents {
  onLost(fn: () => void): void;
  onRenewed(fn: () => void): void;
}

/** How long before the TTL runs out `onLost` fires: a fifth of it, at most a second (as hosts.ts). */
export function lostMarginMs(ttlMs: number): number {
  return Math.min(1000, Math.floor(ttlMs / 5));
}

export interface InterimHeartbeatOptions {
  id: string;
  advertise: string;
  ttlMs: number;
  counts(): { players: number; rooms: number };
  log: Logger;
}

export class InterimHeartbeat implements HeartbeatEvents {
  private timer: NodeJS.Timeout | null = null;
  private lostTimer: NodeJS.Timeout | null = null;
  private lastRenewedAt = 0;
  private lost = false;
  private stopped = false;
  private readonly lostFns: Array<() => void> = [];
  private readonly renewedFns: Array<() => void> = [];

  constructor(private readonly redis: Redis, private readonly o: InterimHeartbeatOptions) {}

  onLost(fn: () => void): void {
    this.lostFns.push(fn);
  }

  onRenewed(fn: () => void): void {
    this.renewedFns.push(fn);
  }

  /** The first heartbeat now (awaited: a host is live before it serves), then every ttl/3. */
  async start(): Promise<void> {
    this.armLost();
    await this.beat();
    this.timer = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.o.ttlMs / 3)));
  }

  /** Stops renewing and removes the heartbeat (a graceful stop: other hosts see it gone at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.lostTimer) clearTimeout(this.lostTimer);
    await this.redis.del(KEYS.host(this.o.id)).catch(() => {});
  }

  private async beat(): Promise<void> {
    const sent = Date.now();
    const beat = { id: this.o.id, advertise: this.o.advertise, ...this.o.counts(), at: sent };
    try {
      await this.redis.multi().set(KEYS.host(this.o.id), JSON.stringify(beat), 'PX', this.o.ttlMs).sadd(KEYS.hosts, this.o.id).exec();
    } catch {
      return; // not renewed: the lost timer armed at the last renewal fires if this goes on
    }
    if (this.stopped) {
      await this.redis.del(KEYS.host(this.o.id)).catch(() => {});
      return;
    }
    this.lastRenewedAt = sent;
    this.armLost();
    if (this.lost) {
      this.lost = false;
      this.o.log.info({ code: 'HOST_HEARTBEAT_RENEWED', host: this.o.id }, 'this host\'s heartbeat is renewed again');
      for (const fn of this.renewedFns) fn();
    }
  }

  /** Fires at (last renewal sent + ttl - margin): measured from when it was sent, the key may expire soon after. */
  private armLost(): void {
    if (this.lostTimer) clearTimeout(this.lostTimer);
    const at = (this.lastRenewedAt || Date.now()) + this.o.ttlMs - lostMarginMs(this.o.ttlMs);
    this.lostTimer = setTimeout(() => this.fireLost(), Math.max(0, at - Date.now()));
  }

  private fireLost(): void {
    if (this.lost || this.stopped) return;
    this.lost = true;
    this.o.log.error({ code: 'HOST_HEARTBEAT_LOST', host: this.o.id, lastRenewedAt: this.lastRenewedAt }, 'this host could not renew its heartbeat: other hosts may take it for dead');
    for (const fn of this.lostFns) fn();
  }
}
