// The one restart rule for every supervised process (workers and the coordinator): a process
// that exits young (before it was ready, or soon after its start) counts toward a crash loop; the
// first such exit is restarted at once, the next ones after a delay that doubles up to a cap; a
// process that ran long enough starts over from nothing. Kept apart from the forking so the rule
// is one piece of code, checked in-process.

/** An exit this soon after its start (or before ready) is a failure to start. */
export const YOUNG_MS = 10_000;
export const MAX_BACKOFF_MS = 30_000;
export const FIRST_BACKOFF_MS = 100;
/** Young exits in a row that make a crash loop (reported with a code). */
export const CRASH_LOOP_AFTER = 5;

export class CrashBackoff {
  /** Exits in a row that came soon after a start. */
  quickFailures = 0;
  /** The delay before the next start. */
  delayMs = 0;

  /** A process exited: how long to wait before starting it again, and whether it is in a crash loop. */
  exited(young: boolean): { delayMs: number; loop: boolean } {
    this.quickFailures = young ? this.quickFailures + 1 : 0;
    this.delayMs = young && this.quickFailures > 1 ? Math.min(Math.max(this.delayMs * 2, FIRST_BACKOFF_MS), MAX_BACKOFF_MS) : 0;
    return { delayMs: this.delayMs, loop: this.quickFailures >= CRASH_LOOP_AFTER };
  }

  /** Ran long enough, or stopped on purpose: the next exit is judged afresh. */
  reset(): void {
    this.quickFailures = 0;
    this.delayMs = 0;
  }
}

/** Whether an exit counts as young: before ready, or within YOUNG_MS of its start. */
export function exitedYoung(ready: boolean, startedAt: number, now = Date.now()): boolean {
  return !ready || now - startedAt < YOUNG_MS;
}
