// The leaderboard in-process (server/coordinator/directory/leaderboard.ts): best first, ties by
// key, cut to the limit asked; scores only grow and add up per name; an account's line shows its
// last name; guests are marked under --auth jwt; a sorted board is re-sorted at most every 50 ms.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDirectory, seated, type Harness } from './directory-harness.js';

let h: Harness;
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
  h = await openDirectory();
  h.dir.workerJoined(0);
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
});

const join = (name: string, extra: { account?: string; guest?: boolean } = {}) => seated(h.dir.join({ slot: 0, name, ...extra })).session.id;
const later = () => vi.setSystemTime(Date.now() + 50);

describe('Leaderboard', () => {
  it('orders best first, ties by name, and cuts to the limit', () => {
    const ids = ['dee', 'ann', 'cy', 'bob', 'eve'].map((n) => join(n));
    h.dir.scores([[ids[0]!, 5], [ids[1]!, 9], [ids[2]!, 5], [ids[3]!, 12], [ids[4]!, 1]]);
    later();
    expect(h.dir.leaderboard(10)).toEqual([
      { name: 'bob', score: 12 }, { name: 'ann', score: 9 }, { name: 'cy', score: 5 }, { name: 'dee', score: 5 }, { name: 'eve', score: 1 },
    ]);
    expect(h.dir.leaderboard(2).map((l) => l.name)).toEqual(['bob', 'ann']);
    expect(h.dir.leaderboard(0)).toEqual([]);
  });

  it('scores only grow, and two sessions under one name add up', () => {
    const a = join('ann');
    const b = join('ann');
    h.dir.scores([[a, 4]]);
    h.dir.scores([[a, 3]]); // stale: ignored
    h.dir.scores([[b, 2], ['nobody', 99]]);
    later();
    expect(h.dir.top(10)).toEqual([['ann', 6]]);
  });

  it('shows an account under the name it last played under; marks guests under --auth jwt', () => {
    h.config.auth = 'jwt';
    const a = join('Ann', { account: 'acct-1' });
    const g = join('gus', { guest: true });
    h.dir.scores([[a, 3], [g, 2]]);
    const a2 = join('Annie', { account: 'acct-1' });
    h.dir.scores([[a2, 4]]);
    later();
    expect(h.dir.leaderboard(10)).toEqual([
      { name: 'Annie', score: 7, account: 'acct-1' },
      { name: 'gus', score: 2, guest: true },
    ]);
  });

  it('serves a board up to 50 ms old under a stream of changes, then the new order', () => {
    const a = join('ann');
    const b = join('bob');
    h.dir.scores([[a, 2], [b, 1]]);
    later();
    expect(h.dir.top(1)).toEqual([['ann', 2]]);
    h.dir.scores([[b, 5]]);
    vi.setSystemTime(Date.now() + 49);
    expect(h.dir.top(1)).toEqual([['ann', 2]]);
    vi.setSystemTime(Date.now() + 1);
    expect(h.dir.top(1)).toEqual([['bob', 5]]);
  });

  it('comes back the same after a coordinator restart', async () => {
    const a = join('ann');
    const b = join('bob');
    h.dir.scores([[a, 2], [b, 3]]);
    const dir = await h.reopen();
    expect(dir.top(10)).toEqual([['bob', 3], ['ann', 2]]);
  });
});
