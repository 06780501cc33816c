// Three Shoal hosts (127.0.0.2, .3, .4) sharing one real redis-server: they see each other's
// heartbeats (`hosts`, `status`, shoal_cluster_hosts), world chat and the console's say, kick and
// ban reach players on every host, a SIGKILLed host drops out after --host-ttl-ms and a stopped
// one at once, and with Redis gone chat and say still reach this host's players.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { ask, run } from '../console/console-helpers.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { scrape, sample } from '../helpers/metrics.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TTL = 1500;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ''}`);
}

describe('hosts, chat, say, kick and ban across hosts on Redis', { timeout: 60_000 }, () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  let c: TestServer;
  const clients: ShoalClient[] = [];
  const join = async (s: TestServer, name: string, room?: string) => {
    const cl = s.client({ transport: 'tcp', name, room });
    clients.push(cl);
    const welcome = await cl.connect();
    return { c: cl, id: welcome.id };
  };
  const id = (s: TestServer) => `${s.host}:${s.port}`;

  beforeAll(async () => {
    redis = await startRedis();
    const args = ['--store', redis.url, '--host-ttl-ms', String(TTL)];
    const [sa, sb, sc] = await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4'].map((host) => startServer({ host, workers: 1, args })));
    [a, b, c] = [sa!, sb!, sc!];
  }, 60_000);

  afterAll(async () => {
    for (const cl of clients) cl.close();
    await Promise.all([a, b, c].map((s) => s?.stop()));
    for (const s of [a, b, c]) if (s) fs.rmSync(s.dataDir, { recursive: true, force: true });
    await redis?.stop();
  }, 60_000);

  it('hosts lists every live host with its address, players and rooms; status and /metrics count them', async () => {
    await join(b, 'Bea', 'reef');
    const rows = await until('3 hosts with Bea counted on B', async () => {
      const r = await run(a.consoleSocket, 'hosts');
      return r.length === 3 && r.find((h: { host: string }) => h.host === id(b))?.players === 1 ? r : undefined;
    });
    expect(rows.map((h: { host: string }) => h.host)).toEqual([id(a), id(b), id(c)]);
    for (const [h, s] of rows.map((h: Record<string, unknown>, i: number) => [h, [a, b, c][i]!] as const)) {
      expect(h).toMatchObject({ advertise: id(s), self: s === a });
      expect(h.heartbeatAgeMs).toBeLessThan(TTL);
    }
    expect(rows[1]).toMatchObject({ players: 1, rooms: 1 });
    const st = await run(a.consoleSocket, 'status');
    expect(st.cluster).toMatchObject({ store: 'redis', self: id(a), hosts: 3, players: 1, rooms: 1 });
    expect(sample(await scrape(a), 'shoal_cluster_hosts')).toBe(3);
  });

  it('a world chat line from a player on A reaches players on B and C (and B\'s reaches A)', async () => {
    const pa = await join(a, 'Ann', 'kelp');
    const pb = await join(b, 'Ben', 'coral');
    const pc = await join(c, 'Cy', 'sand');
    const seen = [pb, pc, pa].map((p) => p.c.next('chat', (m) => m.text === 'hello world', 10_000));
    pa.c.chat('hello world', 'world');
    for (const m of await Promise.all(seen)) expect(m).toMatchObject({ t: 'chat', from: pa.id, name: 'Ann', scope: 'world', text: 'hello world' });
    const back = pa.c.next('chat', (m) => m.text === 'hi from B', 10_000);
    pb.c.chat('hi from B', 'world');
    expect(await back).toMatchObject({ from: pb.id, name: 'Ben', scope: 'world' });
    expect((await back).operator).toBeUndefined();
    // A room line stays in its room, on its host.
    let leaked = false;
    const off = pc.c.on('chat', (m) => (leaked ||= m.text === 'just kelp'));
    pa.c.chat('just kelp', 'room');
    await pa.c.next('chat', (m) => m.text === 'just kelp', 5000);
    pb.c.chat('after kelp', 'world');
    await pc.c.next('chat', (m) => m.text === 'after kelp', 10_000);
    off();
    expect(leaked).toBe(false);
  });

  it('say on A reaches players on B and C, marked as the operator\'s', async () => {
    const pb = await join(b, 'Sal', 'coral');
    const pc = await join(c, 'Sid', 'sand');
    const seen = [pb, pc].map((p) => p.c.next('chat', (m) => m.from === 'server', 10_000));
    expect(await run(a.consoleSocket, 'say', 'maintenance', 'at', 'noon')).toMatchObject({ said: 'maintenance at noon' });
    for (const m of await Promise.all(seen)) expect(m).toMatchObject({ from: 'server', name: 'server', scope: 'world', text: 'maintenance at noon', operator: true });
  });

  it('kick on A of a player on B: bye "kicked", disconnected, no resume; unknown ids are not found', async () => {
    const k = await join(b, 'Kim', 'coral');
    const bye = k.c.next('bye', undefined, 10_000);
    const closed = new Promise<void>((r) => k.c.on('status', (s) => s === 'closed' && r()));
    const res = await run(a.consoleSocket, 'kick', k.id, 'spamming');
    expect(res).toMatchObject({ kicked: k.id, name: 'Kim', room: 'coral', reason: 'spamming', host: id(b) });
    expect((await bye).reason).toBe('kicked');
    await closed;
    expect(k.c.endReason).toBe('kicked');
    expect(k.c.reconnects).toBe(0);
    const room = await run(b.consoleSocket, 'room', 'coral');
    expect(room.players.map((p: { id: string }) => p.id)).not.toContain(k.id);
    expect((await ask(a.consoleSocket, 'kick', k.id)).error!.code).toBe('PLAYER_NOT_FOUND');
    // B's console says who asked.
    await b.waitForLog((l) => l.role === 'console' && l.cmd === 'kick' && l.player === k.id);
  });

  it('ban on A of an address drops its players on B and keeps it out of B; unban on A lets it back', async () => {
    const pb = await join(b, 'Bo', 'coral');
    const address = (await run(b.consoleSocket, 'room', 'coral')).players.find((p: { id: string }) => p.id === pb.id).address as string;
    const bye = pb.c.next('bye', undefined, 10_000);
    const r = await run(a.consoleSocket, 'ban', address);
    expect((await bye).reason).toBe('banned');
    expect(r.players).toContain(pb.id);
    expect(r.hosts).toBe('2 of 2 other host(s) answered');
    expect((await run(b.consoleSocket, 'bans')).map((x: { address: string }) => x.address)).toEqual([address]);
    await expect(join(b, 'Eve', 'coral')).rejects.toThrow(/connection closed before welcome/);
    await run(a.consoleSocket, 'unban', address);
    expect(await run(b.consoleSocket, 'bans')).toEqual([]);
    expect(await run(c.consoleSocket, 'bans')).toEqual([]);
    expect((await join(b, 'Eve', 'coral')).id).toBeTruthy();
  });

  it('a SIGKILLed host drops out of hosts after the TTL; a stopped one at once', async () => {
    const r = redis.client();
    await c.kill();
    expect(await r.exists(`shoal:host:${id(c)}`)).toBe(1);
    const rows = await until('C gone', async () => {
      const h = await run(a.consoleSocket, 'hosts');
      return h.length === 2 ? h : undefined;
    }, TTL * 10);
    expect(rows.map((h: { host: string }) => h.host)).toEqual([id(a), id(b)]);
    expect(await r.sismember('shoal:hosts', id(c))).toBe(1);
    await b.stop();
    expect(await r.exists(`shoal:host:${id(b)}`)).toBe(0);
    expect((await run(a.consoleSocket, 'hosts')).map((h: { host: string }) => h.host)).toEqual([id(a)]);
  });

  it('with Redis gone, say and world chat still reach this host\'s players (logged once), and the host knows its heartbeat is lost', async () => {
    const p1 = await join(a, 'One', 'kelp');
    const p2 = await join(a, 'Two', 'weed');
    await redis.kill();
    const said = p2.c.next('chat', (m) => m.from === 'server', 10_000);
    expect(await run(a.consoleSocket, 'say', 'still', 'here')).toMatchObject({ said: 'still here' });
    expect(await said).toMatchObject({ text: 'still here', operator: true });
    const line = p2.c.next('chat', (m) => m.text === 'anyone?', 10_000);
    p1.c.chat('anyone?', 'world');
    await line;
    await a.waitForLog((l) => l.code === 'BUS_UNREACHABLE');
    await a.waitForLog((l) => l.code === 'HOST_HEARTBEAT_LOST', TTL * 4);
    expect(a.logs.filter((l) => l.includes('"BUS_UNREACHABLE"'))).toHaveLength(1);
    expect((await ask(a.consoleSocket, 'hosts')).error!.code).toBe('UNAVAILABLE');
  });
});
