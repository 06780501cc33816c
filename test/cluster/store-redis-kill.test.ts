// redis-server SIGKILLed mid-play (appendfsync always) and started again about 2 s later: the
// rooms play on meanwhile (states keep coming, scores keep being shown), a new player is refused
// with UNAVAILABLE and /ready says the store is failing, and once Redis is back every score a
// player was shown is in Redis — its session record and the leaderboard ZSET — none lost.
import { afterAll, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { KEYS } from '../../server/coordinator/cluster/keys.js';
import { sleep, startServer, until, type TestServer } from '../helpers/server.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { steerToNearestCoin } from '../helpers/play.js';
import { haveRedis, startRedis, type TestRedis } from '../helpers/redis.js';

const servers: TestServer[] = [];
const redises: TestRedis[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const r of redises) await r.stop();
});

/** A new player's hello: the first answer is welcome or an error. */
async function tryJoin(s: TestServer, name: string): Promise<{ t: string; code?: string }> {
  const raw = await RawTcp.connect(s.port);
  raw.send(hello(name));
  const m = await raw.next((x) => x.t === 'welcome' || x.t === 'error', 10_000);
  raw.close();
  return m;
}

async function ready(s: TestServer): Promise<{ status: number; body: { reasons?: string[] } }> {
  const r = await fetch(`http://127.0.0.1:${s.port}/ready`);
  return { status: r.status, body: (await r.json()) as { reasons?: string[] } };
}

// A SIGKILL of redis-server (not of its machine): what it acknowledged was written to its append-only
// file (write(2)) before the answer left, so the three settings lose nothing here; they differ
// when the machine itself goes (docs/SCALING.md, "Persistence and what a failure loses").
it.skipIf(!haveRedis()).each(['always', 'everysec', 'no'] as const)('appendfsync %s: rooms play on through a Redis crash; joins get UNAVAILABLE; no shown score is lost', async (appendfsync) => {
  const redis = await startRedis({ appendfsync });
  redises.push(redis);
  const args = ['--store', redis.url, '--world-width', '150', '--world-height', '150', '--coins', '20', '--redis-timeout-ms', '1000'];
  const server = await startServer({ workers: 2, args });
  servers.push(server);
  const names = ['ann', 'bob', 'cy', 'di'];
  const players: ShoalClient[] = [];
  const shown = new Map<string, number>();
  const states = new Map<string, number>();
  const steering = new Set<ShoalClient>();
  for (const [i, name] of names.entries()) {
    const c = server.client({ name, room: `rk-${i % 2}`, transport: i % 2 ? 'ws' : 'tcp' });
    await c.connect();
    players.push(c);
    steering.add(c);
    c.on('state', () => {
      states.set(name, (states.get(name) ?? 0) + 1);
      const me = c.me;
      if (!me) return;
      shown.set(name, Math.max(shown.get(name) ?? 0, me.score));
      if (steering.has(c)) steerToNearestCoin(c, me);
    });
  }
  await until(() => names.every((n) => (shown.get(n) ?? 0) >= 2), 40_000, 'every player scored');

  await redis.kill();
  const killedAt = Date.now();
  const statesAtKill = new Map(states);
  const shownAtKill = new Map(shown);
  // The store finds out (a write fails, or the connection closes) and says so.
  await server.waitForLog((l) => l.code === 'STORE_UNWRITABLE', 10_000);
  const refused = await tryJoin(server, 'newcomer');
  expect(refused).toMatchObject({ t: 'error', code: 'UNAVAILABLE' });
  const r = await ready(server);
  expect(r.status).toBe(503);
  expect(r.body.reasons).toContain('store_failing');
  // About 2 s of outage, with play going on. ann stops once she scored during it: her last score
  // was refused by the store, and only the worker's resend once Redis is back can save it.
  await until(() => shown.get('ann')! > shownAtKill.get('ann')! || Date.now() - killedAt > 1800, 5000);
  steering.delete(players[0]!);
  players[0]!.input(0, 0);
  await sleep(Math.max(0, 2000 - (Date.now() - killedAt)));
  for (const n of names) expect(states.get(n)!, `${n} kept getting states`).toBeGreaterThan(statesAtKill.get(n)! + 10);
  const scoredDuring = names.filter((n) => shown.get(n)! > shownAtKill.get(n)!);
  const outageMs = Date.now() - killedAt;

  await redis.start();
  await server.waitForLog((l) => l.code === 'STORE_WRITABLE', 15_000);
  await until(async () => (await ready(server)).status === 200, 15_000, '/ready again');
  expect((await tryJoin(server, 'after')).t).toBe('welcome');
  // Play on a little, then everyone stands still and what they were shown last is final.
  await sleep(500);
  steering.clear();
  for (const c of players) c.input(0, 0);
  await sleep(500);
  const raw = redis.client();
  const lostNow = async (): Promise<string[]> => {
    const lost: string[] = [];
    for (const [i, name] of names.entries()) {
      const rec = JSON.parse((await raw.hget(KEYS.session, players[i]!.id)) ?? '{"score":0}') as { score: number };
      const lb = Number((await raw.zscore(KEYS.lb, name)) ?? 0);
      const saw = shown.get(name)!;
      if (rec.score < saw || lb < saw) lost.push(`${name} shown ${saw}, record ${rec.score}, leaderboard ${lb}`);
    }
    return lost;
  };
  await until(async () => (await lostNow()).length === 0, 15_000, 'every shown score in redis').catch(() => {});
  expect(await lostNow()).toEqual([]);
  console.log(`[figure] appendfsync ${appendfsync}: redis kill -9 for ${outageMs} ms mid-play: states kept coming, ${scoredDuring.length}/4 players scored during it, join refused UNAVAILABLE, 0 of ${names.map((n) => shown.get(n)).join('+')} shown points lost`);
  for (const c of players) c.close();
}, 120_000);
