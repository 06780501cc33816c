// A player who names no room is placed in one matchmaking makes up, named for the game the server
// runs (`arena-…`): the name comes from the game registry with the request, not from the coordinator.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 1 });
});
afterAll(async () => {
  await server?.stop();
});

it('names a matchmade room for the game it plays', async () => {
  const c = server.client({ transport: 'tcp', name: 'anon' });
  const w = await c.connect();
  expect(w.room).toMatch(/^arena-[0-9a-z]+$/);
  c.close();
});
