// The game registry (server/games/index.ts): the one place that names the games a server runs.
// It takes the games a server is given (the built-in ones for `npm start`, an author's through
// createServer or --games); a worker gets every game with settings read from the server's, the
// welcome's field included; the coordinator gets the world values games report; a bad or shared
// game name is refused with a code before anything starts; an unknown name is a coded error.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Game, RoomContext, World } from '../../../server/game-api/index.js';
import { testConfig } from '../worker/fakes.js';

type Registry = typeof import('../../../server/games/index.js');
type GameApi = typeof import('../../../server/game-api/index.js');
let reg: Registry;
let api: GameApi;
beforeEach(async () => {
  // The registry is per process: each test gets a fresh one.
  vi.resetModules();
  reg = await import('../../../server/games/index.js');
  api = await import('../../../server/game-api/index.js');
});

const ctx = {
  id: 'r', game: 'arena', hz: 20, world: {} as World, broadcast: () => {}, send: () => {}, scoreChanged: () => {},
} as unknown as RoomContext;

/** A game that keeps the settings it was made with in its snapshot. */
function keeper(name: string): Game<unknown> {
  return {
    name,
    create: (_ctx, settings) => ({ size: 0, join() {}, leave() {}, setFrozen() {}, message() {}, snapshot: () => ({ settings }) }),
  };
}

describe('game registry', () => {
  it('hosts the built-in arena with its settings read from the server settings', () => {
    reg.registerGames(reg.builtInGames);
    const config = testConfig({ worldWidth: 1234, worldHeight: 567, coins: 3 });
    const g = reg.hostGame(config);
    expect(g.name).toBe(reg.DEFAULT_GAME);
    expect(g.field).toEqual({ w: 1234, h: 567 });
    const room = g.create(ctx) as unknown as { snapshot(): { coins: unknown[] } };
    expect(room.snapshot().coins).toHaveLength(3);
    expect(reg.gameNames()).toEqual(['arena']);
  });

  it('lists the world values the games report, with the one /health shows', () => {
    reg.registerGames(reg.builtInGames);
    const r = reg.reportedValues();
    expect(r.map((v) => v.stat)).toEqual(['coinsTaken', 'goldenSpawned', 'goldenPeriod']);
    expect(r.filter((v) => v.health).map((v) => v.key)).toEqual(['arena.coinsTaken']);
  });

  it('hosts every registered game, each with the server\'s hz and room capacity unless it chooses its own', () => {
    reg.registerGames([...reg.builtInGames, { ...keeper('duel'), seats: 2, hz: 0 }]);
    const all = reg.hostGames(testConfig({ hz: 30, roomCapacity: 12 }));
    expect([...all.keys()]).toEqual(['arena', 'duel']);
    const a = all.get('arena')!;
    expect([a.hz, a.seats, a.capacity, a.version]).toEqual([30, 12, 12, 1]);
    const d = all.get('duel')!;
    expect([d.hz, d.seats, d.capacity, d.field]).toEqual([0, 2, 2, undefined]);
  });

  it('runs the games it is given beside the built-in ones, each with its own settings', () => {
    reg.registerGames([
      ...reg.builtInGames,
      keeper('plain'),
      api.withSettings(keeper('fixed'), { rounds: 3 }),
      api.withSettings(keeper('from-server'), (s) => ({ coins: s.coins })),
    ]);
    expect(reg.gameNames()).toEqual(['arena', 'plain', 'fixed', 'from-server']);
    const snap = (name: string) => reg.hostGame(testConfig({ coins: 7 }), name).create(ctx).snapshot();
    expect(snap('plain')).toEqual({ settings: undefined });
    expect(snap('fixed')).toEqual({ settings: { rounds: 3 } });
    expect(snap('from-server')).toEqual({ settings: { coins: 7 } });
  });

  it('refuses two games of one name, a name off the protocol pattern, and a second registration, with BAD_GAME', () => {
    expect(() => reg.registerGames([keeper('dice'), keeper('dice')])).toThrow(expect.objectContaining({ code: 'BAD_GAME', message: 'two games are named "dice"; each game needs its own name' }));
    expect(() => reg.registerGames([...reg.builtInGames, keeper('arena')])).toThrow(expect.objectContaining({ code: 'BAD_GAME' }));
    for (const bad of ['Dice', '', 'a'.repeat(33), 'dice duel']) {
      expect(() => reg.registerGames([keeper(bad)])).toThrow(expect.objectContaining({ code: 'BAD_GAME' }));
    }
    // Nothing was registered by a refused list.
    expect(reg.gameNames()).toEqual([]);
    reg.registerGames([keeper('dice')]);
    expect(() => reg.registerGames([keeper('other')])).toThrow(expect.objectContaining({ code: 'BAD_GAME' }));
    expect(reg.gameNames()).toEqual(['dice']);
  });

  it('refuses a game nobody registered, with a code', () => {
    reg.registerGames(reg.builtInGames);
    expect(() => reg.hostGame(testConfig(), 'chess')).toThrow(expect.objectContaining({ code: 'UNKNOWN_GAME' }));
  });
});
