// The world API across two hosts sharing one real redis-server, end to end through real players:
// the arena's golden coin is given exactly once per period world-wide though rooms on both hosts
// race for it (a lock, then a fenced compare-and-set, in Redis), and a coin taken on one host
// shows in the other host's /health and world.stats (the games' reports read from Redis); and when
// a whole host is SIGKILLed, its lock frees at its lease's end, not before, for the other host,
// its popped item comes back there, and what it wrote stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { sleep, until } from '../helpers/server.js';
import { inWorker, startWorld, type WorldHosts } from '../world/world-helpers.js';

const PERIOD_MS = 1000;
const ROOMS = 6;

describe('the world across hosts on Redis', () => {
  let world: WorldHosts;
  const clients: ShoalClient[] = [];

  beforeAll(async () => {
    world = await startWorld('redis', ['--golden-coin-ms', String(PERIOD_MS), '--world-debug', 'true']);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await world?.stop();
  });

  it('gives exactly one golden coin per period to one room of several, on either host', async () => {
    const seen = new Map<string, { room: string; host: string }>();
    for (let i = 0; i < ROOMS; i++) {
      const room = `gold-${i}`;
      const host = world.host(i);
      const c = host.client({ name: `p${i}`, room, autoResume: false });
      clients.push(c);
      c.on('state', (m) => {
        for (const coin of m.coins) {
          if (coin[3] === 10 && !seen.has(`${room}/${coin[0]}`)) seen.set(`${room}/${coin[0]}`, { room, host: host.host });
        }
      });
      await c.connect();
    }
    const get = (name: string) => world.request<number | null>('world.get', { name });
    const first = await until(() => get('arena.golden.period'), 5000, 'a first golden period');
    await sleep(5 * PERIOD_MS);
    // Rooms of both hosts win periods (the winner is random each period): the race is between hosts.
    const hostsWon = () => new Set([...seen.values()].map((s) => s.host)).size;
    await until(() => hostsWon() === 2, 20 * PERIOD_MS, 'golden coins on both hosts');
    let last = { period: 0, spawned: 0 };
    await until(async () => {
      const period = (await get('arena.golden.period'))!;
      const spawned = (await get('arena.golden.spawned')) ?? 0;
      last = { period, spawned };
      return period === Math.floor(Date.now() / PERIOD_MS) && spawned === period - first + 1 && seen.size === spawned;
    }, 3000, 'one golden coin per period').catch((err) => {
      throw new Error(`${(err as Error).message}: first period ${first}, then ${JSON.stringify(last)}, coins seen ${seen.size}`);
    });
    expect(last.period - first).toBeGreaterThanOrEqual(5);
    expect(new Set([...seen.values()].map((s) => s.host))).toEqual(new Set(['127.0.0.2', '127.0.0.3']));
  });

  it('shows a coin taken on one host in the other host\'s /health and world.stats', async () => {
    const c = clients[0]!; // on the first host
    await until(() => c.me && c.coins.size > 0, 5000, 'a player and coins');
    for (const deadline = Date.now() + 15_000; (c.me?.score ?? 0) < 1 && Date.now() < deadline; await sleep(50)) {
      const me = c.me!;
      let best: { x: number; y: number } | undefined;
      for (const coin of c.coins.values()) if (!best || Math.hypot(coin.x - me.x, coin.y - me.y) < Math.hypot(best.x - me.x, best.y - me.y)) best = coin;
      if (best) c.input(Math.sign(Math.round(best.x - me.x)), Math.sign(Math.round(best.y - me.y)));
    }
    c.input(0, 0);
    expect(c.me!.score).toBeGreaterThanOrEqual(1);
    const other = world.host(1);
    const health = await until(async () => {
      const h = (await (await fetch(`http://${other.host}:${other.port}/health`)).json()) as { coinsTaken: number };
      return h.coinsTaken >= 1 ? h : null;
    }, 5000, 'coinsTaken on the other host\'s /health');
    expect(health.coinsTaken).toBeGreaterThanOrEqual(1);
    const ch = await world.connect(1);
    try {
      const ws = await ch.request('world.stats', {});
      expect(ws.coinsTaken).toBeGreaterThanOrEqual(health.coinsTaken);
      expect(ws.goldenSpawned).toBeGreaterThanOrEqual(1);
      expect(ws.locks.grants).toBeGreaterThanOrEqual(ws.goldenSpawned);
    } finally {
      ch.destroy();
    }
  });

  it('a SIGKILLed host\'s lock frees when its lease runs out, its popped item comes back on the other host', async () => {
    // Worker slot 0 is on the first host, slot 1 on the second.
    await inWorker(world, 0, { op: 'incr', name: 'dead.count', by: 5 });
    await inWorker(world, 0, { op: 'push', name: 'dead.q', value: 'job' });
    const item = await inWorker(world, 0, { op: 'pop', name: 'dead.q', visibilityMs: 1500 });
    expect(item).toMatchObject({ value: 'job', attempt: 1 });
    const held = await inWorker(world, 0, { op: 'acquire', name: 'dead.lock', ttlMs: 2500 });
    expect(await inWorker(world, 1, { op: 'acquire', name: 'dead.lock', ttlMs: 5000 })).toBeNull();
    await world.host(0).kill();
    const next = await inWorker(world, 1, { op: 'acquire', name: 'dead.lock', ttlMs: 5000, waitMs: 15_000 });
    expect(next.token).toBeGreaterThan(held.token);
    expect(next.at - held.at).toBeGreaterThanOrEqual(2000); // not before the 2.5 s lease ran out (less the grant's trip)
    const again = await inWorker(world, 1, { op: 'pop', name: 'dead.q', visibilityMs: 10_000, waitMs: 5000 });
    expect(again).toMatchObject({ id: item.id, value: 'job', attempt: 2 });
    expect(await inWorker(world, 1, { op: 'ack', name: 'dead.q', id: again.id })).toBe(true);
    expect(await inWorker(world, 1, { op: 'get', name: 'dead.count' })).toBe(5);
  });
});
