// A worker answers /rooms from its httpCacheMs cache: a request inside the window gets the earlier
// answer (no round trip: the coordinator already knows better), one after it gets fresh data; with
// httpCacheMs 0 every request asks. Readiness (/health) is never reused.
import { afterEach, expect, it } from 'vitest';
import { startServer, until, type TestServer } from '../helpers/server.js';

const WINDOW_MS = 6000;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${server!.port}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

type Room = { id: string; players: number };
type Health = { players: number };

it('serves /rooms from the cache within httpCacheMs and fresh data after it; /health is always live', async () => {
  server = await startServer({ workers: 1, args: ['--http-cache-ms', String(WINDOW_MS)] });
  const primedAt = Date.now();
  expect(await get<Room[]>('/rooms')).toEqual([]);
  expect((await get<Health>('/health')).players).toBe(0);
  // The answers were cached between primedAt and now.
  const primedBy = Date.now();

  const c = server.client({ transport: 'tcp', name: 'cached', room: 'cache-room' });
  await c.connect();
  // The coordinator has the room and the player now (the join went through it).
  const stale = await get<Room[]>('/rooms');
  // /health is not kept by the worker: it counts the player well inside the window (the primary's
  // own view of the coordinator's figures is at most 250 ms old).
  await until(async () => (await get<Health>('/health')).players === 1 || null, 2000, '/health counting the player');
  // Inside the window, or this run says nothing about the cache.
  expect(Date.now() - primedAt, 'the join took the whole cache window').toBeLessThan(WINDOW_MS);
  expect(stale).toEqual([]);

  await new Promise((r) => setTimeout(r, Math.max(0, primedBy + WINDOW_MS + 50 - Date.now())));
  const fresh = await get<Room[]>('/rooms');
  expect(fresh.map((r) => [r.id, r.players])).toEqual([['cache-room', 1]]);
  c.close();
}, 30_000);

it('asks every time with httpCacheMs 0', async () => {
  server = await startServer({ workers: 1, args: ['--http-cache-ms', '0'] });
  expect(await get<Room[]>('/rooms')).toEqual([]);
  const c = server.client({ transport: 'tcp', name: 'uncached', room: 'fresh-room' });
  await c.connect();
  expect((await get<Room[]>('/rooms')).map((r) => [r.id, r.players])).toEqual([['fresh-room', 1]]);
  c.close();
}, 30_000);
