// Memory of every Shoal process during a soak: RSS sampled from /proc by role (primary,
// coordinator, worker-N), and its growth as a least-squares slope. A worker restarted mid-run
// starts a new process with its own baseline, so a role's slope is fitted within each process
// lifetime (one intercept per pid, one shared slope): a restart's drop is not mistaken for a
// shrink, nor a fresh process's climb to its working size for a leak.
import fs from 'node:fs';
import { processTree } from '../proc-stats.js';

export interface MemSample {
  /** Seconds since the soak started. */
  t: number;
  pid: number;
  role: string;
  rssKiB: number;
}

function read(pid: number, file: string): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

function roleOf(pid: number, primary: number): string | null {
  if (pid === primary) return 'primary';
  const cmd = read(pid, 'cmdline');
  if (!cmd) return null;
  // The role is the entry script's first argument (older builds ran coordinator/main.js, worker/main.js).
  if (/--shoal-role=coordinator|coordinator\/main\.js/.test(cmd)) return 'coordinator';
  if (!/--shoal-role=worker|worker\/main\.js/.test(cmd)) return null;
  const slot = /(?:^|\0)SHOAL_WORKER_SLOT=(\d+)/.exec(read(pid, 'environ') ?? '');
  return slot ? `worker-${slot[1]}` : 'worker-?';
}

/** One sample of every process under the primary. */
export function sampleShoal(primary: number, t: number): MemSample[] {
  const out: MemSample[] = [];
  for (const pid of processTree(primary)) {
    const role = roleOf(pid, primary);
    const rss = role && /^VmRSS:\s+(\d+) kB/m.exec(read(pid, 'status') ?? '');
    if (role && rss) out.push({ t, pid, role, rssKiB: Number(rss[1]) });
  }
  return out;
}

export interface Growth {
  role: string;
  /** KiB per minute; null when too few samples were left after the warm-ups. */
  slopeKiBPerMin: number | null;
  samples: number;
  processes: number;
  firstMiB: number;
  lastMiB: number;
  peakMiB: number;
}

/**
 * The role's RSS slope over samples after `warmupS` from the start, and after `processWarmupS`
 * from each process's first sample (a replacement's own warm-up).
 */
export function growth(samples: MemSample[], role: string, warmupS: number, processWarmupS: number): Growth {
  const mine = samples.filter((s) => s.role === role);
  const firstSeen = new Map<number, number>();
  for (const s of mine) if (!firstSeen.has(s.pid)) firstSeen.set(s.pid, s.t);
  const byPid = new Map<number, MemSample[]>();
  for (const s of mine) {
    // A process there from the start has the run's warm-up only; a later one its own too.
    const own = firstSeen.get(s.pid)! <= warmupS ? 0 : processWarmupS;
    if (s.t < warmupS || s.t < firstSeen.get(s.pid)! + own) continue;
    let l = byPid.get(s.pid);
    if (!l) byPid.set(s.pid, (l = []));
    l.push(s);
  }
  let sxy = 0;
  let sxx = 0;
  let n = 0;
  let processes = 0;
  for (const l of byPid.values()) {
    if (l.length < 3) continue;
    processes++;
    n += l.length;
    const mx = l.reduce((a, s) => a + s.t / 60, 0) / l.length;
    const my = l.reduce((a, s) => a + s.rssKiB, 0) / l.length;
    for (const s of l) {
      sxy += (s.t / 60 - mx) * (s.rssKiB - my);
      sxx += (s.t / 60 - mx) ** 2;
    }
  }
  const mib = (k: number) => Math.round((k / 1024) * 10) / 10;
  return {
    role,
    slopeKiBPerMin: sxx > 0 ? Math.round((sxy / sxx) * 10) / 10 : null,
    samples: n,
    processes,
    firstMiB: mine.length ? mib(mine[0]!.rssKiB) : 0,
    lastMiB: mine.length ? mib(mine[mine.length - 1]!.rssKiB) : 0,
    peakMiB: mib(mine.reduce((m, s) => Math.max(m, s.rssKiB), 0)),
  };
}
