// A four-in-a-row room driven directly with a stand-in RoomContext (no server): seating and
// spectators, turns, coded refusals that change nothing, a win and a draw counted in the room
// and the world, the turn clock (running for a dropped player too), leaving mid-game, rematch
// (the other seat starts), the computer (its search handed to ctx.pool, its move shown after
// botDelayMs), a room rebuilt from its snapshot where it was, and the room closed to quick-join
// (ctx.setOpen) exactly while both seats are taken.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GameServerMessage, RoomContext, TaskPool, World } from '../../../server/game-api/index.js';
import { four } from '../../../server/games/four/four.js';
import type { FourMsg } from '../../../server/games/four/messages.js';
import type { FourSnapshot } from '../../../server/games/four/room.js';
import { bestMove } from '../../../server/games/four/search.js';
import type { FourSettings } from '../../../server/games/four/settings.js';
import { FOUR_KEYS } from '../../../server/games/four/world-keys.js';
import { DRAW, WIN_BOTTOM_ROW, WIN_COLUMN_SECOND } from '../../helpers/four-sequences.js';

const SETTINGS: FourSettings = { turnMs: 10_000, spectators: 2, botDepth: 4, botDelayMs: 300 };

function setUp(snap?: FourSnapshot, settings = SETTINGS) {
  const broadcasts: FourMsg[] = [];
  const sent: Array<[string, GameServerMessage]> = [];
  const errors: Array<[string, string]> = [];
  const scores: Array<[string, number]> = [];
  const incrs: string[] = [];
  const tasks: Array<{ file: string; name?: string; input: unknown }> = [];
  let saves = 0;
  /** setOpen calls and broadcasts, in order: a room closes before anyone sees why. */
  const order: string[] = [];
  const world = { incr: (name: string) => (incrs.push(name), Promise.resolve(1)) } as unknown as World;
  // The pool runs the real search, here on this thread; the room must not care where.
  const pool: TaskPool = {
    run: <R>(task: { file: string | URL; name?: string }, input: unknown) => {
      tasks.push({ file: String(task.file), name: task.name, input });
      return Promise.resolve(bestMove(input as Parameters<typeof bestMove>[0]) as R);
    },
  };
  const ctx: RoomContext = {
    id: 'four-test', game: 'four', hz: 0, world, pool,
    broadcast: (m) => {
      broadcasts.push(m as FourMsg);
      order.push('broadcast');
    },
    send: (id, m) => void sent.push([id, m]),
    sendMany: () => {},
    error: (id, code) => void errors.push([id, code]),
    scoreChanged: (id, s) => void scores.push([id, s]),
    timers: {
      after: (ms, fn) => {
        const t = setTimeout(fn, ms);
        return { cancel: () => clearTimeout(t) };
      },
      every: (ms, fn) => {
        const t = setInterval(fn, ms);
        return { cancel: () => clearInterval(t) };
      },
    },
    saveSnapshot: () => void saves++,
    setOpen: (open) => void order.push(open ? 'open' : 'closed'),
  };
  const room = four.create(ctx, settings, snap);
  const last = () => broadcasts[broadcasts.length - 1]!;
  /** What the room last told ctx.setOpen (a room starts open). */
  const open = () => [...order].reverse().find((o) => o !== 'broadcast') !== 'closed';
  return { room, broadcasts, sent, errors, scores, incrs, tasks, last, order, open, saves: () => saves };
}

const seat = (id: string) => ({ id, name: id.toUpperCase(), score: 0 });
const move = (col: number) => ({ t: 'move', col });

function twoPlayers(snap?: FourSnapshot) {
  const s = setUp(snap);
  s.room.join(seat('a'));
  s.room.join(seat('b'));
  return s;
}

describe('four in a row room', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('seats two players and starts (seat 0 first); a third watches; the newcomer gets the game', () => {
    const { room, last, broadcasts } = setUp();
    room.join(seat('a'));
    expect(last()).toMatchObject({ t: 'four', status: 'waiting', seats: [['a', 'A'], null] });
    room.join(seat('b'));
    expect(last()).toMatchObject({ status: 'playing', turn: 0, seats: [['a', 'A'], ['b', 'B']], moves: 0, turnLeftMs: 10_000 });
    expect(last().board).toEqual(new Array(42).fill(0));
    room.join(seat('c'));
    expect(last()).toMatchObject({ status: 'playing', spectators: 1, seats: [['a', 'A'], ['b', 'B']] });
    expect(room.size).toBe(3);
    expect(broadcasts.length).toBe(3);
  });

  it('plays to a win: line, winner, the winner\'s wins as its score, the world counters, a snapshot after every move', () => {
    const { room, last, scores, incrs, saves } = twoPlayers();
    const before = saves();
    WIN_BOTTOM_ROW.moves.forEach((c, i) => room.message(i % 2 ? 'b' : 'a', move(c)));
    expect(last()).toMatchObject({ status: 'won', winner: 0, line: WIN_BOTTOM_ROW.line, wins: [1, 0], moves: 7, reason: 'four', turnLeftMs: 0 });
    expect(scores).toEqual([['a', 1]]);
    expect(incrs.sort()).toEqual([FOUR_KEYS.games, FOUR_KEYS.winsRed].sort());
    expect(saves() - before).toBe(7);
  });

  it('plays to a draw on a full board', () => {
    const { room, last, scores, incrs } = twoPlayers();
    DRAW.moves.forEach((c, i) => room.message(i % 2 ? 'b' : 'a', move(c)));
    expect(last()).toMatchObject({ status: 'draw', winner: null, line: [], moves: 42, wins: [0, 0] });
    expect(last().board.every((v) => v !== 0)).toBe(true);
    expect(scores).toEqual([]);
    expect(incrs.sort()).toEqual([FOUR_KEYS.draws, FOUR_KEYS.games].sort());
  });

  it('refuses out-of-turn moves, full columns and spectators with coded errors, and nothing changes', () => {
    const { room, last, errors, broadcasts } = twoPlayers();
    room.join(seat('c'));
    const n = broadcasts.length;
    room.message('b', move(0));
    expect(errors.pop()).toEqual(['b', 'NOT_YOUR_TURN']);
    room.message('c', move(0));
    expect(errors.pop()).toEqual(['c', 'NOT_PLAYING']);
    for (let i = 0; i < 6; i++) room.message(i % 2 ? 'b' : 'a', move(0));
    const full = last();
    room.message('a', move(0));
    expect(errors.pop()).toEqual(['a', 'COLUMN_FULL']);
    expect(broadcasts.length).toBe(n + 6);
    expect(last()).toBe(full);
    expect(room.snapshot().board).toEqual(full.board);
    expect(full.turn).toBe(0);
  });

  it('refuses a move before the game starts (NOT_PLAYING) and after it ends', () => {
    const s = setUp();
    s.room.join(seat('a'));
    s.room.message('a', move(3));
    expect(s.errors.pop()).toEqual(['a', 'NOT_PLAYING']);
    s.room.join(seat('b'));
    WIN_BOTTOM_ROW.moves.forEach((c, i) => s.room.message(i % 2 ? 'b' : 'a', move(c)));
    s.room.message('b', move(0));
    expect(s.errors.pop()).toEqual(['b', 'NOT_PLAYING']);
  });

  it('the player to move loses when its time runs out, also while dropped (its clock runs)', () => {
    const { room, last, scores } = twoPlayers();
    room.message('a', move(3));
    room.setFrozen('b', true);
    vi.advanceTimersByTime(SETTINGS.turnMs - 1);
    expect(last().status).toBe('playing');
    vi.advanceTimersByTime(1);
    expect(last()).toMatchObject({ status: 'won', winner: 0, reason: 'time', turn: 1, wins: [1, 0] });
    expect(scores).toEqual([['a', 1]]);
  });

  it('a move restarts the clock', () => {
    const { room, last } = twoPlayers();
    vi.advanceTimersByTime(SETTINGS.turnMs - 100);
    room.message('a', move(3));
    vi.advanceTimersByTime(SETTINGS.turnMs - 100);
    expect(last()).toMatchObject({ status: 'playing', turn: 1 });
  });

  it('leaving mid-game loses it; the free seat takes the next player, who starts a new game', () => {
    const { room, last } = twoPlayers();
    room.message('a', move(3));
    room.leave('a');
    expect(last()).toMatchObject({ status: 'won', winner: 1, reason: 'left', seats: [null, ['b', 'B']], wins: [0, 1] });
    room.join(seat('d'));
    expect(last()).toMatchObject({ status: 'playing', seats: [['d', 'D'], ['b', 'B']], moves: 0 });
  });

  it('rematch: both seated players ask after a game; the other seat starts; asking mid-game or as a spectator is refused', () => {
    const { room, last, errors } = twoPlayers();
    room.join(seat('c'));
    room.message('a', { t: 'rematch' });
    expect(errors.pop()).toEqual(['a', 'GAME_NOT_OVER']);
    WIN_BOTTOM_ROW.moves.forEach((c, i) => room.message(i % 2 ? 'b' : 'a', move(c)));
    room.message('c', { t: 'rematch' });
    expect(errors.pop()).toEqual(['c', 'NOT_PLAYING']);
    room.message('b', { t: 'rematch' });
    expect(last()).toMatchObject({ status: 'won', rematch: [false, true] });
    room.message('a', { t: 'rematch' });
    expect(last()).toMatchObject({ status: 'playing', turn: 1, moves: 0, rematch: [false, false], wins: [1, 0], line: [] });
    // Seat 1 starts the second game and wins it up column 6 when seat 0 plays elsewhere.
    WIN_COLUMN_SECOND.moves.forEach((c, i) => room.message(i % 2 ? 'a' : 'b', move(c)));
    expect(last()).toMatchObject({ status: 'won', winner: 0, wins: [2, 0] });
  });

  it('the computer: a player waiting alone asks, it takes seat 1, searches on ctx.pool and moves after botDelayMs', async () => {
    const { room, last, errors, tasks } = setUp();
    room.join(seat('a'));
    room.message('a', { t: 'computer' });
    expect(last()).toMatchObject({ status: 'playing', seats: [['a', 'A'], ['computer', 'computer']], turn: 0 });
    expect(room.size).toBe(1);
    // The bot does not move for the player.
    room.message('a', move(3));
    expect(last()).toMatchObject({ turn: 1, moves: 1 });
    await vi.advanceTimersByTimeAsync(SETTINGS.botDelayMs - 10);
    expect(last()).toMatchObject({ turn: 1, moves: 1 });
    await vi.advanceTimersByTimeAsync(10);
    expect(last()).toMatchObject({ turn: 0, moves: 2 });
    expect(tasks.length).toBe(1);
    expect(tasks[0]!.file).toMatch(/games\/four\/bot-task\.js$/);
    expect(tasks[0]!.name).toBe('bestMove');
    expect(tasks[0]!.input).toMatchObject({ me: 2, depth: SETTINGS.botDepth });
    // A second player cannot ask for it too, nor a seated player mid-game.
    room.message('a', { t: 'computer' });
    expect(errors.pop()).toEqual(['a', 'NOT_WAITING']);
  });

  it('the computer blocks a win in one in a real game, and is always ready for a rematch', async () => {
    const { room, last } = setUp();
    room.join(seat('a'));
    room.message('a', { t: 'computer' });
    for (const c of [0, 1, 2]) {
      room.message('a', move(c));
      await vi.advanceTimersByTimeAsync(SETTINGS.botDelayMs);
    }
    // a has 0,1,2 on the bottom row unless blocked earlier: column 3's bottom cell is the computer's.
    expect(last().board[3]).toBe(2);
    expect(last().status).toBe('playing');
  });

  it('rebuilds from its snapshot: board, seats, turn, time left, wins, rematch flags, computer seat; a returning player gets the game', () => {
    const a = twoPlayers();
    for (const c of [3, 3, 4]) a.room.message(a.last().turn === 0 ? 'a' : 'b', move(c));
    vi.advanceTimersByTime(4000);
    const snap = JSON.parse(JSON.stringify(a.room.snapshot())) as FourSnapshot;
    expect(snap.turnLeftMs).toBe(6000);
    const b = setUp(snap);
    b.room.join(seat('a'));
    b.room.join(seat('b'));
    const [to, msg] = b.sent.pop()!;
    expect(to).toBe('b');
    expect(msg).toMatchObject({ status: 'playing', turn: 1, moves: 3, seats: [['a', 'A'], ['b', 'B']], turnLeftMs: 6000 });
    expect((msg as FourMsg).board).toEqual(a.last().board);
    // Its clock goes on from where it was.
    vi.advanceTimersByTime(6000);
    expect(b.last()).toMatchObject({ status: 'won', winner: 0, reason: 'time' });
  });

  it('a restored room with the computer to move lets the computer move', async () => {
    const a = setUp();
    a.room.join(seat('a'));
    a.room.message('a', { t: 'computer' });
    a.room.message('a', move(3));
    const snap = JSON.parse(JSON.stringify(a.room.snapshot())) as FourSnapshot;
    expect(snap.botSeat).toBe(1);
    expect(snap.turn).toBe(1);
    const b = setUp(snap);
    b.room.join(seat('a'));
    await vi.advanceTimersByTimeAsync(SETTINGS.botDelayMs);
    expect(b.last()).toMatchObject({ turn: 0, moves: 2, seats: [['a', 'A'], ['computer', 'computer']] });
  });

  it('closes its room to quick-join while both seats are taken by two players, before anyone sees it; opens it when one leaves for good', () => {
    const { room, order, open } = setUp();
    room.join(seat('a'));
    expect(open()).toBe(true);
    order.length = 0;
    room.join(seat('b'));
    expect(order).toEqual(['closed', 'broadcast']);
    // A spectator, a drop, a game's end and a rematch change no seat: still closed.
    room.join(seat('c'));
    room.setFrozen('a', true);
    WIN_BOTTOM_ROW.moves.forEach((c, i) => room.message(i % 2 ? 'b' : 'a', move(c)));
    room.message('a', { t: 'rematch' });
    room.message('b', { t: 'rematch' });
    room.leave('c');
    expect(open()).toBe(false);
    expect(order).not.toContain('open');
    order.length = 0;
    room.leave('a');
    expect(order).toEqual(['open', 'broadcast']);
    // The free seat takes the next player: closed again.
    room.join(seat('d'));
    expect(open()).toBe(false);
  });

  it('closes its room when the computer takes the second seat, and opens it when the computer\'s opponent leaves', () => {
    const { room, order, open } = setUp();
    const spectatorsStay = setUp();
    room.join(seat('a'));
    order.length = 0;
    room.message('a', { t: 'computer' });
    expect(order).toEqual(['closed', 'broadcast']);
    expect(room.size).toBe(1);
    room.leave('a');
    expect(open()).toBe(true);
    // With a spectator left in the room, the room lives on open: both seats are free.
    spectatorsStay.room.join(seat('a'));
    spectatorsStay.room.message('a', { t: 'computer' });
    spectatorsStay.room.join(seat('s'));
    expect(spectatorsStay.open()).toBe(false);
    spectatorsStay.room.leave('a');
    expect(spectatorsStay.open()).toBe(true);
    expect(spectatorsStay.last()).toMatchObject({ seats: [null, null], spectators: 1 });
  });

  it('a room rebuilt from a snapshot with both seats taken closes itself in create; one with a free seat stays open', () => {
    const full = setUp();
    full.room.join(seat('a'));
    full.room.message('a', { t: 'computer' });
    const rebuilt = setUp(JSON.parse(JSON.stringify(full.room.snapshot())) as FourSnapshot);
    expect(rebuilt.order).toEqual(['closed']);
    const waiting = setUp();
    waiting.room.join(seat('a'));
    const rebuiltWaiting = setUp(JSON.parse(JSON.stringify(waiting.room.snapshot())) as FourSnapshot);
    expect(rebuiltWaiting.open()).toBe(true);
  });

  it('declares 2 seats, 2 + spectators capacity, no tick, its messages and errors', () => {
    expect(four.seats).toBe(2);
    expect(four.hz).toBe(0);
    expect(typeof four.capacity === 'function' && four.capacity(SETTINGS)).toBe(4);
    expect(Object.keys(four.messages!).sort()).toEqual(['computer', 'move', 'rematch']);
    expect(Object.keys(four.errors!).sort()).toEqual(['COLUMN_FULL', 'GAME_NOT_OVER', 'NOT_PLAYING', 'NOT_WAITING', 'NOT_YOUR_TURN']);
  });
});
