// A room's snapshot carries its game and version, so a newer build of the game migrates a room
// an older build saved (a deploy) or refuses it with a reason; 0.1's bare arena state reads as
// arena version 1.
import { describe, expect, it } from 'vitest';
import { envelopeOf, readSnapshot } from '../../../server/worker/rooms/room-snapshot.js';
import { recordingGame } from './fakes.js';

function gameAt(version: number, migrate: (s: unknown, from: number) => unknown = (s) => s) {
  return { ...recordingGame(), name: 'dice', version, migrate };
}

describe('room snapshots', () => {
  it('reads a 0.1 arena snapshot (the state itself, with its tick) as arena version 1', () => {
    const raw = { tick: 42, nextCoin: 3, players: [], coins: [] };
    expect(envelopeOf(raw)).toEqual({ game: 'arena', v: 1, tick: 42, state: raw });
    expect(envelopeOf({ game: 'dice', v: 2, tick: 7, state: { a: 1 } })).toEqual({ game: 'dice', v: 2, tick: 7, state: { a: 1 } });
    expect(envelopeOf(undefined)).toBeUndefined();
  });

  it('gives the state of the same version as it is', () => {
    expect(readSnapshot(gameAt(2), { game: 'dice', v: 2, tick: 5, state: { a: 1 } })).toEqual({ ok: true, state: { a: 1 }, tick: 5 });
  });

  it('migrates an older version with the game\'s step, and says from which', () => {
    const calls: number[] = [];
    const g = gameAt(3, (s, from) => (calls.push(from), { ...(s as object), migrated: true }));
    expect(readSnapshot(g, { game: 'dice', v: 1, tick: 9, state: { a: 1 } })).toEqual({ ok: true, state: { a: 1, migrated: true }, tick: 9, migratedFrom: 1 });
    expect(calls).toEqual([1]);
  });

  it('refuses a newer version, another game\'s snapshot, and a migration the game refuses — each with a reason', () => {
    const newer = readSnapshot(gameAt(1), { game: 'dice', v: 2, tick: 0, state: {} });
    expect(newer).toEqual({ ok: false, reason: 'dice snapshot version 2 is newer than this build\'s 1' });
    const other = readSnapshot(gameAt(1), { game: 'arena', v: 1, tick: 0, state: {} });
    expect(other).toEqual({ ok: false, reason: 'snapshot of game arena, not dice' });
    const refused = readSnapshot(gameAt(2, () => {
      throw new Error('boards of version 1 had no rematch flag');
    }), { game: 'dice', v: 1, tick: 0, state: {} });
    expect(refused).toEqual({ ok: false, reason: 'dice refused to migrate its snapshot from version 1 to 2: boards of version 1 had no rematch flag' });
  });
});
