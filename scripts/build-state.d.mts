// Types for build-state.mjs, so TypeScript callers (test/global-setup.ts) import it checked.
/** The repository root. */
export const root: string;
/** Why dist/ is older than the sources, or null when it is fresh. */
export function staleReason(): string | null;
