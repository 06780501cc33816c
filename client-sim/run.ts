// The simulator's parent process: forks the children, hands each its share of the players,
// opens and closes the measurement window, merges their reports and prints progress.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildToParent, ParentToChild } from './ipc.js';
import type { SimOptions } from './options.js';
import { Progress } from './progress.js';
import { SimStats } from './stats.js';
import { summarize, type SimSummary } from './summary.js';

const CHILD_PATH = fileURLToPath(new URL('./child.js', import.meta.url));
/** How long past the ramp's planned end the parent waits for children to finish joining. */
const RAMP_GRACE_MS = 30_000;

export interface RunHooks {
  /** Gets one progress line a second. */
  progress?: (line: string) => void;
}

export async function runSim(opts: SimOptions, hooks: RunHooks = {}): Promise<SimSummary> {
  const stats = new SimStats();
  const progress = new Progress();
  const joinedBy = new Array<number>(opts.procs).fill(0);
  let peakJoined = 0;
  const children: ChildProcess[] = [];
  let ramped = 0;
  let done = 0;
  let onRamped: () => void = () => {};
  let onDone: () => void = () => {};
  const t0 = performance.now();

  const add = (i: number, r: ChildToParent & { type: 'report' | 'done' }) => {
    stats.addReport(r.report);
    progress.add(r.report);
    if (r.type === 'report') joinedBy[i] = r.report.joined;
    peakJoined = Math.max(peakJoined, joinedBy.reduce((a, b) => a + b, 0));
  };

  for (let i = 0; i < opts.procs; i++) {
    const child = fork(CHILD_PATH, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    // A child that dies is counted as ramped and done, so the run goes on without waiting for it.
    let childRamped = false;
    let childDone = false;
    const markRamped = () => {
      if (!childRamped && (childRamped = true) && ++ramped === opts.procs) onRamped();
    };
    const markDone = () => {
      if (!childDone && (childDone = true) && ++done === opts.procs) onDone();
    };
    child.on('message', (m: ChildToParent) => {
      if (m.type === 'report') add(i, m);
      else if (m.type === 'ramped') markRamped();
      else if (m.type === 'done') {
        add(i, m);
        markDone();
      }
    });
    child.on('exit', (code, signal) => {
      if (!childDone) {
        stats.error(`SIM_CHILD_EXIT_${code ?? signal}`);
        joinedBy[i] = 0;
      }
      markRamped();
      markDone();
    });
    const indices: number[] = [];
    for (let p = i; p < opts.players; p += opts.procs) indices.push(p);
    tell(child, { type: 'start', opts, indices, childIndex: i });
  }

  const ticker = setInterval(() => {
    const joined = joinedBy.reduce((a, b) => a + b, 0);
    let errors = 0;
    for (const n of stats.errors.values()) errors += n;
    hooks.progress?.(progress.line((performance.now() - t0) / 1000, joined, opts.players, errors));
  }, 1000);

  try {
    const rampMs = (opts.players / opts.rampRate) * 1000;
    await waitFor((r) => (onRamped = r), rampMs + RAMP_GRACE_MS);
    await sleep(opts.warmup * 1000);
    for (const c of children) tell(c, { type: 'measure' });
    const windowStart = performance.now();
    await sleep(opts.seconds * 1000);
    const windowSeconds = (performance.now() - windowStart) / 1000;
    for (const c of children) tell(c, { type: 'stop' });
    await waitFor((r) => (onDone = r), 10_000);
    return summarize(opts, stats, windowSeconds, peakJoined);
  } finally {
    clearInterval(ticker);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

function tell(c: ChildProcess, m: ParentToChild): void {
  if (c.connected) c.send(m);
}

/** Resolves when `arm`'s callback is called or after `ms`, whichever is first. */
function waitFor(arm: (resolve: () => void) => void, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    arm(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
