// The supervisor's rules in-process: the one back-off rule (supervision/backoff.ts) for every
// supervised process, and Supervisor.restart (a planned replacement: no back-off, the replacement
// runs, one at a time) and crash-loop handling, with real node:cluster workers running a stand-in
// script (fixtures/worker-child.mjs).
import cluster from 'node:cluster';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CRASH_LOOP_AFTER, CrashBackoff, MAX_BACKOFF_MS, YOUNG_MS, exitedYoung } from '../../../server/primary/supervision/backoff.js';
import { Supervisor } from '../../../server/primary/supervision/supervisor.js';
import type { CodedError } from '../../../shared/errors/coded-error.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/worker-child.mjs');

describe('CrashBackoff: the one restart rule', () => {
  it('restarts the first young exit at once, then doubles from 100 ms up to the cap, and reports a loop at the fifth', () => {
    const b = new CrashBackoff();
    const delays: number[] = [];
    const loops: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      const r = b.exited(true);
      delays.push(r.delayMs);
      loops.push(r.loop);
    }
    expect(delays).toEqual([0, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
    expect(loops.indexOf(true)).toBe(CRASH_LOOP_AFTER - 1);
    expect(b.quickFailures).toBe(12);
  });

  it('an exit after a long run, or a reset, starts over', () => {
    const b = new CrashBackoff();
    for (let i = 0; i < 6; i++) b.exited(true);
    expect(b.exited(false)).toEqual({ delayMs: 0, loop: false });
    expect(b.quickFailures).toBe(0);
    for (let i = 0; i < 3; i++) b.exited(true);
    b.reset();
    expect(b.exited(true)).toEqual({ delayMs: 0, loop: false });
  });

  it('counts an exit as young before ready, or within YOUNG_MS of the start', () => {
    const t = 1_000_000;
    expect(exitedYoung(false, t, t + YOUNG_MS * 5)).toBe(true);
    expect(exitedYoung(true, t, t + YOUNG_MS - 1)).toBe(true);
    expect(exitedYoung(true, t, t + YOUNG_MS)).toBe(false);
  });
});

describe('Supervisor with real cluster workers', { timeout: 40_000 }, () => {
  let sup: Supervisor | undefined;
  let lines: Array<Record<string, unknown>> = [];

  const start = (workers: number, mode = 'ok'): Supervisor => {
    cluster.setupPrimary({ exec: WORKER, serialization: 'advanced', silent: true });
    lines = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    sup = new Supervisor({
      workers,
      workerEnv: () => ({ FIXTURE_MODE: mode }),
      coordinatorScript: WORKER,
      coordinatorEnv: {},
      log: pino({ level: 'info' }, sink),
      hangTimeoutMs: 10_000,
      startTimeoutMs: 10_000,
      onWorkerMessage: () => {},
      onWorkerExit: () => {},
      onCoordinatorReady: () => {},
      onCoordinatorCannotLoad: () => {},
    });
    sup.startAll();
    return sup;
  };

  afterEach(async () => {
    await sup?.stopAll('shutdown', 3000);
    sup = undefined;
  });

  const running = (s: Supervisor, n: number) => until(() => s.running().length === n, `${n} running`);

  it('restart replaces a running worker with no back-off; the replacement runs; one at a time', async () => {
    const s = start(2);
    await running(s, 2);
    const slot = s.slots[1]!;
    const oldPid = slot.worker!.process.pid;
    const p = s.restart(1, { exitTimeoutMs: 3000, readyTimeoutMs: 10_000 });
    // While it runs: the slot is not `running` (the acceptor sends new connections elsewhere), a
    // connection routed to it can wait for the replacement, and a second restart is refused.
    expect(slot.state).toBe('restarting');
    expect(s.replacement(1)).toBeInstanceOf(Promise);
    await expect(s.restart(1, { exitTimeoutMs: 3000, readyTimeoutMs: 10_000 })).rejects.toMatchObject({ code: 'RESTART_IN_PROGRESS' });
    const r = await p;
    expect(r.oldPid).toBe(oldPid);
    expect(r.newPid).not.toBe(oldPid);
    expect(r.newPid).toBe(slot.worker!.process.pid);
    expect(slot.state).toBe('running');
    expect(slot.restarts).toBe(1);
    expect(s.replacement(1)).toBeUndefined();
    // A planned exit is not a crash: no quick failure counted, no delay before the new start.
    expect(slot.backoff.quickFailures).toBe(0);
    const exit = lines.find((l) => l.code === 'WORKER_EXITED' && l.slot === 1)!;
    expect(exit).toMatchObject({ restartInMs: 0, planned: true });
    // The other worker was left alone.
    expect(s.slots[0]!.restarts).toBe(0);
  });

  it('restart refuses a slot that is not running, and during shutdown', async () => {
    const s = start(1);
    await running(s, 1);
    s.slots[0]!.state = 'starting';
    await expect(s.restart(0, { exitTimeoutMs: 1000, readyTimeoutMs: 1000 })).rejects.toMatchObject({ code: 'WORKER_NOT_RUNNING' });
    s.slots[0]!.state = 'running';
    s.stopping = true;
    const e = (await s.restart(0, { exitTimeoutMs: 1000, readyTimeoutMs: 1000 }).catch((x: CodedError) => x)) as CodedError;
    expect(e.code).toBe('SHUTTING_DOWN');
    s.stopping = false;
  });

  it('a worker that keeps dying at start is restarted with growing delays and reported as a crash loop', async () => {
    const s = start(1, 'crash');
    await until(() => s.slots[0]!.problem === 'WORKER_CRASH_LOOP', 'crash loop', 20_000);
    const exits = lines.filter((l) => l.slot === 0 && (l.code === 'WORKER_EXITED' || l.code === 'WORKER_CRASH_LOOP'));
    expect(exits.slice(0, CRASH_LOOP_AFTER).map((l) => l.restartInMs)).toEqual([0, 100, 200, 400, 800]);
    expect(exits[CRASH_LOOP_AFTER - 1]!.code).toBe('WORKER_CRASH_LOOP');
    expect(s.slots[0]!.restarts).toBeGreaterThanOrEqual(CRASH_LOOP_AFTER);
  });
});

async function until(fn: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
