// The golden coin: every `goldenCoinMs` exactly one room of the whole server (any worker) spawns a
// coin worth GOLDEN_VALUE. Each room, at the start of a period and after a random delay (so the
// coin lands in a random room, and rooms do not all knock at once), takes the world lock
// `arena.golden`, reads the durable period counter and, if this period is not given yet, moves it
// forward with a fenced compare-and-set. Only a room whose CAS succeeds spawns the coin, so a
// period is given at most once, even if a lease runs out mid-decision or the coordinator restarts.
import type { World } from '../../game-api/index.js';
import { ARENA_KEYS } from './world-keys.js';

export const GOLDEN_VALUE = 10;
const LEASE_MS = 5000;

export class GoldenCoin {
  /** The last period this room has settled (won, or seen given to another room). */
  private settled = -1;
  private busy = false;
  private notBefore = 0;
  private jitterFor = -1;

  constructor(
    private readonly world: World,
    private readonly periodMs: number,
    private readonly spawn: () => void,
  ) {}

  /** Called every tick; at most one decision is in flight per room. */
  tick(now = Date.now()): void {
    if (this.periodMs <= 0 || this.busy) return;
    const period = Math.floor(now / this.periodMs);
    if (period <= this.settled) return;
    if (this.jitterFor !== period) {
      this.jitterFor = period;
      this.notBefore = now + Math.random() * Math.min(1000, this.periodMs / 4);
    }
    if (now < this.notBefore) return;
    this.busy = true;
    this.decide(period).then(
      (settled) => {
        this.busy = false;
        if (settled) this.settled = period;
        // Busy lock or unreachable coordinator: look again shortly, within the same period.
        else this.notBefore = Date.now() + 100 + Math.random() * 300;
      },
      () => {
        this.busy = false;
        this.notBefore = Date.now() + 500;
      },
    );
  }

  /** True when the period is settled for this room (given to it or to another). */
  private async decide(period: number): Promise<boolean> {
    const lease = await this.world.lock.acquire(ARENA_KEYS.goldenLock, { ttlMs: LEASE_MS });
    if (!lease) return false;
    try {
      const last = await this.world.get<number>(ARENA_KEYS.goldenPeriod);
      if (last !== null && last >= period) return true;
      const won = await this.world.compareAndSet(ARENA_KEYS.goldenPeriod, last, period, { fence: lease.fence });
      if (!won) return false;
      this.spawn();
      this.world.incr(ARENA_KEYS.goldenSpawned, 1).catch(() => {});
      return true;
    } finally {
      lease.release().catch(() => {});
    }
  }
}
