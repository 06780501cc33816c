// Sweeping in-process (server/coordinator/directory/sweeper.ts): a room made for a player whose
// session never came to be (the store refused it) is removed, durably, once old enough; rooms that
// ran (a snapshot), hold a seat or a promised seat are left alone.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { codeOf, openDirectory, seated, type Harness } from './directory-harness.js';

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
  h = await openDirectory(['--room-capacity', '2']);
  h.dir.workerJoined(0);
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
});

/** A room made durably whose player's session the store then refused: no seat in it. */
function strandedRoom(id: string): void {
  h.store.failAppends = 0;
  const before = h.dir.rooms().length;
  // The room's change goes through; the session's (the next append) fails like a full disk.
  const append = h.store.append.bind(h.store);
  let n = 0;
  h.store.append = (c) => {
    if (++n === 2) h.store.failAppends = 1;
    append(c);
  };
  expect(codeOf(() => h.dir.join({ slot: 0, name: 'ghost', room: id }))).toBe('ENOSPC');
  h.store.append = append;
  expect(h.dir.rooms().length).toBe(before + 1);
}

describe('Sweeper', () => {
  it('removes an unused room only once it is older than the limit, and durably', async () => {
    strandedRoom('empty');
    expect(h.dir.rooms()).toEqual([{ id: 'empty', game: 'arena', players: 0, capacity: 2, slot: 0 }]);
    expect(h.dir.sweepUnused(60_000)).toBe(0);
    vi.setSystemTime(Date.now() + 59_999);
    expect(h.dir.sweepUnused(60_000)).toBe(0);
    vi.setSystemTime(Date.now() + 1);
    expect(h.dir.sweepUnused(60_000)).toBe(1);
    expect(h.dir.rooms()).toEqual([]);
    expect((await h.stored()).rooms).toEqual([]);
    expect(h.dir.sweepUnused(60_000)).toBe(0);
  });

  it('leaves rooms that ran, that hold a seat, or that hold a promised seat', () => {
    strandedRoom('promised');
    strandedRoom('ran');
    h.dir.snapshot([['ran', { coins: 3 }]]);
    seated(h.dir.join({ slot: 0, name: 'a', room: 'held' }));
    seated(h.dir.join({ slot: 0, name: 'b', room: 'held' }));
    vi.setSystemTime(Date.now() + 50_001); // at the sweep below it is 60 s old: only the promise keeps it
    // A routed player's seat is promised in 'promised' (as empty as 'ran', and older).
    expect(h.dir.route({}).room).toBe('promised');
    vi.setSystemTime(Date.now() + 9_999);
    expect(h.dir.sweepUnused(60_000)).toBe(0);
    expect(h.dir.rooms().map((r) => r.id).sort()).toEqual(['held', 'promised', 'ran']);
    // Once the promise lapses, only the unused room goes.
    vi.setSystemTime(Date.now() + 1);
    expect(h.dir.sweepUnused(60_000)).toBe(1);
    expect(h.dir.rooms().map((r) => r.id).sort()).toEqual(['held', 'ran']);
  });
});
