// Four in a row's rules, as plain functions over a board of 42 cells (index = row * 7 + col, row 0
// the bottom): where a disc dropped in a column lands, whether it made four, the winning line.
// Shared by the room (the game as played) and the bot's search (on a pool thread), so the two
// can never disagree about what is legal or what wins.

export const COLS = 7;
export const ROWS = 6;
export const CELLS = COLS * ROWS;
/** 0 empty, 1 seat 0's disc, 2 seat 1's. */
export type Cell = 0 | 1 | 2;
export type Disc = 1 | 2;
export type Board = Cell[];

export function emptyBoard(): Board {
  return new Array<Cell>(CELLS).fill(0);
}

/** The row a disc dropped in `col` lands on, or -1 when the column is full. */
export function landingRow(board: ArrayLike<number>, col: number): number {
  for (let row = 0; row < ROWS; row++) if (board[row * COLS + col] === 0) return row;
  return -1;
}

/** Columns with room for a disc, in column order. */
export function legalColumns(board: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let c = 0; c < COLS; c++) if (board[(ROWS - 1) * COLS + c] === 0) out.push(c);
  return out;
}

export function isFull(board: ArrayLike<number>): boolean {
  for (let c = 0; c < COLS; c++) if (board[(ROWS - 1) * COLS + c] === 0) return false;
  return true;
}

const DIRECTIONS: ReadonlyArray<readonly [number, number]> = [[0, 1], [1, 0], [1, 1], [1, -1]]; // (drow, dcol)

/**
 * The four cells of a line through `idx` of the disc there, or null: checked only through the
 * last disc played, since any new four must contain it. With a run longer than four, the four
 * cells starting at the run's lower end.
 */
export function winningLine(board: ArrayLike<number>, idx: number): number[] | null {
  const disc = board[idx];
  if (!disc) return null;
  const row = Math.floor(idx / COLS);
  const col = idx % COLS;
  for (const [dr, dc] of DIRECTIONS) {
    let r = row;
    let c = col;
    // Back to the start of the run, then count forward.
    while (inside(r - dr, c - dc) && board[(r - dr) * COLS + (c - dc)] === disc) {
      r -= dr;
      c -= dc;
    }
    const line: number[] = [];
    while (inside(r, c) && board[r * COLS + c] === disc) {
      line.push(r * COLS + c);
      r += dr;
      c += dc;
    }
    if (line.length >= 4) return line.slice(0, 4);
  }
  return null;
}

function inside(r: number, c: number): boolean {
  return r >= 0 && r < ROWS && c >= 0 && c < COLS;
}

/** Every window of four cells a line can be made in (69 of them): what the bot's heuristic scores. */
export const WINDOWS: ReadonlyArray<readonly [number, number, number, number]> = (() => {
  const w: Array<[number, number, number, number]> = [];
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      for (const [dr, dc] of DIRECTIONS) {
        const er = r + 3 * dr;
        const ec = c + 3 * dc;
        if (!inside(er, ec)) continue;
        w.push([r * COLS + c, (r + dr) * COLS + c + dc, (r + 2 * dr) * COLS + c + 2 * dc, er * COLS + ec]);
      }
    }
  }
  return w;
})();
