// The primary's start step for games' declared messages: every registered game's declarations
// compile (so the server starts), and a declaration the server refuses gives the one line the
// primary prints before exiting with code 2 (here with made-up games, never registered).
import { describe, expect, it } from 'vitest';
import { Type, type GameMessages } from '../../../server/game-api/index.js';
import { hostGames } from '../../../server/games/index.js';
import { testConfig } from '../worker/fakes.js';
import { gameDeclarationProblem } from '../../../server/primary/start/check-games.js';

describe('gameDeclarationProblem', () => {
  it('finds none in the registered games', () => {
    expect(gameDeclarationProblem(hostGames(testConfig()).values(), 1024)).toBe(null);
  });

  it('names the game, the type and the reason of the first declaration refused', () => {
    const games: Array<{ name: string; messages?: GameMessages }> = [
      { name: 'fine', messages: { drop: Type.Object({ col: Type.Integer() }) } },
      { name: 'sneaky', messages: { move: Type.Object({}), ping: Type.Object({ id: Type.String() }) } },
    ];
    expect(gameDeclarationProblem(games, 1024)).toBe(
      'BAD_GAME_MESSAGES: game "sneaky": message type "ping" is a core type (hello, input, chat, ping, top, leave); a game may not declare it',
    );
    expect(gameDeclarationProblem([{ name: 'none' }, games[0]!], 1024)).toBe(null);
  });
});
