// kill -9 of the coordinator in the middle of score updates: the primary restarts it, it reloads
// its durable state, workers reconnect and resynchronise, play goes on, and no score a player
// was shown is lost: what each client was shown equals what the leaderboard and a resume give back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { startServer, coordinatorPid, until, logLines, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/play.js';

let server: TestServer;
const args = ['--world-width', '120', '--world-height', '120', '--coins', '30'];
beforeAll(async () => {
  server = await startServer({ workers: 2, args });
});
afterAll(async () => {
  await server?.stop();
});

it('survives kill -9 of the coordinator during score updates without losing a shown point', async () => {
  const players: ShoalClient[] = [];
  for (let i = 0; i < 6; i++) {
    const c = server.client({ transport: i % 2 ? 'ws' : 'tcp', name: `ck${i}`, room: `coord-${i % 3}` });
    await c.connect();
    players.push(c);
  }
  // Keep everyone scoring while the coordinator dies twice.
  const stop = { stopped: false };
  const scoring = players.map((c) => collect(c, 1_000_000, 60_000, stop).catch(() => 0));
  let disturbed = 0;
  for (const c of players) c.on('status', () => disturbed++);
  for (let round = 0; round < 2; round++) {
    await new Promise((r) => setTimeout(r, 1500));
    const pid = coordinatorPid(server);
    const restarts = logLines(server).filter((l) => l.msg === 'world loaded').length;
    process.kill(pid, 'SIGKILL');
    // Players are served by their workers meanwhile: pings still answer.
    const rtt = await players[0]!.ping(3000);
    expect(rtt).toBeGreaterThan(0);
    await until(() => logLines(server).filter((l) => l.msg === 'world loaded').length > restarts, 15_000, 'coordinator restarted');
  }
  // A newcomer can join after the restarts.
  const late = server.client({ transport: 'tcp', name: 'late', room: 'coord-0' });
  await late.connect();
  await new Promise((r) => setTimeout(r, 1500));
  // Stop moving and let the last states land, so what a client shows is what the server has.
  stop.stopped = true;
  await Promise.all(scoring);
  await new Promise((r) => setTimeout(r, 500));
  // Shown: the score each player's own client last saw in a state from the server.
  const shown = players.map((c) => c.me?.score ?? 0);
  const tokens = players.map((c) => c.token!);
  for (const c of players) c.close();
  late.close();
  expect(disturbed).toBe(players.length); // only the final close changed their status

  // Saved, read back two ways: the leaderboard (by name), and each player resumed by its token.
  const lb: Array<{ name: string; score: number }> = await (await fetch(`http://127.0.0.1:${server.port}/leaderboard`)).json();
  const onBoard = players.map((_, i) => lb.find((e) => e.name === `ck${i}`)?.score ?? 0);
  const resumed: number[] = [];
  for (const [i, token] of tokens.entries()) {
    const back = server.client({ transport: 'tcp', name: `ck${i}`, token, autoResume: false });
    const w = await back.connect();
    expect(w.resumed).toBe(true);
    const me = (await back.fullState()).players.find((p) => p[0] === w.id);
    resumed.push(me?.[3] ?? 0);
    back.close();
  }
  expect(onBoard).toEqual(shown);
  expect(resumed).toEqual(shown);
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  expect(sum(shown)).toBeGreaterThan(0);
  const lost = shown.reduce((n, s, i) => n + Math.max(0, s - Math.min(onBoard[i]!, resumed[i]!)), 0);
  console.log(`[figure] kill -9 of the coordinator twice during play: ${sum(shown)} points shown, ${sum(onBoard)} on the leaderboard, ${sum(resumed)} on resume, ${lost} lost`);
}, 120_000);
