// The computer's move: a depth-limited negamax with alpha-beta pruning over the rules' board, a
// heuristic at the horizon (open windows of two and three, discs in the centre column), centre
// columns tried first so pruning bites early. Pure CPU work with no I/O: it runs on a pool thread
// (bot-task.ts), never on the worker's event loop.
import { COLS, landingRow, WINDOWS, winningLine, type Disc } from './rules.js';

export interface SearchInput {
  /** The board as on the wire: 42 cells, 0 empty, 1 or 2 a disc. */
  board: readonly number[];
  /** The computer's disc. */
  me: Disc;
  /** Plies to look ahead (1: only its own next move). */
  depth: number;
}

/** Centre first: a centre disc takes part in the most lines, and good moves early prune more. */
const ORDER = [3, 2, 4, 1, 5, 0, 6] as const;
const WIN = 1_000_000;
const THREE = 50;
const TWO = 5;
const CENTRE = 4;

/** The column the computer plays, or -1 when the board is full. */
export function bestMove(input: SearchInput): number {
  const b = Uint8Array.from(input.board);
  const me = input.me;
  const opp = (3 - me) as Disc;
  const legal = ORDER.filter((c) => landingRow(b, c) >= 0);
  if (legal.length === 0) return -1;
  // A win in one is taken, and an opponent's win in one blocked, whatever the depth.
  for (const c of legal) if (wins(b, c, me)) return c;
  for (const c of legal) if (wins(b, c, opp)) return c;
  let best = legal[0]!;
  let alpha = -Infinity;
  for (const c of legal) {
    const idx = landingRow(b, c) * COLS + c;
    b[idx] = me;
    const score = -negamax(b, opp, Math.max(0, input.depth - 1), -Infinity, -alpha, 1);
    b[idx] = 0;
    if (score > alpha) {
      alpha = score;
      best = c;
    }
  }
  return best;
}

/** Would `disc` dropped in `c` make four? (The board is left as it was.) */
function wins(b: Uint8Array, c: number, disc: Disc): boolean {
  const idx = landingRow(b, c) * COLS + c;
  b[idx] = disc;
  const won = winningLine(b, idx) !== null;
  b[idx] = 0;
  return won;
}

/** The value of the position for `disc`, to move, looking `depth` plies ahead. */
function negamax(b: Uint8Array, disc: Disc, depth: number, alpha: number, beta: number, ply: number): number {
  if (depth === 0) return evaluate(b, disc);
  let moved = false;
  for (const c of ORDER) {
    const row = landingRow(b, c);
    if (row < 0) continue;
    moved = true;
    const idx = row * COLS + c;
    b[idx] = disc;
    if (winningLine(b, idx)) {
      b[idx] = 0;
      // Sooner wins score higher, so the search takes the quickest and delays a loss longest.
      return WIN - ply;
    }
    const score = -negamax(b, (3 - disc) as Disc, depth - 1, -beta, -alpha, ply + 1);
    b[idx] = 0;
    if (score > alpha) {
      alpha = score;
      if (alpha >= beta) break;
    }
  }
  return moved ? alpha : 0; // a full board is a draw
}

/** The heuristic for `disc`: its open windows minus the opponent's, and its centre discs. */
export function evaluate(b: ArrayLike<number>, disc: Disc): number {
  const opp = 3 - disc;
  let s = 0;
  for (const w of WINDOWS) {
    let mine = 0;
    let theirs = 0;
    for (const i of w) {
      const v = b[i];
      if (v === disc) mine++;
      else if (v === opp) theirs++;
    }
    if (theirs === 0) s += mine === 3 ? THREE : mine === 2 ? TWO : 0;
    else if (mine === 0) s -= theirs === 3 ? THREE : theirs === 2 ? TWO : 0;
  }
  for (let r = 0; r < 6; r++) {
    const v = b[r * COLS + 3];
    if (v === disc) s += CENTRE;
    else if (v === opp) s -= CENTRE;
  }
  return s;
}
