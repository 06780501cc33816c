// The coordinator's exit code when its data directory is damaged. The primary does not restart a
// coordinator that exits with it (the damage would be found again, forever): the whole server
// exits with the same code and the coordinator's one-line message (ipc/primary-coordinator.ts's
// CannotLoadMessage, declared at the boundary only).
export const EXIT_STORE_DAMAGED = 65;

/**
 * The store named by --store cannot be reached at start (Redis down or the URL wrong), after
 * retrying: reported like damage, in one line with the same exit code, and not restarted.
 */
export class StoreUnreachable extends Error {}
