// The random bytes of new session tokens, drawn from the system's CSPRNG a few KiB at a time: a
// connect burst made one getrandom call per token (profiled at 4% of the coordinator's time in a
// burst of 1000 joins). Each byte is handed out once, and wiped from the pool as it is.
import crypto from 'node:crypto';

const POOL_BYTES = 4096;

export class TokenBytes {
  private pool = Buffer.alloc(0);
  private at = 0;

  /** n fresh random bytes (n <= 4096), never handed out before. */
  take(n: number): Buffer {
    if (this.at + n > this.pool.length) {
      this.pool = crypto.randomBytes(POOL_BYTES);
      this.at = 0;
    }
    const slice = this.pool.subarray(this.at, this.at + n);
    this.at += n;
    const out = Buffer.from(slice);
    slice.fill(0);
    return out;
  }
}
