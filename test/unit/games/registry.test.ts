// The game registry (server/games/index.ts): the one place that names the games a server runs.
// A worker gets its game with settings read from the server's, the welcome's field included; the
// coordinator gets the world values games report; an unknown name is a coded error.
import { describe, expect, it } from 'vitest';
import { DEFAULT_GAME, gameNames, hostGame, hostGames, registerGame, reportedValues } from '../../../server/games/index.js';
import type { RoomContext, World } from '../../../server/game-api/index.js';
import { testConfig } from '../worker/fakes.js';

describe('game registry', () => {
  it('hosts the default game with its settings read from the server settings', () => {
    const config = testConfig({ worldWidth: 1234, worldHeight: 567, coins: 3 });
    const g = hostGame(config);
    expect(g.name).toBe(DEFAULT_GAME);
    expect(g.field).toEqual({ w: 1234, h: 567 });
    const ctx = {
      id: 'r', game: 'arena', hz: 20, world: {} as World, broadcast: () => {}, send: () => {}, scoreChanged: () => {},
    } as unknown as RoomContext;
    const room = g.create(ctx) as unknown as { snapshot(): { coins: unknown[] } };
    expect(room.snapshot().coins).toHaveLength(3);
  });

  it('lists the world values the games report, with the one /health shows', () => {
    const r = reportedValues();
    expect(r.map((v) => v.stat)).toEqual(['coinsTaken', 'goldenSpawned', 'goldenPeriod', 'fourGames']);
    expect(r.filter((v) => v.health).map((v) => v.key)).toEqual(['arena.coinsTaken']);
  });

  it('refuses a game nobody registered, with a code', () => {
    expect(() => hostGame(testConfig(), 'chess')).toThrow(expect.objectContaining({ code: 'UNKNOWN_GAME' }));
  });

  it('hosts every registered game, each with the server\'s hz and room capacity unless it chooses its own', () => {
    const config = testConfig({ hz: 30, roomCapacity: 12 });
    const all = hostGames(config);
    expect([...all.keys()]).toEqual(gameNames());
    const a = all.get('arena')!;
    expect([a.hz, a.seats, a.capacity, a.version]).toEqual([30, 12, 12, 1]);
    // Four in a row chooses its own: two seats, spectators by room id, no tick.
    const f = hostGames(testConfig({ hz: 30, roomCapacity: 12, fourSpectators: 5 })).get('four')!;
    expect([f.hz, f.seats, f.capacity, f.version]).toEqual([0, 2, 7, 1]);
    expect(Object.keys(f.messages).sort()).toEqual(['computer', 'move', 'rematch']);
  });

  it('refuses a second game of a taken name, and a name that is not [a-z0-9-]{1,32}', () => {
    const g = { name: 'arena', create: () => { throw new Error('never made'); } };
    expect(() => registerGame(g, () => ({}))).toThrow(expect.objectContaining({ code: 'BAD_GAME', message: 'two games are named "arena"' }));
    expect(() => registerGame({ ...g, name: 'Four In A Row' }, () => ({}))).toThrow(expect.objectContaining({ code: 'BAD_GAME' }));
    expect(gameNames()).not.toContain('Four In A Row');
  });
});
