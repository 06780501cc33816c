// The cluster IPC boundary between the primary and the coordinator process (the coordinator's
// ops go over its own channel, coordinator-ops.ts): liveness, readiness and stop. Declared once,
// imported by both ends.
import type { AlivePing, AlivePong } from './primary-worker.js';

/** The coordinator cannot load its data (it exits with EXIT_STORE_DAMAGED right after). */
export interface CannotLoadMessage {
  t: 'coordinator.cannotLoad';
  message: string;
  /** Why: STORE_DAMAGED (absent: the same), or STORE_UNREACHABLE (--store redis://... not reachable at start). */
  code?: 'STORE_DAMAGED' | 'STORE_UNREACHABLE';
}

/**
 * The store started or stopped taking writes (a full disk, Redis away or back): the primary's
 * readiness, pushed to the workers for /health and /ready, changes at once rather than at its next
 * poll of the coordinator.
 */
export interface StoreHealthMessage {
  t: 'coordinator.store';
  ok: boolean;
  reason?: string;
}

/** Everything the primary sends the coordinator. */
export type PrimaryToCoordinator = AlivePing | { t: 'coordinator.stop' };

/** Everything the coordinator sends the primary. */
export type CoordinatorToPrimary = AlivePong | { t: 'coordinator.ready' } | CannotLoadMessage | StoreHealthMessage;
