// Which games' room sizes a worker tells the coordinator (server/game-api/game.ts `sizedByServer`):
// a game that chooses seats or capacity has its own; one that chooses neither, the arena, is sized
// by the server's roomCapacity, which the coordinator keeps (and `set roomCapacity` changes live).
import { describe, expect, it } from 'vitest';
import { hosted, type Game } from '../../../server/game-api/index.js';
import { hostGames } from '../../../server/games/index.js';
import { testConfig } from '../worker/fakes.js';

const defaults = { hz: 20, roomCapacity: 16 };
const game = (extra: Partial<Game<object>>): Game<object> => ({ name: 'x', create: () => { throw new Error('never made'); }, ...extra });

describe('room sizes a game declares', () => {
  it('the arena chooses none: sized by roomCapacity', () => {
    expect(hostGames(testConfig({ roomCapacity: 12 })).get('arena')!.sizedByServer).toBe(true);
  });

  it('a game choosing seats, capacity or both has its own sizes', () => {
    expect(hosted(game({}), {}, defaults)).toMatchObject({ sizedByServer: true, seats: 16, capacity: 16 });
    expect(hosted(game({ seats: 2, capacity: 10 }), {}, defaults)).toMatchObject({ sizedByServer: false, seats: 2, capacity: 10 });
    expect(hosted(game({ seats: 2 }), {}, defaults)).toMatchObject({ sizedByServer: false, seats: 2, capacity: 2 });
    expect(hosted(game({ capacity: 8 }), {}, defaults)).toMatchObject({ sizedByServer: false, seats: 16, capacity: 16 });
  });
});
