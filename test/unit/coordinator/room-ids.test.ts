// Room ids the coordinator makes up are named for the game the request says the room will play
// (`arena-…` today), so the coordinator itself knows no game: both the primary's route (a new room
// matchmaking makes up) and a worker's join (a room made at once) carry the game's name.
import { describe, expect, it } from 'vitest';
import { Directory } from '../../../server/coordinator/directory/directory.js';
import { emptyState, type StateStore } from '../../../server/coordinator/store/types.js';
import { testConfig } from '../worker/fakes.js';

function directory(): Directory {
  const store: StateStore = {
    open: () => Promise.resolve(emptyState()),
    append: () => {},
    sync: async () => {},
    checkpoint: async () => {},
    close: async () => {},
  };
  const dir = new Directory(emptyState(), store, testConfig());
  dir.workerJoined(0);
  return dir;
}

describe('room ids', () => {
  it('a room matchmaking makes up at routing is named for the game in the request', () => {
    const r = directory().route({ game: 'chess' });
    expect(r.room).toMatch(/^chess-[0-9a-z]+$/);
  });

  it('a room made at a join is named for the game the worker hosts', () => {
    const j = directory().join({ slot: 0, name: 'ann', game: 'go' });
    expect('room' in j && j.room.id).toMatch(/^go-[0-9a-z]+$/);
  });
});
