// The golden coin end to end, through real worker processes and real clients: every period
// exactly one room of the whole server (rooms on both workers) spawns a coin worth 10, which
// players see as a coin tuple with a 4th element 10; and the world counter of coins taken shows
// on /health.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import type { Channel } from '../../shared/ipc/channel.js';
import { sleep, startServer, until, type TestServer } from '../helpers/server.js';
import { connect } from './world-helpers.js';

const PERIOD_MS = 1000;
const ROOMS = 6;

describe('golden coin across workers', () => {
  let server: TestServer;
  let ch: Channel;
  const clients: ShoalClient[] = [];

  beforeAll(async () => {
    server = await startServer({ workers: 2, args: ['--golden-coin-ms', String(PERIOD_MS)] });
    ch = await connect(server);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    ch?.destroy();
    await server?.stop();
  });

  it('gives exactly one golden coin per period to one room of several, on either worker', async () => {
    const seen = new Map<string, { room: string; at: number }>();
    for (let i = 0; i < ROOMS; i++) {
      const room = `gold-${i}`;
      const c = server.client({ name: `p${i}`, room, autoResume: false });
      clients.push(c);
      c.on('state', (m) => {
        for (const coin of m.coins) {
          if (coin[3] === 10 && !seen.has(`${room}/${coin[0]}`)) seen.set(`${room}/${coin[0]}`, { room, at: Date.now() });
        }
      });
      await c.connect();
    }
    const stats = await ch.request('stats', {});
    const slots = new Set(stats.rooms.filter((r: { id: string }) => r.id.startsWith('gold-')).map((r: { slot: number }) => r.slot));
    expect(slots).toEqual(new Set([0, 1])); // the rooms really are spread over both workers

    // Every period since the first golden coin must have been given exactly once: the durable
    // counter of coins spawned equals the number of periods from the first given to the current
    // one, and every one of those coins reached its room's player. A double (two rooms in one
    // period) would leave the count above that for good; a skipped period, below.
    const get = async (name: string) => (await ch.request('world.get', { name })) as number | null;
    const first = await until(() => get('arena.golden.period'), 5000, 'a first golden period');
    await sleep(5 * PERIOD_MS);
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
  });

  it('counts coins taken in the world and shows them on /health and in world.stats', async () => {
    const c = clients[0]!;
    await until(() => c.me && c.coins.size > 0, 5000, 'a player and coins');
    // Steer to the nearest coin until the player has taken one.
    for (const deadline = Date.now() + 15_000; (c.me?.score ?? 0) < 1 && Date.now() < deadline; await sleep(50)) {
      const me = c.me!;
      let best: { x: number; y: number } | undefined;
      for (const coin of c.coins.values()) if (!best || Math.hypot(coin.x - me.x, coin.y - me.y) < Math.hypot(best.x - me.x, best.y - me.y)) best = coin;
      if (best) c.input(Math.sign(Math.round(best.x - me.x)), Math.sign(Math.round(best.y - me.y)));
    }
    c.input(0, 0);
    expect(c.me!.score).toBeGreaterThanOrEqual(1);
    const health = await until(async () => {
      const h = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as { coinsTaken: number };
      return h.coinsTaken >= 1 ? h : null;
    }, 5000, 'coinsTaken on /health');
    expect(health).toMatchObject({ status: 'ok', workers: 2 });
    const ws = await ch.request('world.stats', {});
    expect(ws.coinsTaken).toBeGreaterThanOrEqual(health.coinsTaken);
    expect(ws.goldenSpawned).toBeGreaterThanOrEqual(1);
  });
});
