// Four in a row's server message as the wire carries it: the one `four` message that holds the
// whole game, sent after every change and to each newcomer. Typed once here, where the game
// (server/games/four), the browser client (web/four-model.ts) and the tests all read it;
// docs/PROTOCOL.md ("Four in a row") describes the same.

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
