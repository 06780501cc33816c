// What survives a reload. The resume token lives in sessionStorage (per tab, gone when the tab
// closes), so a reload resumes the same player while a second tab is a second player. The name
// and the game picked on the lobby are preferences and live in localStorage. Storage may be unavailable (privacy modes): then
// nothing is remembered and nothing breaks.

/**
 * `game`: the room's game (absent in a session saved before games had names: the arena).
 * `address`: the host (HOST:PORT) it played on when a REDIRECT sent it away from the page's own.
 */
export interface SavedSession { token: string; room: string; name: string; game?: string; address?: string }

const KEY = 'shoal.session';
const NAME_KEY = 'shoal.name';
const GAME_KEY = 'shoal.game';

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export function loadSession(): SavedSession | null {
  return safe(() => {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<SavedSession>;
    if (typeof s.token !== 'string' || typeof s.room !== 'string' || typeof s.name !== 'string') return null;
    return {
      token: s.token, room: s.room, name: s.name,
      ...(typeof s.game === 'string' ? { game: s.game } : {}),
      ...(typeof s.address === 'string' ? { address: s.address } : {}),
    };
  }, null);
}

export function saveSession(s: SavedSession): void {
  safe(() => sessionStorage.setItem(KEY, JSON.stringify(s)), undefined);
}

export function clearSession(): void {
  safe(() => sessionStorage.removeItem(KEY), undefined);
}

export function loadName(): string | null {
  return safe(() => localStorage.getItem(NAME_KEY), null);
}

export function saveName(name: string): void {
  safe(() => localStorage.setItem(NAME_KEY, name), undefined);
}

export function loadGame(): string | null {
  return safe(() => localStorage.getItem(GAME_KEY), null);
}

export function saveGame(game: string): void {
  safe(() => localStorage.setItem(GAME_KEY, game), undefined);
}
