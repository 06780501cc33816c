// Keeps the worker pool and the coordinator running. A process that exits unexpectedly is
// restarted at once the first time and with exponential backoff (capped) when it keeps dying
// young; a crash loop is reported with a code, not hidden.
import cluster, { type Worker } from 'node:cluster';
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

export type SlotState = 'starting' | 'running' | 'draining' | 'restarting' | 'stopped';

export interface Slot {
  slot: number;
  worker: Worker | null;
  state: SlotState;
  restarts: number;
  startedAt: number;
  backoffMs: number;
  /** Exits in a row that came soon after a start. */
  quickFailures: number;
  lastExit?: { code: number | null; signal: string | null; at: number };
  /** A code while something is wrong with this slot (e.g. WORKER_CRASH_LOOP), for the console. */
  problem?: string;
  /** Last answer to the liveness ping. */
  lastPong: number;
}

export interface SupervisorOptions {
  workers: number;
  workerEnv: (slot: number) => Record<string, string>;
  coordinatorScript: string;
  coordinatorEnv: Record<string, string>;
  log: Logger;
  /** A running process that does not answer a liveness ping this long is hung: killed and replaced. */
  hangTimeoutMs: number;
  onWorkerMessage: (slot: Slot, msg: any) => void;
  onWorkerExit: (slot: Slot) => void;
  onCoordinatorReady: () => void;
}

const YOUNG_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
const CRASH_LOOP_AFTER = 5;

export class Supervisor {
  readonly slots: Slot[] = [];
  coordinator: ChildProcess | null = null;
  coordinatorRestarts = 0;
  /** COORDINATOR_CRASH_LOOP while the coordinator keeps dying at start, for the console. */
  coordinatorProblem: string | undefined;
  private coordBackoff = 0;
  private coordStartedAt = 0;
  private coordQuickFailures = 0;
  stopping = false;

  constructor(private readonly o: SupervisorOptions) {
    for (let i = 0; i < o.workers; i++) {
      this.slots.push({ slot: i, worker: null, state: 'stopped', restarts: 0, startedAt: 0, backoffMs: 0, quickFailures: 0, lastPong: 0 });
    }
  }

  startCoordinator(): void {
    this.coordStartedAt = Date.now();
    this.coordLastPong = Date.now();
    const child = fork(this.o.coordinatorScript, [], { env: { ...process.env, ...this.o.coordinatorEnv }, stdio: 'inherit', serialization: 'advanced' });
    this.coordinator = child;
    child.on('message', (m: { t?: string }) => {
      this.coordLastPong = Date.now();
      if (m?.t === 'alive') return;
      if (m?.t === 'coordinator.ready') {
        this.coordQuickFailures = 0;
        this.coordinatorProblem = undefined;
        this.o.onCoordinatorReady();
      }
    });
    child.on('exit', (code, signal) => {
      if (this.coordinator === child) this.coordinator = null;
      if (this.stopping) return;
      const young = Date.now() - this.coordStartedAt < YOUNG_MS;
      this.coordBackoff = young ? Math.min(Math.max(this.coordBackoff * 2, 100), MAX_BACKOFF_MS) : 0;
      if (young) this.coordQuickFailures++;
      else this.coordQuickFailures = 0;
      this.coordinatorRestarts++;
      const loop = this.coordQuickFailures >= CRASH_LOOP_AFTER;
      this.coordinatorProblem = loop ? 'COORDINATOR_CRASH_LOOP' : undefined;
      this.o.log[loop ? 'error' : 'warn'](
        { code: loop ? 'COORDINATOR_CRASH_LOOP' : 'COORDINATOR_EXITED', exitCode: code, signal, restartInMs: this.coordBackoff },
        'coordinator exited; restarting',
      );
      setTimeout(() => !this.stopping && this.startCoordinator(), this.coordBackoff);
    });
  }

  startWorker(s: Slot): void {
    s.state = 'starting';
    s.startedAt = Date.now();
    const w = cluster.fork(this.o.workerEnv(s.slot));
    s.worker = w;
    s.lastPong = Date.now();
    w.on('message', (m) => {
      // Any message shows the worker's event loop turning.
      s.lastPong = Date.now();
      if (m?.t === 'alive') return;
      if (m?.t === 'ready' && s.worker === w) {
        s.state = s.state === 'draining' ? 'draining' : 'running';
        // Running for a while ends a crash loop.
        setTimeout(() => {
          if (s.worker === w) {
            s.quickFailures = 0;
            s.problem = undefined;
          }
        }, YOUNG_MS).unref();
      }
      this.o.onWorkerMessage(s, m);
    });
    w.on('exit', (code, signal) => {
      if (s.worker !== w) return;
      s.worker = null;
      s.lastExit = { code, signal, at: Date.now() };
      this.o.onWorkerExit(s);
      if (this.stopping || s.state === 'stopped') {
        s.state = 'stopped';
        return;
      }
      const young = Date.now() - s.startedAt < YOUNG_MS;
      s.quickFailures = young ? s.quickFailures + 1 : 0;
      s.backoffMs = young && s.quickFailures > 1 ? Math.min(Math.max(s.backoffMs * 2, 100), MAX_BACKOFF_MS) : 0;
      s.restarts++;
      s.state = 'restarting';
      const loop = s.quickFailures >= CRASH_LOOP_AFTER;
      s.problem = loop ? 'WORKER_CRASH_LOOP' : undefined;
      this.o.log[loop ? 'error' : 'warn'](
        { code: loop ? 'WORKER_CRASH_LOOP' : 'WORKER_EXITED', slot: s.slot, exitCode: code, signal, restartInMs: s.backoffMs },
        'worker exited; restarting',
      );
      setTimeout(() => {
        if (!this.stopping && s.state === 'restarting') this.startWorker(s);
      }, s.backoffMs);
    });
  }

  startAll(): void {
    for (const s of this.slots) this.startWorker(s);
    this.watchLiveness();
  }

  /**
   * A process can hang (a busy loop in game code) rather than die. Every process answers a ping
   * from its event loop; one that stays silent past hangTimeoutMs is killed, and so restarted.
   */
  private watchLiveness(): void {
    const every = this.pingEveryMs();
    setInterval(() => {
      if (this.stopping) return;
      const now = Date.now();
      for (const s of this.slots) {
        const w = s.worker;
        if (!w || s.state === 'starting') continue;
        if (now - s.lastPong > this.o.hangTimeoutMs) {
          this.o.log.error({ code: 'WORKER_HUNG', slot: s.slot, pid: w.process.pid, silentMs: now - s.lastPong }, 'worker does not answer; killing it');
          s.lastPong = now;
          w.process.kill('SIGKILL');
          continue;
        }
        try {
          w.send({ t: 'alive?' });
        } catch {
          // exiting; the exit handler restarts it
        }
      }
      const c = this.coordinator;
      if (c && c.connected) {
        if (now - this.coordLastPong > this.o.hangTimeoutMs) {
          this.o.log.error({ code: 'COORDINATOR_HUNG', pid: c.pid, silentMs: now - this.coordLastPong }, 'coordinator does not answer; killing it');
          this.coordLastPong = now;
          c.kill('SIGKILL');
        } else c.send({ t: 'alive?' });
      } else this.coordLastPong = now;
    }, every).unref();
  }

  private coordLastPong = Date.now();

  running(): Slot[] {
    return this.slots.filter((s) => s.worker && s.state === 'running');
  }

  private pingEveryMs(): number {
    return Math.max(250, Math.min(2000, this.o.hangTimeoutMs / 4));
  }

  /**
   * Running workers that answered a liveness ping lately (a stopped or busy one is still
   * `running` until hangTimeoutMs passes; it can take no request meanwhile).
   */
  responsive(now = Date.now()): Slot[] {
    const stale = Math.max(1500, this.pingEveryMs() * 3);
    return this.running().filter((s) => now - s.lastPong <= stale);
  }

  /** Stops every worker gracefully, then the coordinator; bounded by timeoutMs. */
  async stopAll(reason: string, timeoutMs: number): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + timeoutMs;
    const exits = this.slots
      .filter((s) => s.worker)
      .map((s) => {
        const w = s.worker!;
        return new Promise<void>((resolve) => {
          w.once('exit', () => resolve());
          w.send({ t: 'shutdown', reason });
        });
      });
    await Promise.race([Promise.all(exits), sleep(Math.max(0, deadline - Date.now() - 1000))]);
    for (const s of this.slots) if (s.worker) s.worker.process.kill('SIGKILL');
    const c = this.coordinator;
    if (c) {
      await Promise.race([
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.send({ t: 'coordinator.stop' });
        }),
        sleep(Math.max(500, deadline - Date.now())),
      ]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
