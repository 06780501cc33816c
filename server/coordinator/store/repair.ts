// Checks and repairs a stopped server's world store (<data>/world). It rebuilds the newest world
// it can from what is sound — the newest good checkpoint, else the previous generation, with every
// valid log record after it — backs up every file it replaces, and leaves one fresh checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import { applyChange, indexState, stateOf } from './apply.js';
import { CHECKPOINT, PREV_CHECKPOINT, logGenerations, logName } from './file-store.js';
import { decodeCheckpoint, encodeCheckpoint, scanLog, StoreDamage } from './log-format.js';
import { emptyState, type SavedState } from './types.js';

export interface RepairReport {
  /** Every problem found, one line each (file, offset, what). */
  problems: string[];
  /** What the rebuilt world starts from, and what it lost. */
  notes: string[];
  world: SavedState;
  /** Where the replaced files were copied (repair only, when there were problems). */
  backup?: string;
}

interface Base {
  name: string;
  generation: number;
  world: SavedState;
}

function tryCheckpoint(file: string, problems: string[]): Base | null {
  if (!fs.existsSync(file)) return null;
  try {
    const cp = decodeCheckpoint(file, fs.readFileSync(file));
    return { name: path.basename(file), generation: cp.generation, world: cp.world };
  } catch (err) {
    if (err instanceof StoreDamage) {
      problems.push(err.message);
      return null;
    }
    throw err;
  }
}

/** Finds every problem and the best world; with `write`, replaces the store by that world. */
export function repairStore(dataDir: string, write: boolean, now = new Date()): RepairReport {
  const dir = path.join(dataDir, 'world');
  const problems: string[] = [];
  const notes: string[] = [];
  if (!fs.existsSync(dir)) return { problems, notes: [`${dir} does not exist: nothing to check`], world: emptyState() };
  const logs = logGenerations(dir);
  const newestLog = logs.length ? logs[logs.length - 1]! : 0;
  const cpFile = path.join(dir, CHECKPOINT);
  const current = tryCheckpoint(cpFile, problems);
  const prev = tryCheckpoint(path.join(dir, PREV_CHECKPOINT), problems);
  if (!fs.existsSync(cpFile) && (prev || fs.existsSync(path.join(dir, PREV_CHECKPOINT)) || newestLog > 0)) {
    problems.push(`${cpFile}: file is missing but the store shows a checkpoint was written`);
  }
  if (current && newestLog > current.generation) {
    problems.push(`${path.join(dir, logName(newestLog))}: log is newer than ${CHECKPOINT} (generation ${current.generation})`);
  }

  // The newest base whose later logs are all there; an empty world only when log.0 is there too.
  const bases: Base[] = [];
  if (current && newestLog <= current.generation) bases.push(current);
  if (prev) bases.push(prev);
  if (logs.includes(0) || (logs.length === 0 && !current && !prev)) bases.push({ name: 'an empty world', generation: 0, world: emptyState() });
  const reaches = (b: Base) => {
    const later = logs.filter((g) => g >= b.generation);
    return later.every((g, i) => g === b.generation + i);
  };
  let base = bases.find(reaches);
  if (!base) {
    // Nothing reaches back far enough: keep what the logs have, and say what is lost.
    const first = logs.find((g) => g > 0) ?? 0;
    base = { name: 'an empty world', generation: first, world: emptyState() };
    notes.push(`no sound checkpoint covers the time before ${logName(first)}: changes from before it are lost`);
  }
  const hadCheckpoint = fs.existsSync(cpFile) || fs.existsSync(path.join(dir, PREV_CHECKPOINT));
  if (base !== current && (hadCheckpoint || base.generation > 0)) notes.push(`rebuilt from ${base.name} (generation ${base.generation}) and the logs after it`);

  const ix = indexState(base.world);
  const replay = logs.filter((g) => g >= base.generation);
  for (const g of replay) {
    const file = path.join(dir, logName(g));
    const scan = scanLog(fs.readFileSync(file), g === replay[replay.length - 1]);
    for (const d of scan.damage) problems.push(`${file}: ${d.reason} at offset ${d.offset} (${d.end - d.offset} bytes dropped)`);
    if (scan.torn) notes.push(`${file}: torn last record at offset ${scan.torn.offset} cut (${scan.torn.bytes} bytes)`);
    for (const batch of scan.batches) for (const c of batch) applyChange(ix, c);
  }
  // The rollback logs (between the previous and the current checkpoint) are checked too.
  for (const g of logs.filter((x) => x < base.generation)) {
    const file = path.join(dir, logName(g));
    for (const d of scanLog(fs.readFileSync(file), false).damage) problems.push(`${file}: ${d.reason} at offset ${d.offset} (rollback history)`);
  }
  const world = stateOf(ix);
  const report: RepairReport = { problems, notes, world };
  if (!write || (problems.length === 0 && notes.length === 0)) return report;

  // Back up every store file, then leave one checkpoint of the rebuilt world, newer than all.
  const backup = path.join(dataDir, `world.backup-${now.toISOString().replace(/[:.]/g, '-')}`);
  // Private like the data directory: these files hold the world (sessions, token hashes).
  fs.mkdirSync(backup, { recursive: true, mode: 0o700 });
  const files = fs.readdirSync(dir).filter((f) => f === CHECKPOINT || f === PREV_CHECKPOINT || /^log\.\d+$/.test(f) || f.endsWith('.tmp'));
  for (const f of files) fs.copyFileSync(path.join(dir, f), path.join(backup, f));
  const generation = Math.max(newestLog, current?.generation ?? 0, prev?.generation ?? 0) + 1;
  const tmp = path.join(dir, 'checkpoint.repair.tmp');
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    for (const part of encodeCheckpoint(generation, world)) fs.writeSync(fd, part);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // Renamed in first: from here the store loads the rebuilt world even if the clean-up is cut short.
  fs.renameSync(tmp, cpFile);
  for (const f of files) if (f !== CHECKPOINT) fs.rmSync(path.join(dir, f), { force: true });
  report.backup = backup;
  return report;
}
