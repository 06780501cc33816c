// Makes the data directory private before anything is written to it. It holds the world log,
// sessions and the processes' sockets: another local user who can read it could learn what it
// holds, and one who can write to it could change the world under us. A directory others can
// write to is refused (we cannot know what was put there); one that is only readable by others
// (as Shoal 0.1 left it) is tightened to owner-only, files and subdirectories included.
import fs from 'node:fs';
import path from 'node:path';

export class DataDirError extends Error {}

/** How deep below the data directory its own subdirectories go (world/, journal/). */
const MAX_DEPTH = 3;

/**
 * Creates `dir` (0700) if it is missing, else checks and tightens it. Returns the paths whose
 * modes were tightened; throws DataDirError when the directory cannot be made safe.
 */
export function secureDataDir(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dir);
  if (!st.isDirectory()) throw new DataDirError(`data directory ${dir} is not a directory`);
  const tightened: string[] = [];
  check(dir, st, tightened);
  walk(dir, 1, tightened);
  return tightened;
}

function walk(dir: string, depth: number, tightened: string[]): void {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    // Gone meanwhile, or a link an operator made on purpose (e.g. world/ on another disk): left alone.
    if (!st || st.isSymbolicLink()) continue;
    check(p, st, tightened);
    if (st.isDirectory() && depth < MAX_DEPTH) walk(p, depth + 1, tightened);
  }
}

function check(p: string, st: fs.Stats, tightened: string[]): void {
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new DataDirError(`${p} belongs to user ${st.uid}, not to this user (${uid}); refusing to start: chown it or choose another --data`);
  }
  const mode = st.mode & 0o7777;
  if (st.isDirectory() && (mode & 0o022) !== 0) {
    throw new DataDirError(`${p} is writable by other users (mode ${octal(mode)}); refusing to start: make it private (chmod 700) or choose another --data`);
  }
  if ((mode & 0o077) !== 0) {
    fs.chmodSync(p, mode & ~0o077);
    tightened.push(`${p} ${octal(mode)} -> ${octal(mode & ~0o077)}`);
  }
}

function octal(mode: number): string {
  return '0' + mode.toString(8);
}
