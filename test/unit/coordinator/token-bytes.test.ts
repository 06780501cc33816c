// Session token bytes from a pool (server/coordinator/directory/token-bytes.ts): every take is
// fresh (no two alike, across refills of the pool), whole (the caller's copy survives the wipe of
// the pool), and the pool keeps none of what it handed out.
import { describe, expect, it } from 'vitest';
import { TokenBytes } from '../../../server/coordinator/directory/token-bytes.js';

describe('TokenBytes', () => {
  it('hands out distinct 24-byte values across refills, each kept whole after the pool wipes its copy', () => {
    const t = new TokenBytes();
    const seen = new Set<string>();
    const taken: Buffer[] = [];
    // 400 x 24 bytes: the 4 KiB pool is refilled twice.
    for (let i = 0; i < 400; i++) {
      const b = t.take(24);
      expect(b.length).toBe(24);
      taken.push(b);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(400);
    // A copy is handed out: wiping the pool leaves it as it was (an all-zero value would show it was not).
    const zero = Buffer.alloc(24).toString('hex');
    expect(taken.filter((b) => b.toString('hex') === zero)).toEqual([]);
    expect(new Set(taken.map((b) => b.toString('hex'))).size).toBe(400);
    const pool = (t as unknown as { pool: Buffer; at: number });
    expect(pool.pool.subarray(0, pool.at).every((x) => x === 0)).toBe(true);
  });
});
