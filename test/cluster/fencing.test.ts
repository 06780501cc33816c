// Two hosts never run one room (--store redis, real redis-server, hosts 127.0.0.2 and 127.0.0.3):
//  - a host that finds one of its rooms owned by another host (its ownership check, every ttl/3)
//    stops it: its players there get `bye` `restart`, and its /rooms no longer lists it while the
//    new owner's does. To have another host take a room from a host that is alive and not fenced,
//    the test keeps deleting A's heartbeat key (A's renewals succeed, so A does not fence itself)
//    until B, asked by one of the room's players, has claimed and adopted it;
//  - a host cut off from Redis (redis-server SIGSTOPped past the TTL) fences itself: every player
//    gets `bye` `restart` and no hello is seated; once Redis answers again and the heartbeat is
//    renewed, the rooms still its own come back and their players resume with their scores.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalClient } from '../../shared/client/client.js';
import { tcpConnector } from '../../shared/client/tcp-transport.js';
import { steerToNearestCoin } from '../helpers/play.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { sleep, startServer, until, type TestServer } from '../helpers/server.js';

let redis: TestRedis;
let r: Redis;
let A: TestServer;
let B: TestServer;
const clients: ShoalClient[] = [];

function client(s: TestServer, o: { name: string; room?: string; token?: string; autoResume?: boolean }): ShoalClient {
  const c = new ShoalClient({ connector: tcpConnector(s.host, s.port), backoffMinMs: 100, backoffMaxMs: 500, ...o });
  clients.push(c);
  return c;
}

async function roomsOf(s: TestServer): Promise<Array<{ id: string; players: number }>> {
  const res = await fetch(`http://${s.host}:${s.port}/rooms?limit=100`);
  return (await res.json()) as Array<{ id: string; players: number }>;
}

beforeAll(async () => {
  redis = await startRedis();
  r = redis.client();
  const args = ['--store', redis.url, '--host-ttl-ms', '1500', '--http-cache-ms', '0', '--grace-ms', '60000'];
  [A, B] = await Promise.all([
    startServer({ host: '127.0.0.2', workers: 1, args }),
    startServer({ host: '127.0.0.3', workers: 1, args }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  if (redis?.proc) redis.proc.kill('SIGCONT');
  await Promise.all([A?.stop(), B?.stop()]);
  await redis?.stop();
});

describe('fencing', () => {
  it('a room another host took over is stopped on the host that ran it: its players are told, its /rooms drops it', async () => {
    const ann = client(A, { name: 'ann', room: 'lagoon', autoResume: false });
    const bob = client(A, { name: 'bob', room: 'lagoon', autoResume: false });
    await ann.connect();
    await bob.connect();
    expect((await roomsOf(A)).map((x) => x.id)).toContain('lagoon');
    const byes: string[] = [];
    bob.on('bye', (m) => byes.push(m.reason));
    // A's heartbeat vanishes again and again (A renews it every 500 ms and sees nothing wrong).
    const beat = `shoal:host:${A.host}:${A.port}`;
    let deleting = true;
    const loop = (async () => {
      while (deleting) {
        await r.del(beat);
        await sleep(10);
      }
    })();
    // ann's token, sent to B: B claims the room (A looks dead to it) and adopts it.
    let welcomed = false;
    try {
      for (let i = 0; i < 40 && !welcomed; i++) {
        const probe = client(B, { name: 'ann', token: ann.token, autoResume: false });
        welcomed = await probe.connect().then(() => true, () => false);
        if (!welcomed) await sleep(100);
      }
    } finally {
      deleting = false;
      await loop;
    }
    expect(welcomed).toBe(true);
    // A finds out at its next ownership check (every ttl/3): bob is told to resume, the room goes.
    await until(() => byes.includes('restart') || undefined, 10_000, 'bob told to resume');
    await until(async () => !(await roomsOf(A)).some((x) => x.id === 'lagoon') || undefined, 10_000, 'lagoon gone from A');
    expect((await roomsOf(B)).find((x) => x.id === 'lagoon')?.players).toBe(2);
    // And stays gone from A: one host runs it.
    await sleep(1500);
    expect((await roomsOf(A)).map((x) => x.id)).not.toContain('lagoon');
  }, 60_000);

  it('a host cut off from Redis past the TTL stops every room; back, its rooms play again with every score', async () => {
    const players = ['cy', 'dee', 'eve'].map((name) => client(A, { name, room: 'shoal-fence' }));
    const shown = new Map<ShoalClient, number>();
    const byes: string[] = [];
    for (const c of players) {
      c.on('state', () => {
        const me = c.me;
        if (!me) return;
        shown.set(c, Math.max(shown.get(c) ?? 0, me.score));
        steerToNearestCoin(c, me);
      });
      c.on('bye', (m) => byes.push(m.reason));
      await c.connect();
    }
    await until(() => [...shown.values()].some((s) => s > 0) || undefined, 30_000, 'someone scored');
    await sleep(500);
    const before = players.map((c) => c.reconnects);
    // Redis stops answering (SIGSTOP: connections stay open, commands time out) for twice the TTL.
    redis.proc!.kill('SIGSTOP');
    let atStop: number[];
    try {
      await until(() => byes.filter((b) => b === 'restart').length === players.length || undefined, 10_000, 'every player told to resume');
      atStop = players.map((c) => shown.get(c) ?? 0);
      await A.waitForLog((l) => l.code === 'HOST_SELF_FENCED', 5_000);
      await sleep(1500);
    } finally {
      redis.proc!.kill('SIGCONT');
    }
    await A.waitForLog((l) => l.code === 'HOST_UNFENCED', 20_000);
    // The players (resuming all along) are seated again in the same room, on A, with their scores.
    await until(() => players.every((c, i) => c.status === 'joined' && c.reconnects > before[i]!) || undefined, 45_000, 'every player back');
    await until(() => players.every((c) => c.me !== undefined) || undefined, 10_000, 'states again');
    players.forEach((c, i) => expect(c.me!.score).toBeGreaterThanOrEqual(atStop[i]!));
    expect(players.every((c) => c.room === 'shoal-fence')).toBe(true);
    expect((await roomsOf(A)).find((x) => x.id === 'shoal-fence')?.players).toBe(3);
  }, 90_000);
});
