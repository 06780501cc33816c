// Two hosts (127.0.0.2 and 127.0.0.3) on one Redis: the players of both are on one world
// leaderboard, in /leaderboard and in `top` at either host, with the scores each was shown, and a
// name playing on both hosts is one line holding the sum of both sessions' scores.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { sleep, startServer, until, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';
import { haveRedis, startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
const servers: TestServer[] = [];

beforeAll(async () => {
  if (haveRedis()) redis = await startRedis({ appendfsync: 'always' });
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  await redis?.stop();
});

async function board(s: TestServer): Promise<Map<string, number>> {
  const l = (await (await fetch(`http://${s.host}:${s.port}/leaderboard`)).json()) as Array<{ name: string; score: number }>;
  return new Map(l.map((e) => [e.name, e.score]));
}

it.skipIf(!haveRedis())('players of two hosts are on one leaderboard, in /leaderboard and top at both', async () => {
  const args = ['--store', redis.url, '--world-width', '150', '--world-height', '150', '--coins', '20', '--http-cache-ms', '0'];
  const [a, b] = await Promise.all([
    startServer({ host: '127.0.0.2', workers: 1, args }),
    startServer({ host: '127.0.0.3', workers: 1, args }),
  ]);
  servers.push(a, b);
  const plays: Array<{ c: ShoalClient; name: string; host: TestServer; target: number }> = [
    { c: a.client({ name: 'amy', room: 'on-a' }), name: 'amy', host: a, target: 3 },
    { c: a.client({ name: 'twin', room: 'on-a' }), name: 'twin', host: a, target: 2 },
    { c: b.client({ name: 'bo', room: 'on-b' }), name: 'bo', host: b, target: 4 },
    { c: b.client({ name: 'twin', room: 'on-b' }), name: 'twin', host: b, target: 3 },
  ];
  for (const p of plays) await p.c.connect();
  // Each host gave out its own session ids: never the same one twice.
  expect(new Set(plays.map((p) => p.c.id)).size).toBe(4);
  await Promise.all(plays.map((p) => collect(p.c, p.target, 40_000)));
  // What each player's own last state shows (a coin can still land on a player standing still).
  const want = () => {
    const m = new Map<string, number>();
    for (const p of plays) m.set(p.name, (m.get(p.name) ?? 0) + (p.c.me?.score ?? 0));
    return m;
  };
  for (const s of [a, b]) {
    await until(async () => {
      const l = await board(s);
      return [...want()].every(([n, score]) => l.get(n) === score);
    }, 10_000, `${s.host}'s /leaderboard shows both hosts' players`).catch(() => {});
    expect(Object.fromEntries(await board(s))).toEqual(Object.fromEntries(want()));
  }
  // `top` at a player of each host: the same lines, best first.
  const expected = () => [...want()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  for (const p of [plays[0]!, plays[2]!]) {
    let t = await p.c.top();
    for (let i = 0; i < 20 && JSON.stringify(t.players) !== JSON.stringify(expected()); i++) {
      await sleep(100);
      t = await p.c.top();
    }
    expect(t.players).toEqual(expected());
  }
  expect(expected().find(([n]) => n === 'twin')![1]).toBe(plays[1]!.c.me!.score + plays[3]!.c.me!.score);
  console.log(`[figure] two hosts, one leaderboard: ${expected().map(([n, s]) => `${n} ${s}`).join(', ')}`);
  for (const p of plays) p.c.close();
}, 90_000);
