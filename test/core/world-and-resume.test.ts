// World chat reaches rooms on every worker; a token resumes its player (id, room, score) on
// either transport; a bad token gets BAD_TOKEN and the same connection may say hello again; a
// resume takes over a still-open connection.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { clientFaults } from '../../shared/client/client.js';

let server: TestServer;
beforeAll(async () => {
  // A small field so players reach coins quickly.
  server = await startServer({ workers: 2, args: ['--world-width', '150', '--world-height', '150'] });
});
afterAll(async () => {
  await server?.stop();
});

it('delivers world chat to players in rooms on every worker', async () => {
  // Rooms are placed on the least-loaded worker, so with players in them, consecutive new
  // rooms alternate between the two workers.
  const players = [];
  for (let i = 0; i < 4; i++) {
    const c = server.client({ transport: i % 2 ? 'ws' : 'tcp', name: `w${i}`, room: `world-${i}` });
    await c.connect();
    players.push(c);
  }
  const rooms: Array<{ id: string; worker: number }> = await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json();
  const workers = new Set(rooms.filter((r) => r.id.startsWith('world-')).map((r) => r.worker));
  expect(workers).toEqual(new Set([0, 1]));
  const got = players.map((p) => p.next('chat', (m) => m.scope === 'world'));
  players[0]!.chat('hear me, world', 'world');
  for (const m of await Promise.all(got)) {
    expect(m).toMatchObject({ scope: 'world', text: 'hear me, world', name: 'w0', from: players[0]!.id });
  }
  // Room chat stays in its room.
  const leak = players[1]!.next('chat', (m) => m.text === 'room only', 500).then(() => 'leaked', () => 'kept');
  const own = players[0]!.next('chat', (m) => m.text === 'room only');
  players[0]!.chat('room only');
  await own;
  expect(await leak).toBe('kept');
  for (const p of players) p.close();
});

it.each(['tcp', 'ws'] as const)('resumes a dropped %s player with its id, room and score', async (transport) => {
  const c = server.client({ transport, name: `res-${transport}`, room: `resume-${transport}`, autoResume: false });
  const w = await c.connect();
  await c.fullState();
  const score = await collect(c, 1);
  expect(score).toBeGreaterThanOrEqual(1);
  clientFaults.drop(c);
  await new Promise((r) => setTimeout(r, 200));

  // Resume on the other transport: the token is what counts.
  const other = transport === 'tcp' ? 'ws' : 'tcp';
  const back = server.client({ transport: other, name: `res-${transport}`, token: w.token });
  const w2 = await back.connect();
  expect(w2).toMatchObject({ id: w.id, room: w.room, resumed: true });
  const full = await back.fullState();
  const me = full.players.find((p) => p[0] === w.id)!;
  expect(me[3]).toBeGreaterThanOrEqual(score);
  back.close();
});

it('answers an unknown token with BAD_TOKEN and lets the client try again', async () => {
  const c = server.client({ transport: 'tcp', name: 'badtok', token: 'not-a-real-token', autoResume: false });
  await expect(c.connect()).rejects.toMatchObject({ code: 'BAD_TOKEN' });
  c.close();

  // BAD_TOKEN is not fatal: on the same connection, a hello without the token joins.
  const raw = await RawTcp.connect(server.port);
  try {
    raw.send(hello('badtok', { token: 'not-a-real-token' }));
    expect(await raw.next((m) => m.t === 'error')).toMatchObject({ code: 'BAD_TOKEN', fatal: false });
    raw.send(hello('badtok', { room: 'second-try' }));
    const w = await raw.next((m) => m.t === 'welcome');
    expect(w).toMatchObject({ room: 'second-try', resumed: false });
    const full = await raw.next((m) => m.t === 'state' && m.full);
    expect(full.players.map((p: unknown[]) => p[0])).toContain(w.id);
    expect(raw.closed).toBe(false);
  } finally {
    raw.close();
  }
});

it('takes over a player whose old connection is still open', async () => {
  const first = server.client({ transport: 'tcp', name: 'twice', room: 'takeover', autoResume: false });
  const w = await first.connect();
  const bye = first.next('bye');
  const second = server.client({ transport: 'ws', name: 'twice', token: w.token });
  const w2 = await second.connect();
  expect(w2).toMatchObject({ id: w.id, resumed: true, room: 'takeover' });
  expect((await bye).reason).toBe('replaced');
  second.close();
});
