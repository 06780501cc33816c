// SIGKILL of a worker mid-game of four in a row: its four rooms come back on the other worker
// (or the replacement) from the snapshot saved after every move; every seat resumes with its
// token and sees the board, turn and wins as they were, the computer keeps its seat and moves
// again, and the games go on. Rooms on the other worker notice nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FourWatch, playMoves, type FourState } from '../helpers/four-watch.js';
import { logLines, startServer, until, workerPid, type TestServer } from '../helpers/server.js';

let server: TestServer;
const watches: FourWatch[] = [];
beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--four-bot-delay-ms', '50'] });
});
afterAll(async () => {
  for (const w of watches) w.client.close();
  await server?.stop();
});

async function player(name: string, room: string): Promise<FourWatch> {
  const c = server.client({ transport: 'tcp', name, game: 'four', room, backoffMinMs: 50, backoffMaxMs: 500 });
  const w = new FourWatch(c);
  watches.push(w);
  await c.connect();
  await w.until(() => true, 'first four message');
  return w;
}

it('brings every four room of a killed worker back where it was, and every seat resumes', async () => {
  const ROOMS = 6;
  const pairs: Array<{ room: string; players: [FourWatch, FourWatch] }> = [];
  for (let r = 0; r < ROOMS; r++) {
    const room = `fk-${r}`;
    const a = await player(`fk${r}a`, room);
    const b = await player(`fk${r}b`, room);
    await a.until((s) => s.status === 'playing', 'started');
    // Different positions in each room; the last one ends on b's move, so a is to move.
    await playMoves([a, b], [3, r % 7, 2, (r + 3) % 7]);
    pairs.push({ room, players: [a, b] });
  }
  // One game against the computer, its turn answered, the human to move.
  const solo = await player('fk-solo', 'fk-bot');
  solo.client.send({ t: 'computer' });
  await solo.until((s) => s.status === 'playing', 'computer seated');
  solo.client.send({ t: 'move', col: 3 });
  await solo.until((s) => s.moves === 2, 'computer answered');

  const rooms = (await (await fetch(`http://127.0.0.1:${server.port}/rooms`)).json()) as Array<{ id: string; worker: number }>;
  const slotOf = new Map(rooms.map((r) => [r.id, r.worker]));
  const onZero = pairs.filter((p) => slotOf.get(p.room) === 0);
  const onOne = pairs.filter((p) => slotOf.get(p.room) === 1);
  expect(onZero.length).toBeGreaterThan(0);
  expect(onOne.length).toBeGreaterThan(0);
  const before = new Map<FourWatch, FourState>(watches.map((w) => [w, structuredClone(w.last!)]));
  let othersDisturbed = 0;
  for (const p of onOne) for (const w of p.players) w.client.on('status', () => othersDisturbed++);
  const victims = [...onZero.flatMap((p) => p.players), ...(slotOf.get('fk-bot') === 0 ? [solo] : [])];
  for (const w of victims) w.last = null;

  process.kill(workerPid(server, 0), 'SIGKILL');
  try {
    await until(() => victims.every((w) => w.client.reconnects > 0 && w.client.status === 'joined' && w.last), 30_000, 'every seat resumed');
  } catch (err) {
    console.error(victims.map((w) => ({ id: w.client.id, status: w.client.status, reconnects: w.client.reconnects, seen: !!w.last })));
    console.error(logLines(server).filter((l) => (l.level as number) >= 40).slice(-20));
    throw err;
  }
  for (const w of victims) {
    const was = before.get(w)!;
    const now = w.last!;
    expect(now.board).toEqual(was.board);
    expect(now.seats).toEqual(was.seats);
    expect(now.turn).toBe(was.turn);
    expect(now.moves).toBe(was.moves);
    expect(now.wins).toEqual(was.wins);
    expect(now.status).toBe('playing');
    // The clock went on from the snapshot: some time left, never more than a full turn.
    expect(now.turnLeftMs).toBeGreaterThan(0);
    expect(now.turnLeftMs).toBeLessThanOrEqual(30_000);
  }
  // The games go on in every room: a move by the seat to move shows to both.
  for (const p of onZero) {
    const end = await playMoves(p.players, [5]);
    expect(end.moves).toBe(5);
    await p.players[1].until((s) => s.moves === 5, 'the other seat sees the move');
  }
  // The computer kept its seat and still answers.
  solo.client.send({ t: 'move', col: 2 });
  await solo.until((s) => s.moves === 4, 'the computer answered after the kill');
  expect(solo.last!.seats[1]).toEqual(['computer', 'computer']);
  expect(othersDisturbed).toBe(0);
});
