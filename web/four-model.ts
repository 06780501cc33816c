// Four in a row as the page sees it: the server's `four` message read defensively (it comes off
// the wire), and what it means for this page's player (seat, phase, what may be done now). Kept
// free of the DOM so its rules are tested in Node (test/unit/web/four-model.test.ts); the server
// alone decides moves, this only decides what to show and which buttons to offer.
import { COMPUTER_ID, type FourMsg, type FourStatus } from '../shared/protocol/four.js';

export const COLS = 7;
export const ROWS = 6;

export type SeatNo = 0 | 1;
export interface Seat { id: string; name: string }
export type { FourStatus };

/**
 * The `four` message (shared/protocol/four.ts) as the page keeps it: checked field by field, the
 * seats as objects, the computer named.
 */
export type FourState = Omit<FourMsg, 't' | 'seats'> & { seats: [Seat | null, Seat | null] };

export { COMPUTER_ID };

/**
 * What the page shows: `your-turn` / `their-turn` / `won` / `lost` to a seated player, `watching`
 * (a game in play) and `finished` to a spectator, `waiting` and `draw` to everyone.
 */
export type Phase = 'waiting' | 'your-turn' | 'their-turn' | 'won' | 'lost' | 'draw' | 'watching' | 'finished';

export interface Situation {
  /** This page's seat, or null for a spectator. */
  mySeat: SeatNo | null;
  phase: Phase;
  text: string;
  /** A click or key sends a move: this page is seated in a game in play (out of turn, the server answers NOT_YOUR_TURN). */
  canMove: boolean;
  /** Seated alone and waiting: the computer may take the other seat. */
  canAskComputer: boolean;
  /** The game is over and this page has a seat: it may ask for another. */
  canRematch: boolean;
  /** This page's rematch request is out, waiting for the other player. */
  rematchAsked: boolean;
}

export const SEAT_COLOURS = ['Red', 'Yellow'] as const;

function isSeatNo(v: unknown): v is SeatNo {
  return v === 0 || v === 1;
}

function pair<T>(v: unknown, item: (x: unknown) => x is T): [T, T] | null {
  return Array.isArray(v) && v.length === 2 && item(v[0]) && item(v[1]) ? [v[0], v[1]] : null;
}

function seat(v: unknown): Seat | null | undefined {
  if (v === null) return null;
  if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return { id: v[0], name: v[0] === COMPUTER_ID ? 'Computer' : v[1] };
  return undefined;
}

/** The `four` message's fields, or null when it is not one (a newer server may add fields). */
export function parseFour(m: unknown): FourState | null {
  if (typeof m !== 'object' || m === null) return null;
  const r = m as Record<string, unknown>;
  if (r.t !== 'four' || !Array.isArray(r.seats) || r.seats.length !== 2) return null;
  const s0 = seat(r.seats[0]);
  const s1 = seat(r.seats[1]);
  if (s0 === undefined || s1 === undefined) return null;
  const board = r.board;
  if (!Array.isArray(board) || board.length !== COLS * ROWS || !board.every((c) => c === 0 || c === 1 || c === 2)) return null;
  const status = r.status;
  if (status !== 'waiting' && status !== 'playing' && status !== 'won' && status !== 'draw') return null;
  if (!isSeatNo(r.turn) || !(r.winner === null || isSeatNo(r.winner))) return null;
  const line = Array.isArray(r.line) ? r.line.filter((i): i is number => Number.isInteger(i) && i >= 0 && i < COLS * ROWS) : [];
  const rematch = pair(r.rematch ?? [false, false], (x): x is boolean => typeof x === 'boolean');
  const wins = pair(r.wins ?? [0, 0], (x): x is number => typeof x === 'number');
  if (!rematch || !wins) return null;
  return {
    seats: [s0, s1],
    board: board as number[],
    turn: r.turn,
    status,
    winner: r.winner,
    line,
    turnLeftMs: typeof r.turnLeftMs === 'number' && r.turnLeftMs > 0 ? r.turnLeftMs : 0,
    moves: typeof r.moves === 'number' ? r.moves : 0,
    rematch,
    wins,
    spectators: typeof r.spectators === 'number' && r.spectators >= 0 ? r.spectators : 0,
    reason: r.reason === 'four' || r.reason === 'time' || r.reason === 'left' ? r.reason : null,
  };
}

export function cellIndex(row: number, col: number): number {
  return row * COLS + col;
}

/** No room left in the column (its top cell holds a disc). */
export function columnFull(board: readonly number[], col: number): boolean {
  return (board[cellIndex(ROWS - 1, col)] ?? 0) !== 0;
}

function seatName(s: FourState, n: SeatNo): string {
  return s.seats[n]?.name ?? SEAT_COLOURS[n];
}

export function situation(s: FourState, me: string): Situation {
  const mySeat: SeatNo | null = s.seats[0]?.id === me ? 0 : s.seats[1]?.id === me ? 1 : null;
  const other: SeatNo | null = mySeat === null ? null : mySeat === 0 ? 1 : 0;
  const base = { mySeat, canMove: false, canAskComputer: false, canRematch: false, rematchAsked: false };
  const over = s.status === 'won' || s.status === 'draw';
  // After a game the opponent may leave: its seat empties, the result stays until a new game.
  const alone = other !== null && s.seats[other] === null;
  const rematchAsked = mySeat !== null && over && !alone && s.rematch[mySeat];
  const ending = mySeat === null || !over ? {}
    : alone ? { canAskComputer: true } : { canRematch: !rematchAsked, rematchAsked };
  const otherAsks = alone && over ? ' Your opponent left: wait for another player, or play the computer.'
    : other !== null && over && s.rematch[other] && !rematchAsked ? ` ${seatName(s, other)} wants a rematch.` : '';
  switch (s.status) {
    case 'waiting':
      if (mySeat === null) return { ...base, phase: 'waiting', text: 'Waiting for players…' };
      return { ...base, phase: 'waiting', text: 'Waiting for an opponent…', canAskComputer: s.seats[other!] === null };
    case 'playing':
      if (mySeat === null) return { ...base, phase: 'watching', text: `${seatName(s, s.turn)} (${SEAT_COLOURS[s.turn]}) to move` };
      if (s.turn === mySeat) return { ...base, phase: 'your-turn', text: 'Your turn', canMove: true };
      return { ...base, phase: 'their-turn', text: `${seatName(s, s.turn)}'s turn`, canMove: true };
    case 'draw':
      return { ...base, ...ending, phase: 'draw', text: `Draw: the board is full.${otherAsks}` };
    case 'won': {
      const w = s.winner ?? 0;
      const l: SeatNo = w === 0 ? 1 : 0;
      const why = s.reason === 'time' ? ` ${l === mySeat ? 'You' : seatName(s, l)} ran out of time.`
        // A seated player reads that its opponent left in otherAsks.
        : s.reason === 'left' && mySeat === null ? ` ${seatName(s, l)} left.` : '';
      if (mySeat === null) return { ...base, phase: 'finished', text: `${seatName(s, w)} (${SEAT_COLOURS[w]}) won.${why}` };
      if (w === mySeat) return { ...base, ...ending, phase: 'won', text: `You won!${why}${otherAsks}` };
      return { ...base, ...ending, phase: 'lost', text: `${seatName(s, w)} won.${why}${otherAsks}` };
    }
  }
}

/** A key on the board: a column to drop in, or where the column cursor goes. */
export type KeyAction = { drop: number } | { cursor: number } | null;

/** 1–7 drop in that column; ← → move the cursor (wrapping); Enter or Space drop at the cursor. */
export function boardKey(key: string, cursor: number): KeyAction {
  if (/^[1-7]$/.test(key)) return { drop: Number(key) - 1 };
  switch (key) {
    case 'ArrowLeft': return { cursor: (cursor + COLS - 1) % COLS };
    case 'ArrowRight': return { cursor: (cursor + 1) % COLS };
    case 'Home': return { cursor: 0 };
    case 'End': return { cursor: COLS - 1 };
    case 'Enter':
    case ' ':
      return { drop: cursor };
    default: return null;
  }
}

/** Seconds shown for the turn's time: whole seconds, rounded up, never below zero. */
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** The sentence shown for a refused move (the game's error codes). */
export function moveErrorText(code: string, message: string): string {
  switch (code) {
    case 'NOT_YOUR_TURN': return 'Not your turn: wait for your opponent.';
    case 'COLUMN_FULL': return 'That column is full: pick another.';
    case 'NOT_PLAYING': return 'No game in progress.';
    case 'NOT_WAITING': return 'The computer plays only a player waiting alone.';
    case 'GAME_NOT_OVER': return 'The game is still being played.';
    default: return `${message} (${code})`;
  }
}
