// One host on Redis (--store redis://..., appendfsync always) is SIGKILLed as a whole while its
// players score, and started again on the same address with a fresh data directory (nothing of
// it survives but what Redis holds): every player resumes by itself, in its room, with at least
// every score it was shown, and the leaderboard (read from Redis) shows them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { KEYS } from '../../server/coordinator/cluster/keys.js';
import { logLines, startServer, until, type TestServer } from '../helpers/server.js';
import { steerToNearestCoin } from '../helpers/play.js';
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

it.skipIf(!haveRedis())('a host killed as a whole comes back on the same Redis with fresh disks: its players resume with their scores', async () => {
  const args = ['--store', redis.url, '--world-width', '150', '--world-height', '150', '--coins', '20', '--snapshot-ms', '100'];
  const first = await startServer({ host: '127.0.0.2', workers: 2, args });
  servers.push(first);
  const names = ['ann', 'bob', 'cy', 'di'];
  const players: ShoalClient[] = [];
  const shown = new Map<string, number>();
  const steering = new Set<ShoalClient>();
  for (const [i, name] of names.entries()) {
    const c = first.client({ name, room: `hr-${i % 2}`, transport: i % 2 ? 'ws' : 'tcp', backoffMinMs: 100, backoffMaxMs: 500 });
    await c.connect();
    players.push(c);
    steering.add(c);
    c.on('state', () => {
      const me = c.me;
      if (!me) return;
      shown.set(name, Math.max(shown.get(name) ?? 0, me.score));
      if (steering.has(c)) steerToNearestCoin(c, me);
    });
  }
  await until(() => names.every((n) => (shown.get(n) ?? 0) >= 3), 40_000, 'every player scored');
  const ids = new Map(players.map((c, i) => [names[i]!, c.id]));

  // Kill -9 of primary, workers and coordinator together, while ann and bob still score.
  await first.kill();
  const atKill = new Map(shown);
  // What Redis holds for them (the dead host's records, as another host would read them).
  const raw = redis.client();
  for (const [name, id] of ids) {
    const rec = JSON.parse((await raw.hget(KEYS.session, id)) ?? 'null') as { score: number; room: string } | null;
    expect(rec, `${name}'s session record`).not.toBeNull();
  }

  // The same host again (same address, so the same host id), with an empty data directory.
  const second = await startServer({ host: '127.0.0.2', port: first.port, workers: 2, args });
  servers.push(second);
  try {
    await until(() => players.every((c) => c.status === 'joined' && c.reconnects > 0), 40_000, 'every player resumed');
  } catch (err) {
    console.error(players.map((c) => ({ id: c.id, status: c.status, end: c.endReason, reconnects: c.reconnects })));
    console.error(logLines(second).filter((l) => (l.level as number) >= 40).slice(-20));
    throw err;
  }
  steering.clear();
  for (const c of players) await c.fullState(10_000);
  for (const [i, c] of players.entries()) {
    const name = names[i]!;
    // The same session and room, and at least every score it was shown before the kill.
    expect(c.id).toBe(ids.get(name));
    expect(c.room).toBe(`hr-${i % 2}`);
    expect(c.me?.score ?? 0, `${name}: shown ${atKill.get(name)} before the kill`).toBeGreaterThanOrEqual(atKill.get(name)!);
  }
  const lb = (await (await fetch(`http://127.0.0.2:${second.port}/leaderboard`)).json()) as Array<{ name: string; score: number }>;
  for (const name of names) expect(lb.find((e) => e.name === name)?.score ?? 0).toBeGreaterThanOrEqual(atKill.get(name)!);
  console.log(`[figure] host kill -9 + restart on redis: ${names.map((n) => `${n} shown ${atKill.get(n)}`).join(', ')}; all resumed with them`);
  for (const c of players) c.close();
}, 120_000);
