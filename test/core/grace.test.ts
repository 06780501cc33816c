// A dropped player stays frozen in its room for the grace period, keeping its seat; after it, the
// player is gone (others see `gone`) and its token no longer resumes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, until, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 1, args: ['--grace-ms', '1500', '--room-capacity', '2'] });
});
afterAll(async () => {
  await server?.stop();
});

it('keeps a dropped player frozen with its seat for the grace period, then lets it go', async () => {
  const stay = server.client({ transport: 'ws', name: 'stay', room: 'grace' });
  const drop = server.client({ transport: 'tcp', name: 'drop', room: 'grace', autoResume: false });
  await stay.connect();
  const w = await drop.connect();
  await until(() => stay.players.has(w.id), 5000, 'stay sees drop');
  drop.input(1, 1);
  await new Promise((r) => setTimeout(r, 200));
  drop.drop();
  await new Promise((r) => setTimeout(r, 300));
  // Frozen: still listed, not moving, and its seat is kept (the room of two is full).
  const p0 = { ...stay.players.get(w.id)! };
  await new Promise((r) => setTimeout(r, 300));
  expect(stay.players.get(w.id)).toMatchObject({ x: p0.x, y: p0.y });
  const third = server.client({ transport: 'tcp', name: 'third', room: 'grace', autoResume: false });
  await expect(third.connect()).rejects.toMatchObject({ code: 'ROOM_FULL' });
  third.close();
  // After the grace period: gone for everyone, seat free, token void.
  const gone = stay.next('state', (s) => s.gone.includes(w.id), 5000);
  await gone;
  const late = server.client({ transport: 'tcp', name: 'drop', token: w.token, autoResume: false });
  await expect(late.connect()).rejects.toMatchObject({ code: 'BAD_TOKEN' });
  late.close();
  const fourth = server.client({ transport: 'tcp', name: 'fourth', room: 'grace' });
  expect((await fourth.connect()).room).toBe('grace');
  fourth.close();
  stay.close();
});
