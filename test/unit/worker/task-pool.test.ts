// The worker's thread pool for games' CPU-heavy tasks (ctx.pool): a task runs on a pool thread,
// not the caller's, with its input and answer cloned across; a task over poolTaskTimeoutMs fails
// with POOL_TIMEOUT while the caller's event loop runs on; past poolQueue waiting tasks a new one
// fails at once with POOL_BUSY; a task's own failure reaches the caller; its threads run at a
// lower priority (poolNice) than the caller's.
import { getPriority } from 'node:os';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerTaskPool } from '../../../server/worker/rooms/task-pool.js';

const FIXTURE = new URL('../../fixtures/pool-task.mjs', import.meta.url);
let pool: WorkerTaskPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('worker task pool', () => {
  it('runs a named task of a module on a pool thread, started on first use', async () => {
    pool = new WorkerTaskPool({ poolThreads: 1, poolQueue: 8, poolTaskTimeoutMs: 10_000, poolNice: 0 });
    expect(pool.threads).toBe(0);
    const r = await pool.run<{ threadId: number; input: unknown }>({ file: FIXTURE, name: 'whereAmI' }, { board: [1, 2, 3] });
    expect(r.input).toEqual({ board: [1, 2, 3] });
    expect(r.threadId).not.toBe(threadId);
    expect(r.threadId).toBeGreaterThan(0);
    expect(pool.threads).toBe(1);
    // A path works as well as a file URL.
    const p = await pool.run<{ threadId: number }>({ file: FIXTURE.pathname, name: 'whereAmI' }, 1);
    expect(p.threadId).toBe(r.threadId);
  });

  it.runIf(process.platform === 'linux')('its threads run poolNice lower in priority than the caller (the tick wins the CPU)', async () => {
    pool = new WorkerTaskPool({ poolThreads: 1, poolQueue: 8, poolTaskTimeoutMs: 10_000, poolNice: 7 });
    const r = await pool.run<{ nice: number }>({ file: FIXTURE, name: 'whereAmI' }, 0);
    expect(r.nice).toBe(Math.min(19, getPriority() + 7));
    expect(getPriority()).not.toBe(r.nice);
  });

  it('a task running past poolTaskTimeoutMs fails with POOL_TIMEOUT, and this event loop is never blocked', async () => {
    // The timeout counts from the hand-over (a new thread's start-up included): 1 s is room enough
    // for the replacement thread the follow-up task waits for, on a loaded machine too.
    pool = new WorkerTaskPool({ poolThreads: 1, poolQueue: 8, poolTaskTimeoutMs: 1000, poolNice: 0 });
    await pool.run({ file: FIXTURE, name: 'whereAmI' }, 0); // the thread is up
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = Date.now();
    const err = await pool.run({ file: FIXTURE, name: 'spin' }, { ms: 3000 }).then(() => null, (e: unknown) => e as { code?: string });
    clearInterval(timer);
    expect(err?.code).toBe('POOL_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(2500);
    // Timers kept firing here while the thread spun (about 100 expected; a blocked loop gives 0 or 1).
    expect(ticks).toBeGreaterThan(5);
    // The pool still works after a timed-out task.
    expect(await pool.run({ file: FIXTURE, name: 'spin' }, { ms: 1 })).toBe(1);
  });

  it('with poolQueue tasks waiting, one more fails at once with POOL_BUSY', async () => {
    pool = new WorkerTaskPool({ poolThreads: 1, poolQueue: 2, poolTaskTimeoutMs: 10_000, poolNice: 0 });
    await pool.run({ file: FIXTURE, name: 'whereAmI' }, 0);
    const running = pool.run({ file: FIXTURE, name: 'spin' }, { ms: 400 });
    const waiting = [pool.run({ file: FIXTURE, name: 'spin' }, { ms: 1 }), pool.run({ file: FIXTURE, name: 'spin' }, { ms: 2 })];
    const err = await pool.run({ file: FIXTURE, name: 'spin' }, { ms: 1 }).then(() => null, (e: unknown) => e as { code?: string });
    expect(err?.code).toBe('POOL_BUSY');
    // The ones accepted all finish.
    expect(await Promise.all([running, ...waiting])).toEqual([400, 1, 2]);
  });

  it("a task's own failure reaches the caller", async () => {
    pool = new WorkerTaskPool({ poolThreads: 1, poolQueue: 8, poolTaskTimeoutMs: 10_000, poolNice: 0 });
    await expect(pool.run({ file: FIXTURE, name: 'fails' }, 0)).rejects.toThrow('the task failed');
  });
});
