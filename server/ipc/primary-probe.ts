// The IPC boundary between the primary and a deploy's pre-flight process (the new build, started
// for the pre-flight and ended with the deploy): the primary hands it rooms' snapshots, it answers
// how the new build reads each one. Declared once for both ends (primary/deploy-probe.ts and
// worker/deploy-probe/main.ts).
import type { RoomSnapshotRow } from './coordinator-ops.js';

/** One room as the new build would restore it. */
export interface DryRunRow {
  room: string;
  slot: number;
  game: string;
  /** The snapshot's version; null when the room has no snapshot yet (it starts fresh, as today). */
  from: number | null;
  /** The new build's version of the game; null when the new build does not run it. */
  to: number | null;
  /** `same`: read as is; `migrated`: migrate ran and returned; `fresh`: no snapshot; `refused`. */
  result: 'same' | 'migrated' | 'fresh' | 'refused';
  reason?: string;
}

/** A game of the new build: its name and snapshot version. */
export interface ProbeGame { name: string; version: number }

export type PrimaryToProbe = { t: 'probe.check'; id: number; rooms: RoomSnapshotRow[] };

export type ProbeToPrimary =
  /** The new build loaded its games. */
  | { t: 'probe.ready'; games: ProbeGame[] }
  | { t: 'probe.result'; id: number; rows: DryRunRow[] }
  /** The new build cannot start (its games do not load): the deploy stops before any worker. */
  | { t: 'probe.failed'; message: string };
