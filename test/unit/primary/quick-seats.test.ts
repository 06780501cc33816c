// The primary's placement of quick-joins (server/primary/net/quick-seats.ts), from boards as the
// coordinator pushes them: free seats first (fewest first, taken off the copy one by one), then
// a room's worth at a time to the least loaded slot taking rooms; nothing from a stale board or
// on a slot the board does not list (drained) or that is not running.
import { describe, expect, it } from 'vitest';
import { QUICK_BOARD_STALE_MS, QuickSeats } from '../../../server/primary/net/quick-seats.js';

describe('QuickSeats', () => {
  let now = 1_000_000;
  const clock = () => now;
  const none = () => 0;
  const GAMES = new Set(['arena', 'four']);

  it('places nothing before a board, nor from one older than QUICK_BOARD_STALE_MS', () => {
    const q = new QuickSeats(GAMES, clock);
    expect(q.place('arena', [0, 1], none)).toBeUndefined();
    q.update({ slots: [0, 1], seats: 16, games: [] });
    expect(q.place('arena', [0, 1], none)).toBe(0);
    now += QUICK_BOARD_STALE_MS + 1;
    expect(q.place('arena', [0, 1], none)).toBeUndefined();
  });

  it('fills the slot with the fewest free seats of the game first, one seat per placement', () => {
    const q = new QuickSeats(GAMES, clock);
    q.update({ slots: [0, 1], seats: 16, games: [['four', 2, [[0, 3], [1, 1]]], ['arena', 16, [[0, 5]]]] });
    expect(q.place('four', [0, 1], none)).toBe(1);
    expect([1, 2, 3].map(() => q.place('four', [0, 1], none))).toEqual([0, 0, 0]);
    // No free seat left in this copy: a new room's worth goes to the least loaded slot.
    const load = (s: number) => (s === 1 ? 0 : 10);
    expect([1, 2].map(() => q.place('four', [0, 1], load))).toEqual([1, 1]);
    expect(q.place('four', [0, 1], (s) => (s === 0 ? 0 : 10))).toBe(0);
    // A new board starts the copy again.
    q.update({ slots: [0, 1], seats: 16, games: [['four', 2, [[1, 1]]]] });
    expect(q.place('four', [0, 1], none)).toBe(1);
  });

  it('sends a game with no free seat a room of its seats at a time to one slot (the default seats for a game not listed)', () => {
    const q = new QuickSeats(GAMES, clock);
    q.update({ slots: [0, 1], seats: 3, games: [['four', 2, []]] });
    let load = [0, 0];
    const placeMany = (game: string, n: number) => Array.from({ length: n }, () => {
      const s = q.place(game, [0, 1], (x) => load[x]!)!;
      load[s]!++;
      return s;
    });
    expect(placeMany('four', 4)).toEqual([0, 0, 1, 1]);
    load = [0, 0];
    expect(placeMany('arena', 6)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('places nothing for a game this server does not run (a hello may name any): the coordinator answers those', () => {
    const q = new QuickSeats(GAMES, clock);
    q.update({ slots: [0, 1], seats: 16, games: [] });
    expect(q.place('nosuch', [0, 1], none)).toBeUndefined();
    expect(q.place('arena', [0, 1], none)).toBe(0);
  });

  it('never places on a slot the board does not list (drained) or that is not running', () => {
    const q = new QuickSeats(GAMES, clock);
    q.update({ slots: [1], seats: 16, games: [['arena', 16, [[0, 5], [1, 2]]]] });
    expect(q.place('arena', [0, 1], none)).toBe(1);
    expect(q.place('arena', [0], none)).toBeUndefined();
    q.update({ slots: [0, 1], seats: 16, games: [['arena', 16, [[0, 5], [1, 2]]]] });
    expect(q.place('arena', [0], none)).toBe(0);
  });
});
