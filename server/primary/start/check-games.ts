// Start step: every registered game's declared client messages compile, checked once in the primary
// before any other process starts, so a bad declaration (a core type redeclared, say) stops the
// server with one clear line instead of every worker failing at start and being restarted in turn.
import { CodedError } from '../../../shared/errors/coded-error.js';
import { compileGameMessages } from '../../../shared/protocol/game-messages.js';
import type { GameMessages } from '../../game-api/index.js';

/** Null when every declaration compiles; else the line saying which game, which type and why. */
export function gameDeclarationProblem(games: Iterable<{ name: string; messages?: GameMessages }>, stringMax: number): string | null {
  try {
    for (const g of games) if (g.messages) compileGameMessages(g.name, g.messages, { stringMax });
    return null;
  } catch (e) {
    if (e instanceof CodedError && e.code === 'BAD_GAME_MESSAGES') return `${e.code}: ${e.message}`;
    throw e;
  }
}
