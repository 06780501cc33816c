// Session numbers (`p<n>` ids) unique across every host sharing one Redis: each host takes blocks
// of numbers with one INCRBY on shoal:next and hands them out synchronously (a join never waits
// on Redis for its id), taking the next block ahead, in the background, when half of one is used.
// Numbers of a block a host did not use before it stopped are skipped, never reused.
import type { Redis } from 'ioredis';
import { CodedError } from '../../../shared/errors/coded-error.js';
import { KEYS } from '../redis/keys.js';

/** Numbers taken per INCRBY: a burst of joins this large within one event-loop turn is the most one refill must cover. */
export const PLAYER_BLOCK = 1024;

export class PlayerNumbers {
  /** [first, last] ranges reserved and not handed out yet, oldest first. */
  private readonly blocks: Array<[number, number]> = [];
  private refilling: Promise<void> | null = null;

  constructor(private readonly redis: Redis, private readonly onRefillError: (err: Error) => void = () => {}) {}

  /** Reserves the first block (at open). */
  async fill(): Promise<void> {
    await this.refill();
  }

  /** How many numbers are reserved and not handed out. */
  get left(): number {
    return this.blocks.reduce((n, [a, b]) => n + b - a + 1, 0);
  }

  /** The number take() would hand out next (0 when none is reserved). */
  peek(): number {
    return this.blocks[0]?.[0] ?? 0;
  }

  /** The next number; STORE_UNAVAILABLE when every reserved number is used and Redis gave no more. */
  take(): number {
    const b = this.blocks[0];
    if (!b) {
      this.refillSoon();
      throw new CodedError('STORE_UNAVAILABLE', 'redis: no session numbers reserved (redis unreachable)');
    }
    const n = b[0]++;
    if (b[0] > b[1]) this.blocks.shift();
    if (this.left < PLAYER_BLOCK / 2) this.refillSoon();
    return n;
  }

  private refillSoon(): void {
    if (this.refilling) return;
    this.refilling = this.refill()
      .catch((err: Error) => this.onRefillError(err))
      .finally(() => (this.refilling = null));
  }

  private async refill(): Promise<void> {
    const last = await this.redis.incrby(KEYS.next, PLAYER_BLOCK);
    this.blocks.push([last - PLAYER_BLOCK + 1, last]);
  }
}
