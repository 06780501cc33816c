// A server started from code: a script outside Shoal's tree calls createServer with its own game
// (test/fixtures/games/tally-server.mjs, importing 'shoal' by its package name). The primary starts
// the workers and the coordinator from that same script, so each loads the game: the workers host
// its rooms and pass its messages, the coordinator reports its world values on /health, and the
// game's world counter is shared by every room of the server. The script's own settings sit
// between the defaults and the command line.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alive, logLines, startServer, until, type TestServer } from '../helpers/server.js';

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
  // createServer resolves in every process with its role; the primary's with the port it listens on.
  await until(() => logLines(server).filter((l) => l.msg === 'tally script').length === 4, 15_000, 'the script ran on in every process');
  const roles = logLines(server).filter((l) => l.msg === 'tally script');
  expect(roles.map((l) => l.role).sort()).toEqual(['coordinator', 'primary', 'worker', 'worker']);
  expect(roles.find((l) => l.role === 'primary')).toMatchObject({ port: server.port, pid: server.pid });
});

it('plays the author\'s game: its rooms, its messages, its world counter on /health', async () => {
  // Reported by the game, answered by the coordinator: 0 before anyone played.
  expect((await health()).tallyTotal).toBe(0);
  const a = server.client({ transport: 'tcp', name: 'ann', game: 'tally' });
  const wa = await a.connect();
  expect(wa.game).toBe('tally');
  // The script's settings apply (hz 7 over the default 20; its workers: 3 lost to the flag, above).
  expect(wa.hz).toBe(7);
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

it('stops the whole server from code: stop() saves and ends every process, and the script carries on', async () => {
  const s = await startServer({ script: path.join(FIXTURES, 'stop-server.mjs'), workers: 2, noWait: true });
  const code = await new Promise<number | null>((resolve) => s.proc.once('exit', resolve));
  const logs = logLines(s);
  expect(logs.some((l) => l.msg === 'shoal listening')).toBe(true);
  expect(logs.some((l) => l.msg === 'coordinator stopped, state saved')).toBe(true);
  expect(logs.filter((l) => l.msg === 'stopped by the script')).toHaveLength(1);
  // The primary's event loop had nothing left: it exited by itself, and took no process with it.
  expect(code).toBe(0);
  for (const pid of logs.filter((l) => l.msg === 'worker ready').map((l) => l.pid as number)) expect(alive(pid)).toBe(false);
  // The console socket, which is also the data directory's lock, is gone.
  expect(fs.existsSync(s.consoleSocket)).toBe(false);
  await s.stop();
});
