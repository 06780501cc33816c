// Four in a row's rules and the computer's search, driven directly: where a disc lands, a full
// column, four in a row found in every direction (and only through the last disc), a full board,
// and the search taking a win in one, blocking a win in one, and stopping an open three.
import { describe, expect, it } from 'vitest';
import { COLS, emptyBoard, isFull, landingRow, legalColumns, WINDOWS, winningLine, type Board } from '../../../server/games/four/rules.js';
import { bestMove } from '../../../server/games/four/search.js';
import { bestMove as taskBestMove } from '../../../server/games/four/bot-task.js';

/** A board from rows written top row first ('.' empty, 'x' disc 1, 'o' disc 2), as one reads it. */
function parse(rows: string[]): Board {
  const b = emptyBoard();
  const bottomUp = [...rows].reverse();
  bottomUp.forEach((line, r) => [...line].forEach((ch, c) => (b[r * COLS + c] = ch === 'x' ? 1 : ch === 'o' ? 2 : 0)));
  return b;
}
const at = (row: number, col: number) => row * COLS + col;

describe('four in a row rules', () => {
  it('drops a disc to the lowest empty row; a full column takes none', () => {
    const b = emptyBoard();
    expect(landingRow(b, 3)).toBe(0);
    for (let r = 0; r < 6; r++) {
      expect(landingRow(b, 3)).toBe(r);
      b[at(r, 3)] = 1;
    }
    expect(landingRow(b, 3)).toBe(-1);
    expect(legalColumns(b)).toEqual([0, 1, 2, 4, 5, 6]);
  });

  it('finds four horizontally, vertically and on both diagonals, through the last disc, with the line', () => {
    const horiz = parse(['.......', '.......', '.......', '.......', '.......', '.xxxx..']);
    expect(winningLine(horiz, at(0, 3))).toEqual([at(0, 1), at(0, 2), at(0, 3), at(0, 4)]);
    const vert = parse(['.......', '.......', '..o....', '..o....', '..o....', '..o....']);
    expect(winningLine(vert, at(3, 2))).toEqual([at(0, 2), at(1, 2), at(2, 2), at(3, 2)]);
    const up = parse(['.......', '.......', '...x...', '..xo...', '.xoo...', 'xooo...']);
    expect(winningLine(up, at(2, 2))).toEqual([at(0, 0), at(1, 1), at(2, 2), at(3, 3)]);
    const down = parse(['.......', '.......', 'o......', 'xo.....', 'xxo....', 'xxxo...']);
    expect(winningLine(down, at(0, 3))).toEqual([at(0, 3), at(1, 2), at(2, 1), at(3, 0)]);
    // Three is not four; a gap breaks a line; another colour breaks a line.
    expect(winningLine(parse(['.......', '.......', '.......', '.......', '.......', '.xxx.x.']), at(0, 3))).toBeNull();
    expect(winningLine(parse(['.......', '.......', '.......', '.......', '.......', 'xxxox..']), at(0, 4))).toBeNull();
    // An empty cell is nobody's line.
    expect(winningLine(emptyBoard(), 0)).toBeNull();
  });

  it('a run of five reports the four from its lower end', () => {
    const b = parse(['.......', '.......', '.......', '.......', '.......', 'xxxxx..']);
    expect(winningLine(b, at(0, 4))).toEqual([0, 1, 2, 3]);
  });

  it('a full board is full; one empty top cell is not', () => {
    const b = emptyBoard().map((_, i) => ((i + Math.floor(i / COLS)) % 2 ? 1 : 2)) as Board;
    expect(isFull(b)).toBe(true);
    b[41] = 0;
    expect(isFull(b)).toBe(false);
    expect(legalColumns(b)).toEqual([6]);
  });

  it('there are 69 windows of four', () => {
    expect(WINDOWS.length).toBe(69);
  });
});

describe('the computer (search)', () => {
  it('takes a win in one (over blocking one)', () => {
    // o (the computer, disc 2) has three up column 6; x has three on the bottom row.
    const b = parse(['.......', '.......', '.......', '......o', '......o', 'xxx...o']);
    b[at(1, 0)] = 1; // counts even: x 4, o 3, o to move
    expect(bestMove({ board: b, me: 2, depth: 6 })).toBe(6);
  });

  it("blocks the opponent's win in one", () => {
    const b = parse(['.......', '.......', '.......', '.......', '.......', 'oxxx.o.']);
    expect(bestMove({ board: b, me: 2, depth: 6 })).toBe(4);
    const diag = parse(['.......', '.......', '.......', '..xo...', '.xoo...', 'xooxx..']);
    // x threatens (3,3) through (0,0),(1,1),(2,2); (3,3) is playable (col 3 has 3 discs).
    expect(bestMove({ board: diag, me: 2, depth: 6 })).toBe(3);
  });

  it('stops an open three: x on the bottom row at 2 and 3 would make _xxx_ next; the computer takes 1 or 4', () => {
    const b = parse(['.......', '.......', '.......', '.......', '..o....', '..xx...']);
    for (const depth of [4, 6]) expect([1, 4]).toContain(bestMove({ board: b, me: 2, depth }));
    // At depth 1 it cannot see the threat: the search is what blocks it, not a rule.
    expect([1, 4]).not.toContain(bestMove({ board: b, me: 2, depth: 1 }));
  });

  it('answers -1 on a full board, and the pool task gives the same answer as the search', () => {
    const full = emptyBoard().map((_, i) => ((i + Math.floor(i / COLS)) % 2 ? 1 : 2));
    expect(bestMove({ board: full, me: 1, depth: 6 })).toBe(-1);
    const b = parse(['.......', '.......', '.......', '.......', '.......', 'oxxx.o.']);
    expect(taskBestMove({ board: b, me: 2, depth: 6 })).toBe(4);
  });
});
