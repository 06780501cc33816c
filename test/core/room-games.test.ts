// A room's game over the whole cluster, for data written before rooms had games: a data directory
// whose room record carries no game (as Shoal 0.2 wrote it) starts as an arena room — /rooms and
// the console say `arena`, its player resumes into it with a welcome naming the arena, and a new
// arena player who names it joins it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileStore } from '../../server/coordinator/store/file-store.js';
import { hashToken } from '../../server/coordinator/store/token-hash.js';
import { emptyState, type RoomRecord } from '../../server/coordinator/store/types.js';
import { RawTcp, hello } from '../helpers/raw.js';
import { run } from '../console/console-helpers.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'old-token-written-before-games-0123456789';
let server: TestServer;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-room-games-'));
  const store = new FileStore(path.join(dataDir, 'world'));
  await store.open();
  // No game and no seats: the record as it was before rooms had games.
  const room = { id: 'old-reef', slot: 0, capacity: 16 } as unknown as RoomRecord;
  await store.checkpoint({
    ...emptyState(),
    nextPlayer: 10,
    sessions: [{ id: 'p5', tokenHash: hashToken(TOKEN), name: 'Old', room: 'old-reef', score: 7 }],
    leaderboard: [['Old', 7]],
    rooms: [room],
  });
  await store.close();
  server = await startServer({ workers: 2, dataDir });
});
afterAll(async () => {
  await server?.stop();
});

it('a room stored without a game is an arena room: listed so, resumed into, joined by name', async () => {
  const rooms = (await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json()) as Array<Record<string, unknown>>;
  expect(rooms).toEqual([expect.objectContaining({ id: 'old-reef', game: 'arena', players: 1, capacity: 16 })]);
  expect((await run(server.consoleSocket, 'rooms')).map((r: { id: string; game: string }) => [r.id, r.game])).toEqual([['old-reef', 'arena']]);

  const old = await RawTcp.connect(server.port);
  old.send(hello('Old', { token: TOKEN }));
  const w = await old.next((m) => m.t === 'welcome');
  expect(w).toMatchObject({ id: 'p5', room: 'old-reef', resumed: true, game: 'arena' });
  await old.next((m) => m.t === 'state' && m.full);

  const named = await RawTcp.connect(server.port);
  named.send(hello('New', { room: 'old-reef', game: 'arena' }));
  expect(await named.next((m) => m.t === 'welcome')).toMatchObject({ room: 'old-reef', resumed: false, game: 'arena' });
  expect((await run(server.consoleSocket, 'room', 'old-reef')).game).toBe('arena');
  old.close();
  named.close();
});
