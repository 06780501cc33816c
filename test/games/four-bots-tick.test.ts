// 50 games against the computer thinking at once on one worker, while arena rooms on the same
// worker keep 20 Hz: the computer's search runs on the worker's thread pool (ctx.pool), so the
// worker's tick loop stays on time. Measured where the tick happens: the worker's
// shoal_tick_gap_seconds histogram (its 60 ms bucket), over a window with every computer to move —
// first with the arena alone, then with the bots. The target, tick gap p99 < 60 ms (under 1%
// of ticks later than 60 ms), is met when this runs alone (the stored result); the assertion allows
// what the whole suite's parallel load adds and still fails the search on the worker's thread. The gaps between the
// states the arena clients receive (which add this test process's own scheduling) are printed
// beside it. With the search on the worker's own thread the share of late ticks is most of them.
import os from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ShoalClient } from '../../shared/client/client.js';
import { FourWatch } from '../helpers/four-watch.js';
import { scrape } from '../helpers/metrics.js';
import { sleep, startServer, until, type TestServer } from '../helpers/server.js';

/** Ticks of the 20 Hz loop so far, and how many started within 60 ms of the one before. */
function tickGaps(text: string): { count: number; within60: number } {
  const num = (re: RegExp) => Number(text.match(re)?.[1] ?? NaN);
  return {
    count: num(/^shoal_tick_gap_seconds_count\{[^}]*hz="20"[^}]*\} (\S+)$/m),
    within60: num(/^shoal_tick_gap_seconds_bucket\{[^}]*le="0.06"[^}]*hz="20"[^}]*\} (\S+)$|^shoal_tick_gap_seconds_bucket\{[^}]*hz="20"[^}]*le="0.06"[^}]*\} (\S+)$/m),
  };
}

/** The share of ticks in a window that came more than 60 ms after the one before (p99 < 60 ms: under 0.01). */
function lateShare(before: string, after: string): { late: number; ticks: number } {
  const a = tickGaps(before);
  const b = tickGaps(after);
  const ticks = b.count - a.count;
  return { late: (ticks - (b.within60 - a.within60)) / ticks, ticks };
}

const GAMES = 50;
const ARENA_ROOMS = 2;
const ARENA_PER_ROOM = 3;
const WINDOW_MS = 8000;

let server: TestServer;
const clients: ShoalClient[] = [];
beforeAll(async () => {
  // One worker: the arena rooms and every four room share its event loop; one pool thread.
  server = await startServer({ workers: 1, args: ['--pool-threads', '1', '--four-bot-depth', '6'] });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

/** A player against the computer: moves at once whenever it is its turn; asks for a rematch after each game. */
function autoPlay(w: FourWatch, answered: () => void): void {
  let actedOn = -1;
  let games = 0;
  w.client.on('message', (m) => {
    if (m.t !== ('four' as string)) return;
    const s = w.last!;
    const key = games * 100 + s.moves;
    if (s.status === 'playing' && s.turn === 0 && key !== actedOn) {
      actedOn = key;
      if (s.moves > 0) answered();
      const free = [0, 1, 2, 3, 4, 5, 6].filter((c) => s.board[35 + c] === 0);
      w.client.send({ t: 'move', col: free[Math.floor(Math.random() * free.length)]! });
    } else if ((s.status === 'won' || s.status === 'draw') && !s.rematch[0]) {
      games++;
      w.client.send({ t: 'rematch' });
    }
  });
}

interface Gaps { p50: number; p99: number; max: number; n: number }

function summary(gaps: number[]): Gaps {
  const g = [...gaps].sort((a, b) => a - b);
  const q = (p: number) => g[Math.min(g.length - 1, Math.floor(g.length * p))] ?? Infinity;
  return { p50: q(0.5), p99: q(0.99), max: g[g.length - 1] ?? Infinity, n: g.length };
}

const fmt = (g: Gaps) => `p50 ${g.p50.toFixed(1)} ms, p99 ${g.p99.toFixed(1)} ms, max ${g.max.toFixed(1)} ms over ${g.n} gaps`;

it(`${GAMES} games against the computer at once; the arena on the same worker keeps 20 Hz`, async () => {
  // Arena players in named rooms (quick-join would not tell the games apart on every build).
  let gaps: number[] = [];
  let recording = false;
  for (let r = 0; r < ARENA_ROOMS; r++) {
    for (let i = 0; i < ARENA_PER_ROOM; i++) {
      const c = server.client({ transport: 'tcp', name: `ar${r}${i}`, room: `tick-arena-${r}` });
      clients.push(c);
      await c.connect();
      let last = 0;
      c.on('state', () => {
        const now = performance.now();
        if (recording && last) gaps.push(now - last);
        last = now;
      });
    }
  }
  // The arena alone: the machine's own jitter.
  const aloneFrom = await scrape(server);
  recording = true;
  await sleep(WINDOW_MS);
  recording = false;
  const alone = summary(gaps);
  const aloneTicks = lateShare(aloneFrom, await scrape(server));
  gaps = [];

  let answers = 0;
  const bots: FourWatch[] = [];
  for (let g = 0; g < GAMES; g++) {
    const c = server.client({ transport: 'tcp', name: `bot${g}`, game: 'four', room: `tick-four-${g}` });
    clients.push(c);
    const w = new FourWatch(c);
    autoPlay(w, () => answers++);
    await c.connect();
    await w.until((s) => s.status === 'waiting', 'waiting alone');
    bots.push(w);
  }
  for (const w of bots) w.client.send({ t: 'computer' });
  // Every player has moved once: 50 searches are asked for at once.
  await until(() => bots.every((w) => (w.last?.moves ?? 0) >= 1), 60_000, 'every player made its first move');
  const answersBefore = answers;
  const botsFrom = await scrape(server);
  recording = true;
  await sleep(WINDOW_MS / 2);
  const thinking = bots.filter((w) => w.last?.status === 'playing' && w.last.turn === 1).length;
  await sleep(WINDOW_MS / 2);
  recording = false;
  const botTicks = lateShare(botsFrom, await scrape(server));
  const answered = answers - answersBefore;
  const withBots = summary(gaps);
  const load = os.loadavg()[0]!.toFixed(1);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  console.log(`[figure] four bots on the pool, one worker, ${ARENA_ROOMS * ARENA_PER_ROOM} arena players at 20 Hz, worker tick loop: ticks later than 60 ms ${pct(aloneTicks.late)} of ${aloneTicks.ticks} with the arena alone, ${pct(botTicks.late)} of ${botTicks.ticks} with ${GAMES} games vs the computer (depth 6, 1 pool thread, ${thinking} computers to move at mid-window, ${answered} computer moves in ${WINDOW_MS / 1000} s); gaps between states at the clients: alone ${fmt(alone)}, with the bots ${fmt(withBots)}; load ${load} on ${os.availableParallelism()} cores`);
  // The computers were asked to move all through the window.
  expect(thinking).toBeGreaterThan(GAMES / 2);
  expect(answered).toBeGreaterThan(0);
  // The worker ticked at 20 Hz all through: as many ticks as the window holds, near enough ...
  expect(botTicks.ticks).toBeGreaterThan((WINDOW_MS / 50) * 0.95);
  // ... and on time: measured alone this is 0% of ticks later than 60 ms (the p99 < 60 ms;
  // loadtest/results/2026-12-02-four-bots-tick.md); inside the whole suite other test files load the
  // same two cores and up to 3% came late. With the search on the worker's own thread 12% are late
  // even on a quiet machine: under 5% tells the two apart on either.
  expect(botTicks.late).toBeLessThan(0.05);
  // And the clients got their states.
  expect(withBots.n).toBeGreaterThan(alone.n * 0.9);
}, 180_000);
