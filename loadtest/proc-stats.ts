// CPU time and memory of a process and all its descendants, read from /proc (Linux only).
// CPU is what a server spent, including its workers; memory is PSS where the kernel offers it,
// so pages shared by forked children are not counted once per child.
import fs from 'node:fs';

/** Kernel clock ticks a second for /proc/<pid>/stat times; 100 on every Linux we run on. */
const CLK_TCK = 100;

function readStat(pid: number): string[] | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; fields start after the last ')'.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The pid and every live descendant. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = readStat(pid);
    if (!f) continue;
    const ppid = Number(f[1]);
    let list = children.get(ppid);
    if (!list) children.set(ppid, (list = []));
    list.push(pid);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    for (const c of children.get(p) ?? []) todo.push(c);
  }
  return out;
}

/** User + system CPU seconds used so far by the tree under `root`. */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const f = readStat(pid);
    // Fields (after the name) are 1-based from state: utime is 14th overall, index 11 here.
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLK_TCK;
}

/** User + system CPU seconds used so far by one process (not its children). */
export function processCpuSeconds(pid: number): number {
  const t = processTimes(pid);
  return t ? t.user + t.sys : NaN;
}

/** User and system CPU seconds used so far by one process, apart; null when it is gone. */
export function processTimes(pid: number): { user: number; sys: number } | null {
  const f = readStat(pid);
  return f ? { user: Number(f[11]) / CLK_TCK, sys: Number(f[12]) / CLK_TCK } : null;
}

/** Which part of a Shoal server a process is: its workers, its coordinator, or the primary. */
export function roleOf(pid: number): 'workers' | 'coordinator' | 'primary' {
  let cmd = '';
  try {
    cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    /* gone: counted as the primary's, which it cannot be told from */
  }
  // A build's workers run with --shoal-role=worker (older builds: worker/main.js), likewise the coordinator.
  return /--shoal-role=worker|worker\/main/.test(cmd) ? 'workers' : /--shoal-role=coordinator|coordinator\/main/.test(cmd) ? 'coordinator' : 'primary';
}

/** Memory of the tree under `root`, in bytes: PSS summed, or RSS where PSS is not readable. */
export function treeMemoryBytes(root: number): { bytes: number; processes: number; kind: 'pss' | 'rss' } {
  let bytes = 0;
  let kind: 'pss' | 'rss' = 'pss';
  const pids = processTree(root);
  for (const pid of pids) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const m = /^Pss:\s+(\d+) kB/m.exec(s);
      if (m) {
        bytes += Number(m[1]) * 1024;
        continue;
      }
    } catch {
      /* fall back to RSS */
    }
    try {
      const statm = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
      bytes += Number(statm[1]) * 4096;
      kind = 'rss';
    } catch {
      /* gone */
    }
  }
  return { bytes, processes: pids.length, kind };
}
