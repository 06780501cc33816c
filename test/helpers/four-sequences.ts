// Four in a row games as column sequences, the first move by the seat that starts (seat 0 in a
// room's first game): shared by the server's tests and the browser tests, so both play the same
// games and expect the same ends.

/** Seat 0 (disc 1) wins on the bottom row, columns 2..5, with its 4th disc (move 7). */
export const WIN_BOTTOM_ROW = {
  moves: [3, 3, 2, 2, 4, 4, 5],
  /** Won by the player who moved first. */
  wonBy: 'first' as const,
  /** Cells (row * 7 + col, row 0 the bottom) of the winning four. */
  line: [2, 3, 4, 5],
};

/** The second mover wins up column 6 (the first wastes its moves), with its 4th disc (move 8). */
export const WIN_COLUMN_SECOND = {
  moves: [0, 6, 1, 6, 0, 6, 1, 6],
  /** Won by the player who moved second. */
  wonBy: 'second' as const,
  line: [6, 13, 20, 27],
};

/** 42 moves that fill the board with no four in a row: a draw. */
export const DRAW = {
  moves: [5, 1, 1, 2, 3, 3, 2, 5, 2, 0, 2, 0, 6, 6, 6, 2, 2, 4, 0, 3, 6, 5, 4, 0, 3, 1, 4, 5, 4, 3, 6, 3, 5, 5, 0, 6, 0, 4, 4, 1, 1, 1],
};
