// Helpers for tests that start processes: a marker in the environment that every descendant
// inherits, so a test can find (and kill) anything left behind, even in another process group.
import fs from 'node:fs';

export function markedPids(marker: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker)) out.push(pid);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

export function killMarked(marker: string): void {
  for (const pid of markedPids(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
