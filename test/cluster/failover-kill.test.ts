// A host dies with 200 players playing (SIGKILL of its whole process group: primary, workers,
// coordinator), on a real redis-server: after its heartbeat's TTL (1.5 s here) every player
// resumes with its token on the other host (half over TCP, half over WebSocket, in arena rooms),
// which claims each room, adopts it from Redis (record, snapshot, sessions) and runs it, with
// every player's score at least the last one that player was shown. Then the dead host comes
// back (same address, host id and data): it does not run the rooms taken from it (the /rooms of
// both), and a resume sent to it is redirected to the host that runs the room now.
// The clients here reconnect to the surviving host directly (their connector switches); following
// REDIRECT by itself is the clients lane's.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalClient } from '../../shared/client/client.js';
import { tcpConnector } from '../../shared/client/tcp-transport.js';
import { wsConnector, type WsConstructor } from '../../shared/client/ws-transport.js';
import type { Connector } from '../../shared/client/transport.js';
import { steerToNearestCoin } from '../helpers/play.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { sleep, startServer, until, type TestServer } from '../helpers/server.js';

const PLAYERS = Number(process.env.FAILOVER_PLAYERS ?? 200);

let redis: TestRedis;
let A: TestServer;
let B: TestServer;
const args = (r: TestRedis) => ['--store', r.url, '--host-ttl-ms', '1500', '--grace-ms', '60000', '--http-cache-ms', '0'];

/** Connects to whichever host `target()` names now. */
function switching(target: () => TestServer, transport: 'tcp' | 'ws'): Connector {
  return (hint) => {
    const s = target();
    return transport === 'ws'
      ? wsConnector(`ws://${s.host}:${s.port}/ws`, WebSocket as unknown as WsConstructor)(hint)
      : tcpConnector(s.host, s.port)(hint);
  };
}

interface Tracked {
  c: ShoalClient;
  /** The highest score of its own this player was shown, by any state. */
  shown: number;
  welcomes: number;
  /** When its welcome after the kill arrived (ms since epoch). */
  resumedAt?: number;
  /** Its own score in the first state after that welcome. */
  scoreAfter?: number;
  /** Error codes it was sent after the kill (for a failure's message). */
  errors: string[];
}

async function roomsOf(s: TestServer): Promise<Array<{ id: string; players: number }>> {
  const res = await fetch(`http://${s.host}:${s.port}/rooms?limit=100`);
  return (await res.json()) as Array<{ id: string; players: number }>;
}

beforeAll(async () => {
  redis = await startRedis();
  [A, B] = await Promise.all([
    startServer({ host: '127.0.0.2', workers: 1, args: args(redis) }),
    startServer({ host: '127.0.0.3', workers: 2, args: args(redis) }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
  await redis?.stop();
});

describe('a host dies with players playing', () => {
  const players: Tracked[] = [];
  let target: TestServer;
  let killedAt = 0;

  afterAll(() => {
    for (const p of players) p.c.close();
  });

  it(`every one of ${PLAYERS} players resumes on the other host with at least the score it was last shown`, async () => {
    target = A;
    for (let i = 0; i < PLAYERS; i++) {
      const c = new ShoalClient({
        connector: switching(() => target, i % 2 ? 'ws' : 'tcp'), name: `p${i}`,
        backoffMinMs: 100, backoffMaxMs: 500, resumeForMs: 90_000,
      });
      const t: Tracked = { c, shown: 0, welcomes: 0, errors: [] };
      c.on('error', (m) => {
        if (killedAt) t.errors.push(m.code);
      });
      c.on('welcome', () => {
        t.welcomes++;
        if (killedAt && t.resumedAt === undefined) t.resumedAt = Date.now();
      });
      c.on('state', () => {
        const me = c.me;
        if (!me) return;
        if (t.resumedAt !== undefined && t.scoreAfter === undefined) t.scoreAfter = me.score;
        if (me.score > t.shown) t.shown = me.score;
        steerToNearestCoin(c, me);
      });
      players.push(t);
    }
    // Joined in waves, so the one worker of A is not flooded by 200 hellos at once.
    for (let i = 0; i < PLAYERS; i += 25) await Promise.all(players.slice(i, i + 25).map((p) => p.c.connect()));
    const rooms = await roomsOf(A);
    expect(rooms.reduce((n, r) => n + r.players, 0)).toBe(PLAYERS);
    // Play until most have scored and several snapshots have been written.
    await until(() => players.filter((p) => p.shown > 0).length >= PLAYERS / 2 || undefined, 60_000, 'half the players scored');
    await sleep(1500);

    // What each was shown up to the kill is fixed once A is gone: its states stop with it.
    target = B;
    killedAt = Date.now();
    await A.kill();
    const shownAtKill = players.map((p) => p.shown);

    await until(() => players.every((p) => p.scoreAfter !== undefined) || undefined, 90_000, 'every player resumed on B').catch(async (err: Error) => {
      const waiting = players.filter((p) => p.scoreAfter === undefined);
      const by = new Map<string, number>();
      for (const p of waiting) {
        const seen = new Map<string, number>();
        for (const e of p.errors) seen.set(e, (seen.get(e) ?? 0) + 1);
        const k = `${p.c.status}/${p.c.endReason ?? ''}/${p.resumedAt ? 'welcomed' : 'no welcome'}/${p.c.id}@${p.c.room}: ${[...seen].map(([e, n]) => `${e}x${n}`).join(' ')}`;
        by.set(k, (by.get(k) ?? 0) + 1);
      }
      if (process.env.FAILOVER_LOGS) (await import('node:fs')).writeFileSync(process.env.FAILOVER_LOGS, B.logs.join('\n'));
      throw new Error(`${err.message}: ${waiting.length} not resumed (${[...by].map(([k, n]) => `${n} ${k}`).join(', ')})`);
    });
    const last = Math.max(...players.map((p) => p.resumedAt!));
    // Failover time, kill to the last player resumed (loadtest/cluster-failover.ts measures it).
    console.log(`failover: ${PLAYERS} players, last resumed ${last - killedAt} ms after the kill`);
    const lower = players.map((p, i) => ({ name: p.c.id, shown: shownAtKill[i]!, after: p.scoreAfter! })).filter((x) => x.after < x.shown);
    expect(lower).toEqual([]);
    expect(shownAtKill.filter((s) => s > 0).length).toBeGreaterThanOrEqual(PLAYERS / 2);
    // Every room runs on B now, every player seated there.
    const onB = await roomsOf(B);
    expect(onB.map((r) => r.id).sort()).toEqual(rooms.map((r) => r.id).sort());
    expect(onB.reduce((n, r) => n + r.players, 0)).toBe(PLAYERS);
  }, 240_000);

  it('the dead host comes back and does not run the rooms taken from it; a resume sent to it is redirected to the new owner', async () => {
    const taken = (await roomsOf(B)).map((r) => r.id);
    A = await startServer({ host: '127.0.0.2', port: A.port, dataDir: A.dataDir, workers: 1, args: args(redis) });
    expect((await roomsOf(A)).filter((r) => taken.includes(r.id))).toEqual([]);
    // A player's token sent to A: A's gate finds its room run by B.
    const p = players[0]!;
    // maxRedirects 0: the probe reports the REDIRECT instead of following it (and taking the player's seat on B).
    const probe = new ShoalClient({ connector: tcpConnector(A.host, A.port), name: 'probe', token: p.c.token, autoResume: false, maxRedirects: 0 });
    let sentTo: string | undefined;
    probe.on('error', (m) => (sentTo = m.to));
    const err = await probe.connect().then(() => null, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('REDIRECT');
    expect(sentTo).toBe(`${B.host}:${B.port}`);
    probe.close();
    await sleep(1000);
    expect((await roomsOf(A)).filter((r) => taken.includes(r.id))).toEqual([]);
    expect((await roomsOf(B)).map((r) => r.id).sort()).toEqual([...taken].sort());
  }, 90_000);
});
