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

export { COMPUTER_ID } from '../../../shared/protocol/four.js';
export type { FourMsg, FourStatus } from '../../../shared/protocol/four.js';
