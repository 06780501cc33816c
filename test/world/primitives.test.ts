// World primitives under contention from several real processes: child processes with their own
// channel to the coordinator, and the two real worker processes (through the worldDebug hook,
// which runs commands through each worker's own world client). On both stores: with Redis, the
// contenders and the two workers are on two hosts sharing one redis-server (world-helpers.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/server.js';
import { STORES, contenders, inWorker, startWorld, type WorldHosts } from './world-helpers.js';

describe.each(STORES)('world primitives across processes (%s store)', (store) => {
  // The hosts: `ch` sends requests (a worker slot's to its host), `server` spreads the contenders.
  let server: WorldHosts;
  let ch: WorldHosts;

  beforeAll(async () => {
    server = ch = await startWorld(store, ['--world-debug', 'true', '--golden-coin-ms', '0']);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('lock: no two holders and strictly increasing fencing tokens, 4 processes contending', async () => {
    const n = 60;
    const res = await contenders(server, 4, { kind: 'mutex', name: 'mx', counter: 'mx.count', n });
    const all = res.flatMap((r) => r.records as Array<{ token: number; t0: number; t1: number }>).sort((a, b) => a.token - b.token);
    expect(all).toHaveLength(4 * n);
    // Tokens are unique, and granted in token order: each critical section ends before the next begins.
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.token).toBeGreaterThan(all[i - 1]!.token);
      expect(all[i]!.t0).toBeGreaterThanOrEqual(all[i - 1]!.t1);
    }
    for (const r of res) {
      const tokens = r.records.map((x) => x.token);
      expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    }
    // The unsynchronised read-modify-write lost no update.
    expect(await ch.request('world.get', { name: 'mx.count' })).toBe(4 * n);
  });

  it('lock: mutual exclusion from both real workers at once, no fenced write refused', async () => {
    const n = 80;
    const [a, b] = await Promise.all([0, 1].map((slot) => inWorker(ch, slot, { op: 'mutex', name: 'wmx', counter: 'wmx.count', n })));
    expect(a.fenced + b.fenced).toBe(0);
    expect(await ch.request('world.get', { name: 'wmx.count' })).toBe(2 * n);
    const tokens = [...a.tokens, ...b.tokens];
    expect(new Set(tokens).size).toBe(2 * n);
    for (const t of [a.tokens, b.tokens]) for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
  });

  it('lock: a stale holder (lease expired, lock taken over) has its fenced writes refused', async () => {
    // A lease long enough that a loaded machine still asks again before it runs out.
    const old = await inWorker(ch, 0, { op: 'acquire', name: 'stale', ttlMs: 1500 });
    expect(old.token).toBeGreaterThan(0);
    // Still held: the other worker is refused, and a try does not wait.
    expect(await inWorker(ch, 1, { op: 'acquire', name: 'stale', ttlMs: 5000 })).toBeNull();
    const next = await inWorker(ch, 1, { op: 'acquire', name: 'stale', ttlMs: 5000, waitMs: 5000 });
    expect(next.token).toBeGreaterThan(old.token);
    expect(next.at - old.at).toBeGreaterThanOrEqual(1200); // not before the 1.5 s lease ran out (less the grant's trip)
    await expect(inWorker(ch, 0, { op: 'set', name: 'stale.v', value: 'old', fenceToken: old.token, fenceLock: 'stale' })).rejects.toMatchObject({ code: 'FENCED' });
    await inWorker(ch, 1, { op: 'set', name: 'stale.v', value: 'new', fenceToken: next.token, fenceLock: 'stale' });
    expect(await ch.request('world.get', { name: 'stale.v' })).toBe('new');
    // Releasing a lease that already ran out is a no-op, not a release of the new holder's lease.
    expect(await inWorker(ch, 0, { op: 'release', name: 'stale', token: old.token })).toBe(false);
    expect(await ch.request('world.lock.holders', { name: 'stale' })).toMatchObject([{ token: next.token }]);
    expect(await inWorker(ch, 1, { op: 'release', name: 'stale', token: next.token })).toBe(true);
  });

  it('semaphore: never more than `permits` holders, 5 processes contending', async () => {
    const permits = 3;
    const res = await contenders(server, 5, { kind: 'sem', name: 'pool', permits, n: 12, holdMs: 15 });
    const ev: Array<[number, number]> = [];
    for (const r of res) for (const x of r.records) ev.push([x.t0, 1], [x.t1, -1]);
    // Ends sort before starts at the same instant: touching intervals do not overlap.
    ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let cur = 0;
    let max = 0;
    for (const [, d] of ev) max = Math.max(max, (cur += d));
    expect(max).toBeLessThanOrEqual(permits);
    expect(max).toBe(permits); // and the contention was real
    expect(await ch.request('world.sem.holders', { name: 'pool' })).toEqual([]);
  });

  it('semaphore: grants from both workers never exceed the permits', async () => {
    const got = await Promise.all(
      Array.from({ length: 10 }, (_, i) => inWorker(ch, i % 2, { op: 'semAcquire', name: 'cap', permits: 4, ttlMs: 10_000 })),
    );
    expect(got.filter((g) => g !== null)).toHaveLength(4);
  });

  it('queue: every item delivered at least once, acked items never again, unacked ones come back', async () => {
    const N = 150;
    await Promise.all(Array.from({ length: N }, (_, i) => ch.request('world.q.push', { name: 'jobs', value: { n: i } })));
    const res = await contenders(server, 3, { kind: 'consume', name: 'jobs', visibilityMs: 300, idleMs: 1000 });
    const deliveries = res.flatMap((r) => r.records as Array<{ id: number; value: { n: number }; attempt: number; at: number; acked: boolean; ackedAt?: number }>);
    const ackedAt = new Map<number, number>();
    for (const d of deliveries) if (d.acked) {
      expect(ackedAt.has(d.id)).toBe(false); // only one ack ever succeeds
      ackedAt.set(d.id, d.ackedAt!);
    }
    expect(new Set(deliveries.map((d) => d.value.n)).size).toBe(N);
    expect(ackedAt.size).toBe(N);
    for (const d of deliveries) expect(d.at).toBeLessThan(ackedAt.get(d.id)!); // nothing delivered after its ack
    const dropped = deliveries.filter((d) => !d.acked).length;
    expect(dropped).toBeGreaterThan(0);
    expect(deliveries.filter((d) => d.attempt > 1).length).toBeGreaterThanOrEqual(dropped);
    expect(await ch.request('world.q.len', { name: 'jobs' })).toEqual({ ready: 0, inflight: 0 });
    expect(await ch.request('world.q.pop', { name: 'jobs', visibilityMs: 1000 })).toBeNull();
  });

  it('queue: an item popped in a worker and never acked is delivered again to the other worker', async () => {
    await inWorker(ch, 0, { op: 'push', name: 'wq', value: 'payload' });
    const first = await inWorker(ch, 0, { op: 'pop', name: 'wq', visibilityMs: 300 });
    expect(first).toMatchObject({ value: 'payload', attempt: 1 });
    expect(await inWorker(ch, 1, { op: 'pop', name: 'wq', visibilityMs: 300 })).toBeNull();
    const again = await inWorker(ch, 1, { op: 'pop', name: 'wq', visibilityMs: 5000, waitMs: 2000 });
    expect(again).toMatchObject({ id: first.id, value: 'payload', attempt: 2 });
    expect(await inWorker(ch, 1, { op: 'ack', name: 'wq', id: again.id })).toBe(true);
    expect(await ch.request('world.q.len', { name: 'wq' })).toEqual({ ready: 0, inflight: 0 });
  });

  it('compareAndSet: exactly one winner per round among 4 processes and both workers', async () => {
    const rounds = 25;
    const [res, workerWins] = await Promise.all([
      contenders(server, 4, { kind: 'cas', name: 'race', rounds, gapMs: 40 }),
      (async () => {
        // The workers join in on the first rounds too.
        await sleep(300 + 40);
        return Promise.all([0, 1].map((slot) => inWorker(ch, slot, { op: 'cas', name: 'race', expected: null, next: 1 })));
      })(),
    ]);
    const winners = new Map<number, number>();
    for (const r of res) for (const x of r.records) if (x.won) winners.set(x.round, (winners.get(x.round) ?? 0) + 1);
    winners.set(0, (winners.get(0) ?? 0) + workerWins.filter((w) => w === true).length);
    for (let round = 0; round < rounds; round++) expect(winners.get(round)).toBe(1);
    expect(await ch.request('world.get', { name: 'race' })).toBe(rounds);
  });

  it('events reach subscribed workers only; waitFor sees a value set by another worker', async () => {
    await inWorker(ch, 0, { op: 'subscribe', topic: 'boss' });
    expect(await inWorker(ch, 1, { op: 'publish', topic: 'boss', value: { hp: 100 } })).toBe(1);
    expect(await ch.request('world.pub', { topic: 'boss', value: 'second' })).toBe(1);
    expect(await ch.request('world.pub', { topic: 'nobody', value: 1 })).toBe(0);
    await sleep(100);
    expect(await inWorker(ch, 0, { op: 'events', topic: 'boss' })).toEqual([{ hp: 100 }, 'second']);
    expect(await inWorker(ch, 1, { op: 'events', topic: 'boss' })).toEqual([]);

    const waiting = inWorker(ch, 0, { op: 'waitFor', name: 'level', atLeast: 3, timeoutMs: 5000 });
    for (let i = 0; i < 3; i++) await inWorker(ch, 1, { op: 'incr', name: 'level' });
    expect(await waiting).toBe(3);
    await expect(inWorker(ch, 0, { op: 'waitFor', name: 'level', atLeast: 99, timeoutMs: 200 })).rejects.toMatchObject({ code: 'WAIT_TIMEOUT' });
  });

  it('refuses bad arguments with a code', async () => {
    await expect(ch.request('world.lock.acquire', { name: '', ttlMs: 100 })).rejects.toMatchObject({ code: 'BAD_ARGS' });
    await expect(ch.request('world.lock.acquire', { name: 'x', ttlMs: -1 })).rejects.toMatchObject({ code: 'BAD_ARGS' });
    await expect(ch.request('world.sem.acquire', { name: 'x', permits: 0, ttlMs: 100 })).rejects.toMatchObject({ code: 'BAD_ARGS' });
    await ch.request('world.set', { name: 'str', value: 'a' });
    await expect(ch.request('world.incr', { name: 'str', by: 1 })).rejects.toMatchObject({ code: 'NOT_A_NUMBER' });
    await expect(ch.request('world.set', { name: 'f', value: 1, fence: { lock: 'never', token: 1 } })).rejects.toMatchObject({ code: 'FENCED' });
  });
});
