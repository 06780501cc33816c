// SIGKILL of a worker under load: the primary replaces it, its rooms come back from the
// coordinator's state, its players resume with their tokens (id, room, score; not a point lost),
// and players on the other worker notice nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { startServer, workerPid, until, logLines, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--world-width', '150', '--world-height', '150', '--coins', '20'] });
});
afterAll(async () => {
  await server?.stop();
});

it('brings back every player of a killed worker and disturbs no one else', async () => {
  const ROOMS = 6;
  const PER_ROOM = 5;
  const players: ShoalClient[] = [];
  for (let r = 0; r < ROOMS; r++) {
    for (let i = 0; i < PER_ROOM; i++) {
      const c = server.client({ transport: (r + i) % 2 ? 'ws' : 'tcp', name: `k${r}-${i}`, room: `kill-${r}`, backoffMinMs: 50, backoffMaxMs: 500 });
      await c.connect();
      players.push(c);
    }
  }
  // Everyone scores, then stands still so a score seen now is the score to keep.
  await Promise.all(players.map((c) => collect(c, 1, 30_000)));
  await new Promise((r) => setTimeout(r, 300));
  const rooms: Array<{ id: string; worker: number }> = await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json();
  const slotOf = new Map(rooms.map((r) => [r.id, r.worker]));
  expect(new Set(slotOf.values())).toEqual(new Set([0, 1]));
  const before = players.map((c) => ({ id: c.id, room: c.room!, score: c.me!.score, reconnects: c.reconnects }));
  const victims = players.filter((c) => slotOf.get(c.room!) === 0);
  const others = players.filter((c) => slotOf.get(c.room!) === 1);
  expect(victims.length).toBeGreaterThan(0);
  expect(others.length).toBeGreaterThan(0);
  let othersDisturbed = 0;
  for (const c of others) c.on('status', () => othersDisturbed++);

  const pid = workerPid(server, 0);
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');

  try {
    await until(() => victims.every((c) => c.reconnects > 0 && c.status === 'joined'), 20_000, 'every victim resumed');
  } catch (err) {
    // Say who is missing and what the server logged, so a failure on a busy machine can be read.
    const missing = victims.filter((c) => !(c.reconnects > 0 && c.status === 'joined'));
    console.error('not resumed:', missing.map((c) => ({ id: c.id, room: c.room, status: c.status, end: c.endReason, reconnects: c.reconnects })));
    console.error(logLines(server).filter((l) => (l.level as number) >= 40).slice(-30));
    throw err;
  }
  const slowestMs = performance.now() - t0;
  for (const [i, c] of players.entries()) {
    expect(c.id).toBe(before[i]!.id);
    expect(c.room).toBe(before[i]!.room);
  }
  // Scores come back whole: the full state after the resume shows each victim's score.
  await until(() => victims.every((c) => c.me && c.me.score >= 1), 5000, 'scores visible');
  for (const c of victims) {
    const b = before.find((x) => x.id === c.id)!;
    expect(c.me!.score).toBe(b.score);
  }
  expect(othersDisturbed).toBe(0);
  for (const c of others) expect(c.reconnects).toBe(0);
  expect(logLines(server).some((l) => l.code === 'WORKER_EXITED' && l.slot === 0)).toBe(true);
  console.log(`[figure] SIGKILL of 1 of 2 workers with ${players.length} players (${victims.length} on it): 100% resumed, slowest ${slowestMs.toFixed(0)} ms, 0 points lost`);
  for (const c of players) c.close();
}, 90_000);
