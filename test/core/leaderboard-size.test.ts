// GET /leaderboard answers with the `leaderboardSize` setting's number of entries when no limit is
// asked for, and never more than that when one is (docs/PROTOCOL.md, Extensions > HTTP).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileStore } from '../../server/coordinator/store/file-store.js';
import { emptyState } from '../../server/coordinator/store/types.js';
import { startServer, type TestServer } from '../helpers/server.js';

// More names than the setting, and a setting above 100, so a default that is not the setting
// (100, say) shows in the count.
const NAMES = 150;
const SIZE = 120;

let server: TestServer;
beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-test-'));
  const store = new FileStore(path.join(dataDir, 'world'));
  await store.open();
  const world = emptyState();
  for (let i = 0; i < NAMES; i++) world.leaderboard.push([`name${i}`, i + 1]);
  await store.checkpoint(world);
  await store.close();
  server = await startServer({ workers: 1, dataDir, args: ['--leaderboard-size', String(SIZE)] });
});
afterAll(async () => {
  await server?.stop();
});

const board = async (query = ''): Promise<Array<{ name: string; score: number }>> => {
  const res = await fetch(`http://127.0.0.1:${server.port}/leaderboard${query}`);
  expect(res.status).toBe(200);
  return res.json();
};

it('returns leaderboardSize entries, best first, when no limit is given', async () => {
  const lb = await board();
  expect(lb).toHaveLength(SIZE);
  expect(lb[0]).toEqual({ name: `name${NAMES - 1}`, score: NAMES });
  expect(lb[SIZE - 1]).toEqual({ name: `name${NAMES - SIZE}`, score: NAMES - SIZE + 1 });
});

it('caps an asked-for limit at leaderboardSize and honours a smaller one', async () => {
  expect(await board(`?limit=${NAMES}`)).toHaveLength(SIZE);
  expect(await board('?limit=7')).toHaveLength(7);
});
