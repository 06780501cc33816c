// Four in a row over real sockets, whole cluster: two TCP clients play to a win and to a draw;
// illegal moves are refused with their codes and change nothing; rematch (the other seat
// starts); a spectator sees the board and every move; a player dropped mid-game resumes with
// its token and sees the board; the computer answers a move; quick-join pairs two waiting
// players and a third gets a new room; the player to move loses on time (short --four-turn-ms).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFaults, type ShoalClient } from '../../shared/client/client.js';
import { DRAW, WIN_BOTTOM_ROW, WIN_COLUMN_SECOND } from '../helpers/four-sequences.js';
import { FourWatch, playMoves } from '../helpers/four-watch.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

let server: TestServer;
const clients: ShoalClient[] = [];

beforeAll(async () => {
  server = await startServer({ workers: 2, args: ['--four-bot-delay-ms', '50'] });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

async function player(name: string, room?: string, s = server): Promise<FourWatch> {
  const c = s.client({ transport: 'tcp', name, game: 'four', room, backoffMinMs: 50, backoffMaxMs: 500 });
  clients.push(c);
  const w = new FourWatch(c);
  const welcome = await c.connect();
  expect(welcome.game).toBe('four');
  await w.until(() => true, 'first four message');
  return w;
}

/** Two players in a named room, the game started (the first to join has seat 0 and moves first). */
async function pair(room: string, s = server): Promise<[FourWatch, FourWatch]> {
  const a = await player(`${room}-a`, room, s);
  expect(a.last).toMatchObject({ status: 'waiting', seats: [[a.client.id, `${room}-a`], null] });
  const b = await player(`${room}-b`, room, s);
  await a.until((st) => st.status === 'playing', 'game started');
  await b.until((st) => st.status === 'playing', 'game started');
  expect(a.seat).toBe(0);
  expect(b.seat).toBe(1);
  return [a, b];
}

/** A ping answered: every message sent before it has been handled by the room. */
async function settled(w: FourWatch): Promise<void> {
  await w.client.ping(10_000);
}

describe('four in a row, two TCP clients', () => {
  it('play to a win: both see the winning line, the winner, and the wins on the leaderboard', async () => {
    const [a, b] = await pair('win');
    const end = await playMoves([a, b], WIN_BOTTOM_ROW.moves);
    expect(end).toMatchObject({ status: 'won', winner: 0, line: WIN_BOTTOM_ROW.line, wins: [1, 0], moves: 7, reason: 'four' });
    const seenByB = await b.until((s) => s.status === 'won', 'b sees the end');
    expect(seenByB.board).toEqual(end.board);
    expect(seenByB.line).toEqual(WIN_BOTTOM_ROW.line);
    // Discs where the moves put them: seat 0's on the bottom row 2..5, seat 1's above 2..4.
    expect([2, 3, 4, 5].map((c) => end.board[c])).toEqual([1, 1, 1, 1]);
    expect([9, 10, 11].map((i) => end.board[i])).toEqual([2, 2, 2]);
    const board = await until(async () => {
      const lb = (await (await fetch(`http://127.0.0.1:${server.port}/leaderboard`)).json()) as Array<{ name: string; score: number }>;
      return lb.find((e) => e.name === 'win-a' && e.score === 1);
    }, 10_000, 'the winner on the leaderboard with 1');
    expect(board.score).toBe(1);
  });

  it('play to a draw: the board full, no winner', async () => {
    const [a, b] = await pair('draw');
    const end = await playMoves([a, b], DRAW.moves);
    expect(end).toMatchObject({ status: 'draw', winner: null, line: [], moves: 42, wins: [0, 0] });
    expect(end.board.every((v) => v === 1 || v === 2)).toBe(true);
    expect((await b.until((s) => s.status === 'draw', 'b sees the draw')).board).toEqual(end.board);
  });

  it('refuses NOT_YOUR_TURN, COLUMN_FULL and a spectator\'s move (NOT_PLAYING), and nothing else changes', async () => {
    const [a, b] = await pair('illegal');
    const c = await player('illegal-c', 'illegal');
    expect(c.seat).toBeNull();
    expect(c.last).toMatchObject({ status: 'playing', spectators: 1 });
    b.client.send({ t: 'move', col: 3 });
    expect((await b.error('NOT_YOUR_TURN')).fatal).toBe(false);
    c.client.send({ t: 'move', col: 3 });
    expect((await c.error('NOT_PLAYING')).fatal).toBe(false);
    await playMoves([a, b], [0, 0, 0, 0, 0, 0]);
    const before = await a.until((s) => s.moves === 6, 'column 0 full');
    const seenBefore = a.seen.length;
    a.client.send({ t: 'move', col: 0 });
    expect((await a.error('COLUMN_FULL')).fatal).toBe(false);
    // Still a's turn: a legal move after the refusals is the next change, and the only one.
    await settled(a);
    await settled(b);
    expect(a.seen.length).toBe(seenBefore);
    expect(a.last).toEqual(before);
    a.client.send({ t: 'move', col: 1 });
    const after = await c.until((s) => s.moves === 7, 'the spectator sees move 7');
    expect(after.board.filter((v) => v !== 0).length).toBe(7);
    expect(after.turn).toBe(1);
    // A move out of range never reaches the room: refused at the edge.
    b.client.send({ t: 'move', col: 9 });
    expect((await b.error('BAD_MESSAGE')).message).toMatch(/col/);
    await settled(b);
    expect(b.last!.moves).toBe(7);
  });

  it('rematch: both ask after the game; a new game starts with the other seat to move', async () => {
    const [a, b] = await pair('rematch');
    await playMoves([a, b], WIN_BOTTOM_ROW.moves);
    a.client.send({ t: 'rematch' });
    await b.until((s) => s.rematch[0] && !s.rematch[1] && s.status === 'won', 'a asked');
    b.client.send({ t: 'rematch' });
    const next = await a.until((s) => s.status === 'playing', 'second game');
    expect(next).toMatchObject({ turn: 1, moves: 0, wins: [1, 0], rematch: [false, false], line: [], winner: null });
    expect(next.board.every((v) => v === 0)).toBe(true);
    // Seat 1 moves first now; the second mover (seat 0) wins up column 6.
    const end = await playMoves([a, b], WIN_COLUMN_SECOND.moves);
    expect(end).toMatchObject({ status: 'won', winner: 0, wins: [2, 0], line: WIN_COLUMN_SECOND.line });
  });

  it('a spectator joining mid-game sees the board, then every move', async () => {
    const [a, b] = await pair('watch');
    await playMoves([a, b], [3, 4, 3]);
    const c = await player('watch-c', 'watch');
    expect(c.last).toMatchObject({ status: 'playing', moves: 3, turn: 1 });
    expect(c.last!.board).toEqual(a.last!.board);
    await playMoves([a, b], [4, 2]);
    const seen = await c.until((s) => s.moves === 5, 'spectator sees moves 4 and 5');
    expect(seen.board).toEqual(a.last!.board);
    expect(c.seen.map((s) => s.moves).filter((m) => m >= 3)).toEqual(expect.arrayContaining([3, 4, 5]));
  });

  it('a player dropped mid-game resumes with its token, keeps its seat and sees the board', async () => {
    const [a, b] = await pair('resume');
    await playMoves([a, b], [3, 3, 2]);
    const board = [...a.last!.board];
    const id = a.client.id;
    a.last = null;
    clientFaults.drop(a.client);
    await until(() => a.client.reconnects > 0 && a.client.status === 'joined', 20_000, 'a resumed');
    expect(a.client.id).toBe(id);
    const back = await a.until((s) => s.moves === 3, 'the board after the resume');
    expect(back.board).toEqual(board);
    expect(a.seat).toBe(0);
    // The game goes on: b moves, then a.
    await playMoves([a, b], [2, 4]);
    expect(b.last!.moves).toBe(5);
  });

  it('the computer: a player waiting alone asks, and the computer answers each move', async () => {
    const a = await player('bot-a', 'bot-1');
    a.client.send({ t: 'computer' });
    await a.until((s) => s.status === 'playing' && s.seats[1]?.[0] === 'computer', 'the computer seated');
    for (const col of [3, 3, 2]) {
      const n = a.last!.moves;
      await until(() => a.last!.turn === 0 && a.last!.status === 'playing', 10_000, 'a to move');
      a.client.send({ t: 'move', col });
      await a.until((s) => s.moves === n + 2 || s.status !== 'playing', 'the computer answered');
    }
    // a threatened nothing yet; the computer took the centre-ish squares and the game goes on.
    expect(a.last!.board.filter((v) => v === 2).length).toBe(3);
  });
});

describe('four in a row, the turn clock', () => {
  let fast: TestServer;
  beforeAll(async () => {
    fast = await startServer({ workers: 1, args: ['--four-turn-ms', '1500'] });
  });
  afterAll(async () => {
    await fast?.stop();
  });

  it('the player to move loses when its time runs out, dropped or not', async () => {
    const [a, b] = await pair('clock', fast);
    expect(a.last!.turnLeftMs).toBeGreaterThan(0);
    expect(a.last!.turnLeftMs).toBeLessThanOrEqual(1500);
    a.client.send({ t: 'move', col: 3 });
    await b.until((s) => s.moves === 1, 'move 1');
    // b drops; its clock runs all the same.
    b.client.close();
    const end = await a.until((s) => s.status !== 'playing', 'b out of time', 15_000);
    expect(end).toMatchObject({ status: 'won', winner: 0, reason: 'time', wins: [1, 0], turn: 1, moves: 1 });
  });
});

describe('four in a row, quick-join', () => {
  let fresh: TestServer;
  beforeAll(async () => {
    // Its own server: quick-join would otherwise fill rooms the other tests left.
    fresh = await startServer({ workers: 1 });
  });
  afterAll(async () => {
    await fresh?.stop();
  });

  it('pairs two waiting players; a third gets a new room', async () => {
    const a = await player('quick-a', undefined, fresh);
    const b = await player('quick-b', undefined, fresh);
    expect(b.client.room).toBe(a.client.room);
    await a.until((s) => s.status === 'playing', 'paired');
    const c = await player('quick-c', undefined, fresh);
    expect(c.client.room).not.toBe(a.client.room);
    expect(c.last).toMatchObject({ status: 'waiting', seats: [[c.client.id, 'quick-c'], null] });
  });
});
