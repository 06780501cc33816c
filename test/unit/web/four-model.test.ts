// The browser's reading of four in a row's `four` message (web/four-model.ts): a message off the
// wire is taken only when well formed, and each page is told the right thing for its seat.
import { describe, expect, it } from 'vitest';
import { boardKey, columnFull, moveErrorText, parseFour, secondsLeft, situation, type FourState } from '../../../web/four-model.js';

function msg(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    t: 'four',
    seats: [['p1', 'Ann'], ['p2', 'Bob']],
    board: new Array(42).fill(0),
    turn: 0,
    status: 'playing',
    winner: null,
    line: [],
    turnLeftMs: 20_000,
    moves: 0,
    rematch: [false, false],
    wins: [0, 0],
    ...over,
  };
}

function state(over: Record<string, unknown> = {}): FourState {
  const s = parseFour(msg(over));
  if (!s) throw new Error('fixture did not parse');
  return s;
}

describe('parseFour', () => {
  it('reads the wire message, seats as {id, name}', () => {
    const s = state({ seats: [['p1', 'Ann'], null], status: 'waiting' });
    expect(s.seats).toEqual([{ id: 'p1', name: 'Ann' }, null]);
    expect(s.board).toHaveLength(42);
    expect(s.status).toBe('waiting');
  });

  it('keeps a message with fields a newer server added', () => {
    expect(parseFour(msg({ extra: { x: 1 } }))).not.toBeNull();
  });

  it('reads the optional spectators and reason, and names the computer', () => {
    const s = state({ seats: [['p1', 'Ann'], ['computer', 'computer']], spectators: 2, reason: 'time' });
    expect(s.seats[1]).toEqual({ id: 'computer', name: 'Computer' });
    expect(s.spectators).toBe(2);
    expect(s.reason).toBe('time');
    expect(state().spectators).toBe(0);
    expect(state({ reason: 'bogus' }).reason).toBeNull();
  });

  it('refuses what is not a four message', () => {
    expect(parseFour(null)).toBeNull();
    expect(parseFour({ ...msg(), t: 'state' })).toBeNull();
    expect(parseFour(msg({ board: new Array(41).fill(0) }))).toBeNull();
    expect(parseFour(msg({ board: [...new Array(41).fill(0), 3] }))).toBeNull();
    expect(parseFour(msg({ status: 'paused' }))).toBeNull();
    expect(parseFour(msg({ turn: 2 }))).toBeNull();
    expect(parseFour(msg({ seats: [['p1'], null] }))).toBeNull();
    expect(parseFour(msg({ seats: [null] }))).toBeNull();
    expect(parseFour(msg({ winner: 'p1' }))).toBeNull();
  });

  it('drops out-of-board cells from the winning line', () => {
    expect(state({ line: [0, 1, 2, 3, 99, -1, 1.5] }).line).toEqual([0, 1, 2, 3]);
  });
});

describe('situation', () => {
  it('tells a seated player whose turn it is', () => {
    expect(situation(state({ turn: 0 }), 'p1')).toMatchObject({ mySeat: 0, phase: 'your-turn', canMove: true, text: 'Your turn' });
    expect(situation(state({ turn: 0 }), 'p2')).toMatchObject({ mySeat: 1, phase: 'their-turn', canMove: true, text: "Ann's turn" });
  });

  it('lets a spectator watch but not move, rematch or call the computer', () => {
    const s = situation(state({ turn: 1 }), 'p3');
    expect(s).toMatchObject({ mySeat: null, phase: 'watching', canMove: false, canRematch: false, canAskComputer: false });
    expect(s.text).toBe('Bob (Yellow) to move');
    expect(situation(state({ status: 'won', winner: 0, line: [0, 1, 2, 3] }), 'p3')).toMatchObject({ phase: 'finished', canRematch: false, text: 'Ann (Red) won.' });
  });

  it('offers the computer only to a player waiting alone', () => {
    expect(situation(state({ status: 'waiting', seats: [['p1', 'Ann'], null] }), 'p1')).toMatchObject({ phase: 'waiting', canAskComputer: true, canMove: false });
    expect(situation(state({ status: 'waiting', seats: [null, ['p1', 'Ann']] }), 'p1')).toMatchObject({ canAskComputer: true });
    expect(situation(state({ status: 'waiting', seats: [['p1', 'Ann'], ['p2', 'Bob']] }), 'p1')).toMatchObject({ canAskComputer: false });
    expect(situation(state({ status: 'waiting', seats: [['p1', 'Ann'], null] }), 'p9')).toMatchObject({ canAskComputer: false, text: 'Waiting for players…' });
  });

  it('says won, lost and draw, and offers a rematch until asked', () => {
    const won = state({ status: 'won', winner: 1, line: [0, 8, 16, 24] });
    expect(situation(won, 'p2')).toMatchObject({ phase: 'won', canRematch: true, rematchAsked: false, canMove: false });
    expect(situation(won, 'p1')).toMatchObject({ phase: 'lost', text: 'Bob won.' });
    expect(situation(state({ status: 'draw' }), 'p1')).toMatchObject({ phase: 'draw', canRematch: true });

    expect(situation(state({ status: 'won', winner: 0, reason: 'time' }), 'p2').text).toBe('Ann won. You ran out of time.');
    const left = state({ status: 'won', winner: 0, reason: 'left', seats: [['p1', 'Ann'], null] });
    expect(situation(left, 'p1').text).toBe('You won! Your opponent left: wait for another player, or play the computer.');
    expect(situation(left, 'p3').text).toBe('Ann (Red) won. Yellow left.');

    // The opponent left after the game: no rematch to ask for, the computer instead.
    expect(situation(state({ status: 'won', winner: 0, seats: [['p1', 'Ann'], null], rematch: [true, false] }), 'p1')).toMatchObject({
      phase: 'won', canRematch: false, rematchAsked: false, canAskComputer: true,
      text: 'You won! Your opponent left: wait for another player, or play the computer.',
    });

    const asked = state({ status: 'won', winner: 1, rematch: [true, false] });
    expect(situation(asked, 'p1')).toMatchObject({ canRematch: false, rematchAsked: true });
    expect(situation(asked, 'p2').text).toBe('You won! Ann wants a rematch.');
  });
});

describe('board helpers', () => {
  it('knows a full column by its top cell (row 5)', () => {
    const board = new Array(42).fill(0);
    for (let row = 0; row < 5; row++) board[row * 7 + 2] = 1;
    expect(columnFull(board, 2)).toBe(false);
    board[5 * 7 + 2] = 2;
    expect(columnFull(board, 2)).toBe(true);
    expect(columnFull(board, 3)).toBe(false);
  });

  it('maps keys: 1-7 drop, arrows move the cursor round, Enter and Space drop at it', () => {
    expect(boardKey('1', 3)).toEqual({ drop: 0 });
    expect(boardKey('7', 3)).toEqual({ drop: 6 });
    expect(boardKey('8', 3)).toBeNull();
    expect(boardKey('0', 3)).toBeNull();
    expect(boardKey('ArrowLeft', 0)).toEqual({ cursor: 6 });
    expect(boardKey('ArrowRight', 6)).toEqual({ cursor: 0 });
    expect(boardKey('ArrowRight', 2)).toEqual({ cursor: 3 });
    expect(boardKey('Enter', 4)).toEqual({ drop: 4 });
    expect(boardKey(' ', 5)).toEqual({ drop: 5 });
    expect(boardKey('a', 5)).toBeNull();
  });

  it('shows whole seconds left, rounded up, never negative', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 1)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 12_000)).toBe(0);
  });

  it('words the game\'s error codes', () => {
    expect(moveErrorText('NOT_YOUR_TURN', 'x')).toMatch(/not your turn/i);
    expect(moveErrorText('COLUMN_FULL', 'x')).toMatch(/full/i);
    expect(moveErrorText('NOT_PLAYING', 'x')).toMatch(/no game/i);
    expect(moveErrorText('RATE_LIMITED', 'slow down')).toBe('slow down (RATE_LIMITED)');
  });
});
