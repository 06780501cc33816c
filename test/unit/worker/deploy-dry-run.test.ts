// A deploy's pre-flight reads every room's snapshot as a worker of the new build will (dry-run.ts):
// the same version as it is, an older one through the game's migrate, a room with no snapshot yet
// fresh; and it refuses, with the reason, a newer snapshot, a migrate that throws, a game the new
// build does not run. It never changes the snapshot it reads.
import { describe, expect, it } from 'vitest';
import { dryRun } from '../../../server/worker/deploy-probe/dry-run.js';
import type { HostedGame } from '../../../server/game-api/index.js';
import { recordingGame } from './fakes.js';

function game(name: string, version: number, migrate: (s: unknown, from: number) => unknown): HostedGame {
  return { ...recordingGame(), name, version, migrate };
}

const env = (game: string, v: number, state: unknown) => ({ game, v, tick: 3, state });

describe('deploy pre-flight: dry run of the rooms snapshots', () => {
  const hits = game('hits', 2, (s, from) => {
    if (from !== 1) throw new Error(`cannot read ${from}`);
    return { scores: Object.entries((s as { counts: Record<string, number> }).counts).map(([id, points]) => ({ id, points })) };
  });
  const games = new Map([['hits', hits], ['arena', game('arena', 1, (s) => s)]]);

  it('reads the same version as it is, migrates an older one, and starts a room with no snapshot fresh', () => {
    const v1 = env('hits', 1, { counts: { p1: 4 } });
    const rows = dryRun(games, [
      { id: 'a', slot: 0, game: 'hits', snapshot: env('hits', 2, { scores: [] }) },
      { id: 'b', slot: 1, game: 'hits', snapshot: v1 },
      { id: 'c', slot: 1, game: 'hits' },
      // A 0.1 record: no game, the arena's bare state.
      { id: 'd', slot: 0, snapshot: { tick: 9, players: [], coins: [] } },
    ], 'arena');
    expect(rows).toEqual([
      { room: 'a', slot: 0, game: 'hits', from: 2, to: 2, result: 'same' },
      { room: 'b', slot: 1, game: 'hits', from: 1, to: 2, result: 'migrated' },
      { room: 'c', slot: 1, game: 'hits', from: null, to: 2, result: 'fresh' },
      { room: 'd', slot: 0, game: 'arena', from: 1, to: 1, result: 'same' },
    ]);
    expect(v1.state).toEqual({ counts: { p1: 4 } });
  });

  it('refuses a newer snapshot, a migrate that throws and a game the new build does not run, each with its reason', () => {
    const rows = dryRun(games, [
      { id: 'new', slot: 0, game: 'hits', snapshot: env('hits', 3, {}) },
      { id: 'old', slot: 0, game: 'hits', snapshot: env('hits', 0, {}) },
      { id: 'gone', slot: 1, game: 'four', snapshot: env('four', 1, {}) },
    ], 'arena');
    expect(rows.map((r) => [r.room, r.result, r.from, r.to])).toEqual([['new', 'refused', 3, 2], ['old', 'refused', 0, 2], ['gone', 'refused', 1, null]]);
    expect(rows[0]!.reason).toBe('hits snapshot version 3 is newer than this build\'s 2');
    expect(rows[1]!.reason).toBe('hits refused to migrate its snapshot from version 0 to 2: cannot read 0');
    expect(rows[2]!.reason).toBe('the new build runs no game named "four" (it runs hits, arena)');
  });
});
