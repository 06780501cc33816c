// A TCP client and a WebSocket client each join, move and see it in `state`, ping, chat and
// leave; two players on different transports share a room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 2 });
});
afterAll(async () => {
  await server?.stop();
});

describe.each(['tcp', 'ws'] as const)('a %s client', (transport) => {
  it('joins, moves, pings, chats and leaves', async () => {
    const c = server.client({ transport, name: `mover-${transport}`, room: `solo-${transport}` });
    const w = await c.connect();
    expect(w).toMatchObject({ t: 'welcome', room: `solo-${transport}`, hz: 20, resumed: false, world: { w: 1000, h: 1000 } });
    expect(typeof w.id).toBe('string');
    expect(w.token.length).toBeGreaterThanOrEqual(24);

    const full = await c.fullState();
    expect(full.full).toBe(true);
    expect(full.players.map((p) => p[0])).toContain(w.id);
    expect(full.coins.length).toBeGreaterThanOrEqual(10);
    const start = { ...c.me! };

    const dir = start.x < 500 ? 1 : -1;
    c.input(dir, 0);
    await c.next('state', (s) => s.players.some((p) => p[0] === w.id && Math.abs(p[1] - start.x) >= 40));
    const moved = c.me!;
    expect(Math.sign(moved.x - start.x)).toBe(dir);
    expect(moved.y).toBeCloseTo(start.y, 0);
    c.input(0, 0);

    const pong = c.next('pong');
    const rtt = await c.ping();
    const p = await pong;
    // pong echoes the id and carries the room's current tick.
    expect(p.tick).toBeGreaterThanOrEqual(full.tick);
    expect(rtt).toBeGreaterThan(0);

    const chat = c.next('chat');
    c.chat('hello room');
    expect(await chat).toEqual({ t: 'chat', from: w.id, name: `mover-${transport}`, text: 'hello room', scope: 'room' });

    expect(await c.leave()).toEqual({ t: 'bye', reason: 'leave' });
  });
});

it('puts a TCP player and a WebSocket player in one room where each sees the other move', async () => {
  const a = server.client({ transport: 'tcp', name: 'tcp-ann', room: 'mixed' });
  const b = server.client({ transport: 'ws', name: 'ws-bob', room: 'mixed' });
  const wa = await a.connect();
  const wb = await b.connect();
  expect(wb.room).toBe(wa.room);
  await until(() => b.players.has(wa.id), 5000, 'b sees a');
  await until(() => a.players.has(wb.id), 5000, 'a sees b');
  const ax = b.players.get(wa.id)!.x;
  a.input(ax < 500 ? 1 : -1, 0);
  await b.next('state', () => Math.abs(b.players.get(wa.id)!.x - ax) >= 30);
  const chat = a.next('chat');
  b.chat('from ws');
  expect(await chat).toMatchObject({ from: wb.id, name: 'ws-bob', text: 'from ws' });
  a.close();
  b.close();
});

it('places a hello without a room in a room with a free seat', async () => {
  const cs = Array.from({ length: 3 }, (_, i) => server.client({ transport: i % 2 ? 'ws' : 'tcp', name: `mm${i}` }));
  const ws = [];
  for (const c of cs) ws.push(await c.connect());
  // Matchmaking fills a room before it opens another.
  expect(new Set(ws.map((w) => w.room)).size).toBe(1);
  for (const c of cs) c.close();
});
