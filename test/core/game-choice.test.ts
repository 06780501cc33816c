// A server runs several games and a hello picks one (`hello.game`, absent: arena): the welcome
// names the room's game after every v1 field, a game the server does not run is refused with
// UNKNOWN_GAME on the same connection (which may say hello again), and a malformed name is a
// BAD_MESSAGE naming the field. Over TCP and WebSocket alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawTcp, hello } from '../helpers/raw.js';
import { RawWs } from '../helpers/raw-ws.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 2 });
});
afterAll(async () => {
  await server?.stop();
});

describe.each(['tcp', 'ws'] as const)('choosing a game over %s', (transport) => {
  const open = () => (transport === 'tcp' ? RawTcp.connect(server.port) : RawWs.connect(server.port));

  it('plays the arena when hello names no game, and the welcome says so after every v1 field', async () => {
    const c = await open();
    c.send(hello(`g-${transport}-1`));
    const w = await c.next((m) => m.t === 'welcome');
    expect(Object.keys(w)).toEqual(['t', 'id', 'token', 'room', 'hz', 'tick', 'resumed', 'world', 'game']);
    expect(w.game).toBe('arena');
    expect(w.room).toMatch(/^arena-/);
    await c.next((m) => m.t === 'state' && m.full);
    c.close();
  });

  it('refuses a game the server does not run with UNKNOWN_GAME, not fatal: a second hello plays', async () => {
    const c = await open();
    c.send(hello(`g-${transport}-2`, { game: 'chess' }));
    const e = await c.next((m) => m.t === 'error');
    expect(e).toMatchObject({ code: 'UNKNOWN_GAME', fatal: false });
    expect(e.message).toContain('arena');
    c.send(hello(`g-${transport}-2`, { game: 'arena' }));
    const w = await c.next((m) => m.t === 'welcome');
    expect(w.game).toBe('arena');
    c.close();
  });

  it('answers a malformed game name with BAD_MESSAGE naming hello.game', async () => {
    const c = await open();
    for (const game of ['Arena', '', 'x'.repeat(33), 7]) {
      c.send(hello(`g-${transport}-3`, { game }));
      const e = await c.next((m) => m.t === 'error');
      expect(e).toMatchObject({ code: 'BAD_MESSAGE', fatal: false });
      expect(e.message).toContain('hello.game');
    }
    c.close();
  });
});

describe('the /ws query\'s game', () => {
  it('stands in for a hello that names no game, as room and token do', async () => {
    const c = await RawWs.connect(server.port, '?game=four');
    c.send(hello('g-ws-query'));
    const w = await c.next((m) => m.t === 'welcome');
    expect(w.game).toBe('four');
    expect(w.room).toMatch(/^four-/);
    expect(w.world).toBeUndefined();
    c.close();
    // A hello's own game wins over the query's.
    const d = await RawWs.connect(server.port, '?game=four');
    d.send(hello('g-ws-query-2', { game: 'arena' }));
    expect((await d.next((m) => m.t === 'welcome')).game).toBe('arena');
    d.close();
  });
});
