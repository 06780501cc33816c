// A server started from code: a script outside Shoal's tree calls createServer with its own game
// (test/fixtures/games/tally-server.mjs, importing 'shoal' by its package name). The primary starts
// the workers and the coordinator from that same script, so each loads the game: the workers host
// its rooms and pass its messages, the coordinator reports its world values on /health, and the
// game's world counter is shared by every room of the server.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { logLines, startServer, until, type TestServer } from '../helpers/server.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/games');
const SCRIPT = path.join(FIXTURES, 'tally-server.mjs');

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ script: SCRIPT, workers: 2 });
});
afterAll(async () => {
  await server?.stop();
});

const health = async () => (await fetch(`http://127.0.0.1:${server.port}/health`)).json() as Promise<Record<string, unknown>>;

it('runs every process from the author\'s script, each in its role, each with the author\'s game', async () => {
  const kids = execFileSync('ps', ['-o', 'args=', '--ppid', String(server.pid)]).toString().trim().split('\n');
  expect(kids.filter((c) => c.endsWith(`${SCRIPT} --shoal-role=worker`))).toHaveLength(2);
  expect(kids.filter((c) => c.endsWith(`${SCRIPT} --shoal-role=coordinator`))).toHaveLength(1);
  expect(kids).toHaveLength(3);
  const logs = logLines(server);
  expect(logs.find((l) => l.msg === 'shoal listening')?.games).toEqual(['tally']);
  await until(() => logLines(server).filter((l) => l.msg === 'worker ready').length === 2, 15_000, 'both workers ready');
  for (const l of logLines(server).filter((x) => x.msg === 'worker ready')) expect(l.games).toEqual(['tally']);
});

it('plays the author\'s game: its rooms, its messages, its world counter on /health', async () => {
  // Reported by the game, answered by the coordinator: 0 before anyone played.
  expect((await health()).tallyTotal).toBe(0);
  const a = server.client({ transport: 'tcp', name: 'ann', game: 'tally' });
  const wa = await a.connect();
  expect(wa.game).toBe('tally');
  // Into ann's room by its id, over the other transport.
  const b = server.client({ transport: 'ws', name: 'bob', game: 'tally', room: wa.room });
  const wb = await b.connect();
  expect([wb.room, wb.game]).toEqual([wa.room, 'tally']);
  const seen: Array<Record<string, unknown>> = [];
  b.on('message', (m) => {
    if ((m as { t: string }).t === 'tally') seen.push(m as unknown as Record<string, unknown>);
  });
  a.input(1, 0);
  await until(() => seen.length === 1, 10_000, 'bob sees ann\'s tally');
  b.input(0, 1);
  await until(() => seen.length === 2, 10_000, 'bob sees his own tally');
  expect(seen).toEqual([{ t: 'tally', by: wa.id, total: 1 }, { t: 'tally', by: wb.id, total: 2 }]);
  await until(async () => (await health()).tallyTotal === 2, 10_000, '/health shows the tally');
  a.close();
  b.close();
});
