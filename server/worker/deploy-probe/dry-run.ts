// A deploy's pre-flight, in a process running the new build: every room's last snapshot is read
// the way a replacement worker will read it (room-snapshot.ts: migrated when older, refused when
// newer or when the game refuses), before any worker is replaced. A room this build cannot read —
// its game gone, a newer snapshot, a migrate that throws — is the reason the deploy stops with the
// old code kept, named per room. Nothing here changes a snapshot or a room.
import type { HostedGame } from '../../game-api/index.js';
import type { RoomSnapshotRow } from '../../ipc/coordinator-ops.js';
import type { DryRunRow } from '../../ipc/primary-probe.js';
import { envelopeOf, readSnapshot } from '../rooms/room-snapshot.js';

/**
 * Reads each room's snapshot with the new build's games. `defaultGame` names the game of a room
 * record written before rooms carried one.
 */
export function dryRun(games: ReadonlyMap<string, HostedGame>, rooms: readonly RoomSnapshotRow[], defaultGame: string): DryRunRow[] {
  return rooms.map((r) => {
    const env = r.snapshot === undefined ? undefined : envelopeOf(r.snapshot);
    const name = r.game ?? env?.game ?? defaultGame;
    const game = games.get(name);
    const from = env?.v ?? null;
    const base = { room: r.id, slot: r.slot, game: name, from };
    if (!game) return { ...base, to: null, result: 'refused', reason: `the new build runs no game named ${JSON.stringify(name)} (it runs ${[...games.keys()].join(', ')})` };
    if (!env) return { ...base, to: game.version, result: 'fresh' };
    const read = readSnapshot(game, env);
    if (!read.ok) return { ...base, to: game.version, result: 'refused', reason: read.reason };
    return { ...base, to: game.version, result: read.migratedFrom === undefined ? 'same' : 'migrated' };
  });
}
