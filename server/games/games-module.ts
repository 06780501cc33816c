// The `--games MODULE` setting: an ES module of games run beside the ones the server's script
// gives, so `npx shoal --games ./dist/my-games.js` runs an author's games with no script of its
// own. Every process loads it (the primary to check it at start, the workers and the coordinator
// to host what it holds); what is wrong with it is one coded line, so the start can refuse clearly.
import { pathToFileURL } from 'node:url';
import { CodedError } from '../../shared/errors/coded-error.js';
import type { GameEntry } from '../game-api/index.js';

const SHAPE = 'its default export (or a `games` export) must be an array of games';

/** The games a --games module exports; [] when no module is set. Throws BAD_GAMES_MODULE. */
export async function loadGamesModule(file: string): Promise<GameEntry[]> {
  if (!file) return [];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    // A syntax error's message carries a code frame: the first line says what is wrong.
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new CodedError('BAD_GAMES_MODULE', `--games ${file}: cannot be loaded: ${why}`);
  }
  const games = Array.isArray(mod.default) ? mod.default : mod.games;
  if (!Array.isArray(games) || games.length === 0) {
    throw new CodedError('BAD_GAMES_MODULE', `--games ${file}: holds no games; ${SHAPE}`);
  }
  for (const [i, g] of games.entries()) {
    if (!isGameEntry(g)) throw new CodedError('BAD_GAMES_MODULE', `--games ${file}: item ${i} is not a game (an object with a name and create); ${SHAPE}`);
  }
  return games as GameEntry[];
}

/** A game (name and create), or a game with its settings (`withSettings`). */
function isGameEntry(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const g = 'game' in v && 'settings' in v ? v.game : v;
  return typeof g === 'object' && g !== null && 'name' in g && typeof g.name === 'string' && 'create' in g && typeof g.create === 'function';
}
