// A room's snapshot as the coordinator keeps it, and how a worker reads one back: the game and
// its snapshot version beside the game's own state, so a newer build of the game can migrate a
// room saved by an older one (a deploy) or refuse it clearly. Snapshots written before versions
// existed are the arena's own state with a `tick` field: they read as arena version 1.
import type { HostedGame } from '../../game-api/index.js';

export interface RoomSnapshot {
  game: string;
  /** The game's snapshot version when it was made. */
  v: number;
  tick: number;
  /** The game's own data (Room.snapshot()). */
  state: unknown;
}

/** A stored snapshot in its envelope, whatever its age. */
export function envelopeOf(raw: unknown): RoomSnapshot | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const o = raw as Record<string, unknown>;
  if (typeof o.game === 'string' && typeof o.v === 'number' && 'state' in o) {
    return { game: o.game, v: o.v, tick: typeof o.tick === 'number' ? o.tick : 0, state: o.state };
  }
  // Shoal 0.1 stored the arena's state itself.
  return { game: 'arena', v: 1, tick: typeof o.tick === 'number' ? o.tick : 0, state: raw };
}

export type ReadSnapshot =
  | { ok: true; state: unknown; tick: number; migratedFrom?: number }
  | { ok: false; reason: string };

/** The snapshot's state in `game`'s current version: migrated when older, refused when newer or when the game refuses. */
export function readSnapshot(game: HostedGame, snap: RoomSnapshot): ReadSnapshot {
  if (snap.game !== game.name) return { ok: false, reason: `snapshot of game ${snap.game}, not ${game.name}` };
  if (snap.v === game.version) return { ok: true, state: snap.state, tick: snap.tick };
  if (snap.v > game.version) {
    return { ok: false, reason: `${game.name} snapshot version ${snap.v} is newer than this build's ${game.version}` };
  }
  try {
    return { ok: true, state: game.migrate(snap.state, snap.v), tick: snap.tick, migratedFrom: snap.v };
  } catch (err) {
    return { ok: false, reason: `${game.name} refused to migrate its snapshot from version ${snap.v} to ${game.version}: ${(err as Error).message}` };
  }
}
