// Four in a row's wire: the client messages it declares (checked at the edge before a room sees
// them), the error codes it answers with, and the one server message (`four`) that carries the
// whole game after every change. docs/PROTOCOL.md describes the same.
import { Type } from '@sinclair/typebox';
import type { GameMessages } from '../../game-api/index.js';
import { COLS } from './rules.js';

export const FOUR_MESSAGES: GameMessages = {
  /** Drop a disc in a column (0 the leftmost). */
  move: Type.Object({ col: Type.Integer({ minimum: 0, maximum: COLS - 1 }) }),
  /** After a finished game: both seated players ask, and a new game starts. */
  rematch: Type.Object({}),
  /** A player waiting alone asks for the computer as its opponent. */
  computer: Type.Object({}),
};

export const FOUR_ERRORS = {
  NOT_YOUR_TURN: 'a move while the other seat is to move',
  COLUMN_FULL: 'a move in a column with no room left',
  NOT_PLAYING: 'a move with no game in progress, or a move or rematch from a spectator',
  NOT_WAITING: '`computer` from a player that is not waiting alone for an opponent',
  GAME_NOT_OVER: '`rematch` while a game is still being played',
} as const;

export type FourErrorCode = keyof typeof FOUR_ERRORS;

export type FourStatus = 'waiting' | 'playing' | 'won' | 'draw';

/** The whole game, sent after every change and to each newcomer (encoded once for the room). */
export type FourMsg = {
  t: 'four';
  /** [id, name] of each seat's player, null when free; the computer's id is `computer`. */
  seats: [[string, string] | null, [string, string] | null];
  /** 42 cells, index = row * 7 + col, row 0 the bottom: 0 empty, 1 seat 0's disc, 2 seat 1's. */
  board: number[];
  /** The seat to move (or that moved last, once the game is over). */
  turn: 0 | 1;
  status: FourStatus;
  winner: 0 | 1 | null;
  /** The four winning cells; [] unless won by four in a row. */
  line: number[];
  /** Time the seat to move has left (0 unless playing). */
  turnLeftMs: number;
  /** Discs played this game. */
  moves: number;
  /** Which seats asked for a rematch. */
  rematch: [boolean, boolean];
  /** Games each seat's player has won in this room. */
  wins: [number, number];
  /** Added by four: members watching (not seated). */
  spectators: number;
  /** Added by four: how the last game ended when won (`four`, `time`: the loser's clock ran out, `left`: the loser left). */
  reason: 'four' | 'time' | 'left' | null;
};

/** The computer's seat id (never a session's: those are server-made and longer). */
export const COMPUTER_ID = 'computer';
