// Where the coordinator listens: the one rule, used by the primary (to tell its children) and the
// console (to see whether another server already runs on this data directory).
import os from 'node:os';
import path from 'node:path';

/** Unix socket paths are limited to about 107 bytes. */
const MAX_SOCKET_PATH = 100;

/**
 * The coordinator's socket: `coordinator.sock` in the data directory, or, when that path is too
 * long for a Unix socket, one in the temp directory named after the primary's pid (inDataDir false:
 * it cannot serve as the data directory's lock).
 */
export function coordinatorSocketPath(data: string, pid = process.pid): { path: string; inDataDir: boolean } {
  const p = path.join(data, 'coordinator.sock');
  if (p.length < MAX_SOCKET_PATH) return { path: p, inDataDir: true };
  return { path: path.join(os.tmpdir(), `shoal-coord-${pid}.sock`), inDataDir: false };
}
