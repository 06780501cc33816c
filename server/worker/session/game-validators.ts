// The declared client messages of every game this worker hosts, compiled once when the worker
// starts (never per room or per message), and handed to each session when it joins a room of that
// game: the session checks a game's messages at the edge with them. A game without declarations
// has none, and its sessions accept core types only.
import { compileGameMessages, type GameMessageSet } from '../../../shared/protocol/game-messages.js';
import type { GameMessageChecker } from '../../../shared/protocol/validate.js';
import type { GameMessages } from '../../game-api/index.js';

/** What the worker knows of a game here: its name and its declarations. */
export interface DeclaringGame {
  readonly name: string;
  readonly messages?: GameMessages;
}

export class GameValidators {
  private readonly byGame = new Map<string, GameMessageSet>();

  /** Throws BAD_GAME_MESSAGES (naming the game and the type) on a declaration the server refuses. */
  constructor(games: Iterable<DeclaringGame>, stringMax: number) {
    for (const g of games) {
      if (g.messages === undefined || Object.keys(g.messages).length === 0) continue;
      this.byGame.set(g.name, compileGameMessages(g.name, g.messages, { stringMax }));
    }
  }

  /** The game's compiled messages; undefined for a game that declares none (or an unknown name). */
  validatorFor(game: string): GameMessageChecker | undefined {
    return this.byGame.get(game);
  }
}
