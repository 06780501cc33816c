// The writes that carry a room's state (store/fenced-writes.ts: the Redis store's score and
// snapshot scripts) on a real redis-server: a host
// writes a room's snapshot and its players' scores only while `shoal:owner:<room>` names it (or
// nobody has claimed the room); once another host owns the room, a late write of the old owner
// changes nothing — neither the snapshot, nor the session's score, nor the leaderboard.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEYS } from '../../../server/coordinator/redis/keys.js';
import { SCRIPTS } from '../../../server/coordinator/store/redis-scripts.js';
import { OWNER_PREFIX } from '../../../server/coordinator/store/fenced-writes.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

let redis: TestRedis;
let r: Redis;
beforeAll(async () => {
  redis = await startRedis();
  r = redis.client();
});

/** The store's two scripts, as RedisStore calls them in its MULTI (by EVALSHA there). */
const writeSnapshotFenced = (c: Redis, room: string, me: string, bytes: Buffer) =>
  c.eval(SCRIPTS.snapshot, 2, KEYS.snapshot, KEYS.owner(room), room, me, bytes) as Promise<number>;
const writeScoreFenced = (c: Redis, id: string, score: number, me: string) =>
  c.eval(SCRIPTS.score, 2, KEYS.session, KEYS.lb, id, score, OWNER_PREFIX, me) as Promise<number>;
afterAll(async () => redis?.stop());
beforeEach(async () => {
  await r.flushdb();
  await r.hset(KEYS.session, 'p1', JSON.stringify({ id: 'p1', tokenHash: 'h', name: 'ann', room: 'reef', score: 5 }));
  await r.zadd(KEYS.lb, 5, 'ann');
});

const owner = (host: string, epoch: number) => r.set(KEYS.owner('reef'), JSON.stringify({ host, epoch }));
const score = async () => (JSON.parse((await r.hget(KEYS.session, 'p1'))!) as { score: number }).score;

describe('fenced writes', () => {
  it('the owner writes; a room nobody claimed is written too', async () => {
    expect(await writeSnapshotFenced(r, 'reef', 'a', Buffer.from([1, 2]))).toBe(1);
    expect(await writeScoreFenced(r, 'p1', 6, 'a')).toBe(1);
    await owner('a', 3);
    expect(await writeSnapshotFenced(r, 'reef', 'a', Buffer.from([3]))).toBe(1);
    expect(await writeScoreFenced(r, 'p1', 9, 'a')).toBe(1);
    expect(await r.hgetBuffer(KEYS.snapshot, 'reef')).toEqual(Buffer.from([3]));
    expect(await score()).toBe(9);
    expect(await r.zscore(KEYS.lb, 'ann')).toBe('9');
    // Scores only grow: a lower one is no write.
    expect(await writeScoreFenced(r, 'p1', 8, 'a')).toBe(0);
  });

  it('after another host claimed the room, the old owner\'s snapshot and scores are refused', async () => {
    await owner('a', 3);
    expect(await writeSnapshotFenced(r, 'reef', 'a', Buffer.from([1]))).toBe(1);
    await owner('b', 4);
    expect(await writeSnapshotFenced(r, 'reef', 'b', Buffer.from([2]))).toBe(1);
    expect(await writeSnapshotFenced(r, 'reef', 'a', Buffer.from([9]))).toBe(0);
    expect(await writeScoreFenced(r, 'p1', 50, 'a')).toBe(-1);
    expect(await r.hgetBuffer(KEYS.snapshot, 'reef')).toEqual(Buffer.from([2]));
    expect(await score()).toBe(5);
    expect(await r.zscore(KEYS.lb, 'ann')).toBe('5');
    expect(await writeScoreFenced(r, 'p1', 7, 'b')).toBe(1);
    expect(await score()).toBe(7);
  });
});
