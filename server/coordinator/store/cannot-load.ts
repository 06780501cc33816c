// The coordinator's exit code when its data directory is damaged. The primary does not restart a
// coordinator that exits with it (the damage would be found again, forever): the whole server
// exits with the same code and the coordinator's one-line message.
export const EXIT_STORE_DAMAGED = 65;

/** What the coordinator sends the primary over IPC just before it exits with EXIT_STORE_DAMAGED. */
export type { CannotLoadMessage } from '../../ipc/primary-coordinator.js';
