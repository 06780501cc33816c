// The coordinator's exit code when its data directory is damaged. The primary does not restart a
// coordinator that exits with it (the damage would be found again, forever): the whole server
// exits with the same code and the coordinator's one-line message (ipc/primary-coordinator.ts's
// CannotLoadMessage, declared at the boundary only).
export const EXIT_STORE_DAMAGED = 65;
