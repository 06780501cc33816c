// What survives crashes: a lock whose holder's worker is SIGKILLed is freed when its lease runs
// out (not before), and counters, values, fencing counters and queued items survive a SIGKILL of
// the whole server, while lock leases do not.
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../shared/ipc/channel.js';
import { startServer, until, type TestServer } from '../helpers/server.js';
import { connect, coordinatorPid, inWorker, workerPid } from './world-helpers.js';

const ARGS = ['--world-debug', 'true', '--golden-coin-ms', '0'];

describe('world state and crashes', () => {
  const servers: TestServer[] = [];
  const channels: Channel[] = [];
  afterEach(async () => {
    for (const c of channels.splice(0)) c.destroy();
    for (const s of servers.splice(0)) await s.stop();
  });

  async function start(dataDir?: string): Promise<{ s: TestServer; ch: Channel }> {
    const s = await startServer({ workers: 2, args: ARGS, dataDir });
    servers.push(s);
    const ch = await connect(s);
    channels.push(ch);
    return { s, ch };
  }

  it('frees the lock of a SIGKILLed worker when its lease expires, not before', async () => {
    const { s, ch } = await start();
    const ttlMs = 3000;
    const held = await inWorker(ch, 0, { op: 'acquire', name: 'boss', ttlMs });
    const pid = await workerPid(s, 0);
    process.kill(pid, 'SIGKILL');
    await s.waitForLog((l) => l.msg === 'worker channel closed' && l.slot === 0);
    // The holder is gone, but its lease stands: nobody else gets the lock yet.
    expect(await ch.request('world.lock.acquire', { name: 'boss', ttlMs: 1000 })).toBeNull();
    const g = await ch.request('world.lock.acquire', { name: 'boss', ttlMs: 1000, waitMs: 6000 }, 9000);
    const waited = Date.now() - held.at;
    expect(g.token).toBeGreaterThan(held.token);
    // `at` is taken in the worker after the grant reached it, so allow for that trip on a busy machine.
    expect(waited).toBeGreaterThanOrEqual(ttlMs - 300);
    expect(waited).toBeLessThan(ttlMs + 2000);
    // The stale holder's token is refused for writes.
    await expect(ch.request('world.set', { name: 'boss.hp', value: 1, fence: { lock: 'boss', token: held.token } })).rejects.toMatchObject({ code: 'FENCED' });
    // The restarted worker in slot 0 serves world calls again.
    await until(async () => (await workerPid(s, 0)) !== pid, 10_000, 'worker 0 restarted');
    await until(async () => (await inWorker(ch, 0, { op: 'incr', name: 'after' }).catch(() => 0)) >= 1, 10_000, 'new worker 0 answers');
  });

  it('survives a SIGKILL of the coordinator alone: workers resubscribe, leases are gone, tokens keep growing', async () => {
    const { s, ch } = await start();
    await inWorker(ch, 0, { op: 'subscribe', topic: 'news' });
    const held = await inWorker(ch, 1, { op: 'acquire', name: 'crown', ttlMs: 60_000 });
    await inWorker(ch, 1, { op: 'incr', name: 'visits', by: 7 });
    const coordPid = await coordinatorPid(s);
    process.kill(coordPid, 'SIGKILL');
    await s.waitForLog((l) => l.msg === 'coordinator listening' && l.pid !== coordPid, 15_000);
    const ch2 = await connect(s);
    channels.push(ch2);
    // The restarted coordinator knows the worker's subscription again, without the room asking.
    await until(async () => (await ch2.request('world.pub', { topic: 'news', value: 'back' })) === 1, 10_000, 'worker 0 resubscribed');
    await until(async () => (await inWorker(ch2, 0, { op: 'events', topic: 'news' })).includes('back'), 5000, 'event delivered');
    expect(await ch2.request('world.get', { name: 'visits' })).toBe(7);
    // The lease did not survive; the old holder's fence is refused and the next token is larger.
    const g = await ch2.request('world.lock.acquire', { name: 'crown', ttlMs: 1000 });
    expect(g.token).toBeGreaterThan(held.token);
    // Worker 1 reconnects its channel on its own schedule; wait until it serves world calls again.
    await until(async () => (await inWorker(ch2, 1, { op: 'incr', name: 'w1.back' }).catch(() => 0)) >= 1, 10_000, 'worker 1 reconnected');
    await expect(inWorker(ch2, 1, { op: 'set', name: 'crown.owner', value: 1, fenceLock: 'crown', fenceToken: held.token })).rejects.toMatchObject({ code: 'FENCED' });
  });

  it('keeps values, counters, fencing counters and queued items across a SIGKILL of the server; not leases', async () => {
    const first = await start();
    const { ch } = first;
    for (let i = 0; i < 5; i++) await inWorker(ch, i % 2, { op: 'incr', name: 'kills' });
    await ch.request('world.set', { name: 'config', value: { boss: 'kraken', hp: [1, 2] } });
    let last = 0;
    for (let i = 0; i < 3; i++) {
      const g = await ch.request('world.lock.acquire', { name: 'L', ttlMs: 60_000 });
      last = g.token;
      if (i < 2) await ch.request('world.lock.release', { name: 'L', token: g.token });
    }
    for (const v of ['a', 'b', 'c']) await ch.request('world.q.push', { name: 'results', value: v });
    const a = await ch.request('world.q.pop', { name: 'results', visibilityMs: 60_000 });
    await ch.request('world.q.ack', { name: 'results', id: a.id });
    await ch.request('world.q.pop', { name: 'results', visibilityMs: 60_000 }); // b: out, never acked

    await first.s.kill();
    servers.splice(servers.indexOf(first.s), 1);
    const { ch: ch2 } = await start(first.s.dataDir);

    expect(await ch2.request('world.get', { name: 'kills' })).toBe(5);
    expect(await ch2.request('world.get', { name: 'config' })).toEqual({ boss: 'kraken', hp: [1, 2] });
    // The lease on L died with the coordinator; the fencing counter did not go back.
    const g = await ch2.request('world.lock.acquire', { name: 'L', ttlMs: 1000 });
    expect(g.token).toBe(last + 1);
    // b was never acked, so it is back; a was acked, so it is gone.
    expect(await ch2.request('world.q.len', { name: 'results' })).toEqual({ ready: 2, inflight: 0 });
    const got = [
      await ch2.request('world.q.pop', { name: 'results', visibilityMs: 1000 }),
      await ch2.request('world.q.pop', { name: 'results', visibilityMs: 1000 }),
    ].map((d) => d.value);
    expect(got).toEqual(['b', 'c']);
    // Queue ids keep growing after the restart too.
    const id = await ch2.request('world.q.push', { name: 'results', value: 'd' });
    expect(id).toBe(4);
  });
});

describe('room-scoped world handles', () => {
  it('gives back a room\'s locks and subscriptions as soon as the room ends', async () => {
    const s = await startServer({ workers: 2, args: ARGS });
    const ch = await connect(s);
    try {
      const c = s.client({ name: 'solo', room: 'lair', autoResume: false });
      await c.connect();
      const slot = (await ch.request('stats', {})).rooms.find((r: { id: string }) => r.id === 'lair').slot as number;
      const held = await inWorker(ch, slot, { op: 'roomHold', room: 'lair', lock: 'lair.boss', topic: 'lair.events', ttlMs: 60_000 });
      expect(held.token).toBeGreaterThan(0);
      expect(await ch.request('world.lock.holders', { name: 'lair.boss' })).toHaveLength(1);
      expect(await ch.request('world.pub', { topic: 'lair.events', value: 1 })).toBe(1);
      // The only player leaves: the room ends, and with it what it held (long before the 60 s lease).
      await c.leave();
      await until(async () => (await ch.request('world.lock.holders', { name: 'lair.boss' })).length === 0, 3000, 'lock released');
      await until(async () => (await ch.request('world.pub', { topic: 'lair.events', value: 2 })) === 0, 3000, 'subscription dropped');
      expect(await inWorker(ch, slot, { op: 'roomsHolding' })).toEqual([]);
    } finally {
      ch.destroy();
      await s.stop();
    }
  });
});
