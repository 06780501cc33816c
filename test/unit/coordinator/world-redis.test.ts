// The world API's Redis primitives (server/coordinator/world/redis/) against a real redis-server,
// in process: two RedisWorlds stand for two hosts' coordinators sharing one Redis. Each guarantee
// is checked between the hosts: one compare-and-set winner, fenced writes refused once the lock
// moved on, tokens strictly increasing, semaphore bounds, a waiting acquirer or pop on one host
// woken by the other host's release or push (well before the safety-net poll), the line of
// waiters first come first served, queue redelivery after the visibility timeout and never after
// ack, events and watches crossing hosts, and UNAVAILABLE while Redis is away.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoordinatorChannel } from '../../../server/ipc/coordinator-ops.js';
import { parseStore } from '../../../server/config/store-url.js';
import { WorldRedis } from '../../../server/coordinator/world/redis/connections.js';
import { RedisWorld } from '../../../server/coordinator/world/redis/redis-world.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

/** What a worker's channel is to the coordinator's world: it is open, and it takes pushes. */
function workerChannel(): CoordinatorChannel & { got: Array<[string, unknown]> } {
  const got: Array<[string, unknown]> = [];
  return { closed: false, got, push: (_t: string, v: [string, unknown]) => got.push(v) } as unknown as CoordinatorChannel & { got: Array<[string, unknown]> };
}

const POLL = 5000; // so a wake-up well under it was pub/sub, not the safety net
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('world primitives on Redis, two hosts', () => {
  let redis: TestRedis;
  let a: RedisWorld;
  let b: RedisWorld;
  const ch = workerChannel();

  const host = (id: string, pollMs = POLL) => {
    const where = parseStore(redis.url);
    if (where.kind !== 'redis') throw new Error('not redis');
    return new RedisWorld(new WorldRedis(where, { hostId: id, timeoutMs: 1000, pollMs, log: pino({ level: 'silent' }) }));
  };

  beforeAll(async () => {
    redis = await startRedis();
    a = host('A');
    b = host('B');
  });

  afterAll(async () => {
    a?.r.close();
    b?.r.close();
    await redis?.stop();
  });

  it('values: incr from both hosts loses nothing; compareAndSet has one winner; deep-equal is key-order blind', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).incr('n', 1)));
    expect(await b.get('n')).toBe(50);
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).cas('c', null, i)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    await a.set('obj', { x: 1, y: [1, { p: 'q', o: 2 }] });
    expect(await b.cas('obj', { y: [1, { o: 2, p: 'q' }], x: 1 }, 'next')).toBe(true);
    expect(await a.get('obj')).toBe('next');
    expect(await a.incr('f', 0.5)).toBe(0.5);
    expect(await b.cas('f', 0.5, 7)).toBe(true);
    expect(await a.incr('big', 2 ** 40)).toBe(2 ** 40);
    expect(await a.incr('big', -1)).toBe(2 ** 40 - 1);
    await expect(a.incr('obj', 1)).rejects.toMatchObject({ code: 'NOT_A_NUMBER' });
    await a.set('obj', null);
    expect(await b.get('obj')).toBeNull();
  });

  it('locks: one holder across hosts, tokens strictly increasing, stale fences refused', async () => {
    const tries = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquire('lock', 'L', 1, 60_000, 0, ch, 't')));
    const granted = tries.filter((g) => g !== null);
    expect(granted).toHaveLength(1);
    const first = granted[0]!;
    expect(await (tries.indexOf(first) % 2 ? a : b).release('lock', 'L', first.token)).toBe(true);

    const old = (await a.acquire('lock', 'F', 1, 300, 0, ch, 'old'))!;
    await a.set('fv', 'old', { lock: 'F', token: old.token });
    const next = (await b.acquire('lock', 'F', 1, 60_000, 3000, ch, 'new'))!;
    expect(next.token).toBeGreaterThan(old.token);
    await expect(a.set('fv', 'stale', { lock: 'F', token: old.token })).rejects.toMatchObject({ code: 'FENCED' });
    await expect(a.incr('fn', 1, { lock: 'F', token: old.token })).rejects.toMatchObject({ code: 'FENCED' });
    await expect(a.cas('fv', 'old', 'x', { lock: 'F', token: old.token })).rejects.toMatchObject({ code: 'FENCED' });
    await b.set('fv', 'new', { lock: 'F', token: next.token });
    expect(await a.get('fv')).toBe('new');
    expect(await a.release('lock', 'F', old.token)).toBe(false);
    expect(await a.holders('lock', 'F')).toMatchObject([{ token: next.token, owner: 'B/new' }]);
    expect(await b.extend('lock', 'F', next.token, 60_000)).toBe(true);
    expect(await b.release('lock', 'F', next.token)).toBe(true);
    expect(await a.holders('lock', 'F')).toEqual([]);
  });

  it('a waiting acquirer on one host is woken by a release on the other, first come first served', async () => {
    const held = (await a.acquire('lock', 'W', 1, 60_000, 0, ch, 'h'))!;
    const order: string[] = [];
    const w1 = b.acquire('lock', 'W', 1, 60_000, 20_000, ch, 'w1').then((g) => (order.push('w1'), g));
    await sleep(100);
    const w2 = a.acquire('lock', 'W', 1, 60_000, 20_000, ch, 'w2').then((g) => (order.push('w2'), g));
    await sleep(100);
    // A try does not overtake the line.
    expect(await a.acquire('lock', 'W', 1, 60_000, 0, ch, 'try')).toBeNull();
    const t0 = Date.now();
    await a.release('lock', 'W', held.token);
    const g1 = (await w1)!;
    expect(Date.now() - t0).toBeLessThan(POLL / 2);
    await b.release('lock', 'W', g1.token);
    const g2 = (await w2)!;
    expect(Date.now() - t0).toBeLessThan(POLL / 2);
    expect(order).toEqual(['w1', 'w2']);
    expect(g2.token).toBeGreaterThan(g1.token);
    await a.release('lock', 'W', g2.token);
  });

  it('a waiting acquirer gets the lock when the holder\'s lease runs out, and not before', async () => {
    const held = (await a.acquire('lock', 'E', 1, 800, 0, ch, 'h'))!;
    const t0 = Date.now();
    const g = (await b.acquire('lock', 'E', 1, 60_000, 10_000, ch, 'w'))!;
    const waited = Date.now() - t0;
    expect(g.token).toBeGreaterThan(held.token);
    expect(waited).toBeGreaterThanOrEqual(600);
    expect(waited).toBeLessThan(POLL / 2);
    expect(await a.release('lock', 'E', held.token)).toBe(false);
    await b.release('lock', 'E', g.token);
    // A wait that runs out answers null and leaves no place in line behind.
    const h2 = (await a.acquire('lock', 'E', 1, 60_000, 0, ch, 'h2'))!;
    expect(await b.acquire('lock', 'E', 1, 60_000, 200, ch, 'late')).toBeNull();
    await a.release('lock', 'E', h2.token);
    expect(await a.acquire('lock', 'E', 1, 60_000, 0, ch, 'again')).not.toBeNull();
  });

  it('a dead host\'s waiter leaves the line once it stops renewing its place', async () => {
    const dying = host('C', 200); // its places last 4 x 200 ms unless renewed
    const next = host('D', 1000);
    try {
      const held = (await a.acquire('lock', 'D', 1, 60_000, 0, ch, 'h'))!;
      void dying.acquire('lock', 'D', 1, 60_000, 60_000, ch, 'first in line');
      await sleep(300);
      const t0 = Date.now();
      const waiting = next.acquire('lock', 'D', 1, 60_000, 15_000, ch, 'second');
      await sleep(300);
      dying.r.close(); // the host dies: its coordinator renews nothing any more
      await a.release('lock', 'D', held.token);
      const g = await waiting;
      expect(g).not.toBeNull();
      expect(Date.now() - t0).toBeLessThan(10_000);
      await next.release('lock', 'D', g!.token);
    } finally {
      dying.r.close();
      next.r.close();
    }
  });

  it('semaphores: never more than the permits across hosts', async () => {
    const got = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).acquire('sem', 'S', 3, 60_000, 0, ch, 's')));
    expect(got.filter((g) => g !== null)).toHaveLength(3);
    const st = await a.stats();
    expect(st.semaphores).toMatchObject({ held: 3 });
  });

  it('queues: an item not acked comes back after its visibility timeout to the other host; an acked one never', async () => {
    const id = await a.push('q', { job: 1 });
    const d1 = (await a.pop('q', 300, 0, ch))!;
    expect(d1).toMatchObject({ id, value: { job: 1 }, attempt: 1 });
    expect(await b.pop('q', 300, 0, ch)).toBeNull();
    expect(await b.length('q')).toEqual({ ready: 0, inflight: 1 });
    const d2 = (await b.pop('q', 60_000, 5000, ch))!;
    expect(d2).toMatchObject({ id, attempt: 2 });
    expect(await b.ack('q', id)).toBe(true);
    expect(await a.ack('q', id)).toBe(false);
    await sleep(400);
    expect(await a.pop('q', 300, 0, ch)).toBeNull();
    expect(await a.length('q')).toEqual({ ready: 0, inflight: 0 });
    // FIFO, and a waiting pop on one host is woken by a push on the other.
    const t0 = Date.now();
    const waiting = b.pop('q2', 60_000, 20_000, ch);
    await sleep(100);
    const id1 = await a.push('q2', 'first');
    await a.push('q2', 'second');
    expect(await waiting).toMatchObject({ id: id1, value: 'first' });
    expect(Date.now() - t0).toBeLessThan(POLL / 2);
    expect(await a.pop('q2', 60_000, 0, ch)).toMatchObject({ value: 'second' });
  });

  it('events and watches cross hosts', async () => {
    const subB = workerChannel();
    await b.subscribe(['boss'], subB);
    expect(await a.publish('boss', { hp: 3 })).toBe(1);
    expect(await a.publish('nobody', 1)).toBe(0);
    const watcher = workerChannel();
    expect(await b.watch(['lvl'], watcher)).toEqual([null]);
    await a.incr('lvl', 2);
    await sleep(200);
    expect(subB.got).toEqual([['boss', { hp: 3 }]]);
    expect(watcher.got).toEqual([['lvl', 2]]);
    b.unsubscribe(['boss'], subB);
    await sleep(100);
    expect(await a.publish('boss', 'again')).toBe(0);
  });

  it('answers UNAVAILABLE while Redis is away, and works again once it is back', async () => {
    await redis.kill();
    await expect(a.get('n')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(b.acquire('lock', 'X', 1, 1000, 0, ch, 'x')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await redis.start();
    const until = Date.now() + 10_000;
    let n: unknown;
    while (Date.now() < until) {
      try {
        n = await a.get('n');
        break;
      } catch {
        await sleep(100);
      }
    }
    expect(n).toBe(50); // appendfsync always: nothing acknowledged was lost
  });
});
